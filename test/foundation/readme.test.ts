import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { readmeInstallCommand } from '../../sandbox/appInstall';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const README = read('README.md');
const DOCS = readdirSync(join(ROOT, 'docs')).map((file) => `docs/${file}`);

/**
 * The README a user reads in a minute, and its links. Its install command is the one the real-app tests run
 * (sandbox/n8nApp.ts installs the packed package with exactly that line).
 */
describe('README and docs', () => {
	it("has the starter's sections and at most 200 lines; no table cell over 160 characters", () => {
		expect(README.split('\n').length).toBeLessThanOrEqual(200);
		const headings = README.split('\n').filter((line) => line.startsWith('## '));
		for (const section of [
			'Installation',
			'Operations',
			'Credentials',
			'Compatibility',
			'Usage',
			'Resources',
			'Version history',
		])
			expect(headings).toContain(`## ${section}`);
		const cells = README.split('\n')
			.filter((line) => line.startsWith('|'))
			.flatMap((line) => line.split('|').map((cell) => cell.trim()));
		expect(cells.filter((cell) => cell.length > 160)).toEqual([]);
		expect(README).not.toMatch(/\b(took|measured|load \d)\b.*\b\d+ (min|s)\b/);
	});

	it('gives one install command: the manual one, inside the Docker one; without the peer dependency or scripts', () => {
		const command = readmeInstallCommand();
		expect(command).toBe('npm install --omit=peer --ignore-scripts n8n-nodes-openai-certificates');
		const docker = README.split('\n').find((line) => line.startsWith('docker exec'));
		expect(docker).toContain(command);
		expect(README).toMatch(/CUSTOM\.openAiCertificates/);
	});

	it('links only to files that exist, in the README and in docs/', () => {
		for (const file of ['README.md', ...DOCS]) {
			const links = [...read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
				.map((match) => match[1])
				.filter((target) => !/^[a-z]+:/.test(target));
			for (const target of links)
				expect([file, target, existsSync(join(ROOT, dirname(file), target))]).toEqual([
					file,
					target,
					true,
				]);
		}
	});

	it('points no user to a host that does not exist', () => {
		const shipped = [
			'package.json',
			'README.md',
			...DOCS,
			'nodes/OpenAiCertificates/OpenAiCertificates.node.json',
			'nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node.json',
			'credentials/OpenAiAdminApi.credentials.ts',
			'credentials/OpenAiMtlsClientApi.credentials.ts',
		];
		// A URL a user can click (the placeholder author email in package.json is no link).
		const invalidUrl = /https?:\/\/[^\s"')]*\.invalid\b/;
		for (const file of shipped)
			expect([file, read(file)]).not.toEqual([file, expect.stringMatching(invalidUrl)]);
	});
});
