// The offline community-package scan (@n8n/scan-community-package's analyzePackage), run on the
// source tree and on the unpacked `npm pack` tarball, the way n8n's verification would see them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'openai-certificates-scan-'));
let failed = false;

async function scan(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	console.log(`${label}: ${result.passed ? 'passed' : `FAILED (${result.message})`}`);
	if (!result.passed) {
		failed = true;
		if (result.details) console.log(result.details);
	}
}

try {
	await scan('source', root, SOURCE_FILE_PATTERNS);
	execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts'], {
		cwd: root,
		stdio: 'ignore',
	});
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
	const files = execFileSync('tar', ['-tzf', join(work, tarball)], { encoding: 'utf8' })
		.trim()
		.split('\n');
	const unexpected = files.filter(
		(file) =>
			!/^package\/(dist\/(nodes|credentials|icons)\/|README\.md$|LICENSE(\.md)?$|package\.json$)/.test(
				file,
			) || /tsbuildinfo|\.test\.|\/test\//.test(file),
	);
	console.log(
		`tarball: ${files.length} files${unexpected.length ? `, UNEXPECTED: ${unexpected.join(', ')}` : ', only dist/, README, LICENSE, package.json'}`,
	);
	if (unexpected.length) failed = true;
	await scan('tarball', join(work, 'package'));
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
