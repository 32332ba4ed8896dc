import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../../sandbox/n8nApp';

/**
 * The servers n8n's queue mode needs, from Debian's packages (`scripts/preflight.sh`, run by `npm test`, installs
 * them): Redis and PostgreSQL, each started here on 127.0.0.1 with its data in a temporary folder, stopped by `stop()`.
 */

export interface Service {
	port: number;
	stop(): Promise<void>;
}

async function waitFor(
	what: string,
	ready: () => boolean,
	child: ChildProcess | undefined,
	log: () => string,
) {
	for (let waited = 0; waited < 300; waited++) {
		if (ready()) return;
		if (child && child.exitCode !== null)
			throw new Error(`${what} exited with ${child.exitCode}:\n${log().slice(-2000)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`${what} did not come up in 30 s:\n${log().slice(-2000)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
		child.once('exit', () => {
			clearTimeout(force);
			resolve();
		});
		child.kill('SIGTERM');
	});
}

export async function startRedis(): Promise<Service> {
	if (!existsSync('/usr/bin/redis-server'))
		throw new Error(
			'redis-server is not installed (Debian package redis-server; scripts/preflight.sh e2e installs it)',
		);
	const port = await freePort();
	const child = spawn(
		'/usr/bin/redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	await waitFor(
		'redis-server',
		() => /Ready to accept connections/.test(output),
		child,
		() => output,
	);
	return { port, stop: () => stopChild(child) };
}

/** Debian installs PostgreSQL's server programs under /usr/lib/postgresql/<major>/bin. */
function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const major = existsSync(root)
		? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0]
		: undefined;
	if (!major || !existsSync(join(root, major, 'bin', 'postgres'))) {
		throw new Error(
			'PostgreSQL is not installed (Debian package postgresql; scripts/preflight.sh e2e installs it)',
		);
	}
	return join(root, major, 'bin');
}

/**
 * A throw-away cluster with database `n8n` owned by role `n8n` (trust authentication on loopback only).
 * PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user Debian's package made.
 */
export async function startPostgres(): Promise<Service & { database: string; user: string }> {
	const bin = postgresBin();
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'e2e-postgres-'));
	const asRoot = process.getuid?.() === 0;
	if (asRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(dir, uid, gid);
		chmodSync(dir, 0o700);
	}
	const run = (program: string, args: string[]) =>
		(asRoot
			? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
			: [join(bin, program), args]) as [string, string[]];
	const data = join(dir, 'data');
	execFileSync(
		...run('initdb', ['-D', data, '-U', 'n8n', '-A', 'trust', '--no-sync', '-E', 'UTF8']),
		{ stdio: 'ignore' },
	);
	const child = spawn(
		...run('postgres', [
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			dir,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'max_connections=200',
		]),
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	await waitFor(
		'postgres',
		() => /ready to accept connections/.test(output),
		child,
		() => output,
	);
	execFileSync(...run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n']), {
		stdio: 'ignore',
	});
	return {
		port,
		database: 'n8n',
		user: 'n8n',
		async stop() {
			// `runuser` passes SIGTERM on to postgres (a "smart" shutdown waits for clients: n8n is gone by now).
			await stopChild(child);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
