import { execFileSync, spawn } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Installing the real n8n app (scripts/install-n8n.sh, into the cache) and this package into a user folder
 * with the README's own install command; sandbox/n8nApp.ts runs the app.
 */

/** The package's root: the nearest folder above this file (source or compiled) holding package.json and examples/. */
function findRoot(from: string): string {
	for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return dir;
	}
	throw new Error(`no package root above ${from}`);
}

export const ROOT = findRoot(__dirname);
export const CACHE =
	process.env.N8N_APP_CACHE ??
	join(process.env.HOME ?? '/root', '.cache', 'n8n-nodes-openai-certificates');

export const PACKAGE_TYPE = 'n8n-nodes-openai-certificates';

/** The caller's environment without npm's variables (`npm_config_ignore_scripts` and the like) that `npm start` or `npm test` set. */
export function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

const INSTALL_SCRIPT = join(ROOT, 'scripts', 'install-n8n.sh');

/** Installs (or reuses) the app in the cache; returns its folder. */
export function installApp(version: string): string {
	return execFileSync('bash', [INSTALL_SCRIPT, version], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	})
		.trim()
		.split('\n')
		.pop()!;
}

/**
 * The same install without blocking this process (its other suites and fake Admin APIs go on), e.g. while the
 * background install `npm test` started is still running; `prepareApp` then finds the app ready.
 */
export async function appInstalled(version: string): Promise<void> {
	await new Promise<void>((resolveInstall, reject) => {
		const child = spawn('bash', [INSTALL_SCRIPT, version], {
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0
				? resolveInstall()
				: reject(new Error(`scripts/install-n8n.sh ${version} failed (exit ${code}): see above`)),
		);
	});
}

/** Where this package is installed in a user folder (n8n loads it from there as a community package). */
export function installedPackage(userFolder: string): string {
	return join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_TYPE);
}

/**
 * The README's manual install command (its `npm install … n8n-nodes-openai-certificates` line): `npm start`,
 * the end-to-end suites and the editor checks install the package with it, so the command users copy is the
 * one every real-app test ran.
 */
export function readmeInstallCommand(): string {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const line = readme
		.split('\n')
		.find((candidate) => /^npm install .*n8n-nodes-openai-certificates$/.test(candidate));
	if (!line)
		throw new Error(
			'README.md has no manual install command (npm install … n8n-nodes-openai-certificates)',
		);
	return line;
}

/** Installs this package into `<user folder>/.n8n/nodes` as a user does (the packed tarball), or copies the build there. */
export function installPackage(userFolder: string, copyBuild: boolean): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const installed = installedPackage(userFolder);
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json')))
		writeFileSync(join(nodesDir, 'package.json'), '{"private":true}');
	rmSync(installed, { recursive: true, force: true });
	if (copyBuild) {
		mkdirSync(installed, { recursive: true });
		cpSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
		cpSync(join(ROOT, 'dist'), join(installed, 'dist'), { recursive: true });
		return nodesDir;
	}
	const packDir = mkdtempSync(join(tmpdir(), 'n8n-pack-'));
	execFileSync('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts'], {
		cwd: ROOT,
		stdio: 'ignore',
	});
	const tarball = join(packDir, readdirSync(packDir).find((file) => file.endsWith('.tgz'))!);
	// Exactly the README's manual install command, the packed tarball in place of the registry's name.
	execFileSync('bash', ['-c', readmeInstallCommand().replace(PACKAGE_TYPE, tarball)], {
		cwd: nodesDir,
		stdio: 'ignore',
		env: withoutNpmVariables(process.env),
	});
	rmSync(packDir, { recursive: true, force: true });
	return nodesDir;
}
