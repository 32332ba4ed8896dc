/**
 * `npm start`: the package in the real n8n app (2.41.1), with a sandbox organization served by the fake
 * Admin API, a ready credential and the example workflows. Ctrl-C stops everything; what was built in the
 * editor (workflows, credentials, executions) and the sandbox organization's state stay in the user folder
 * for the next start. `npm run sandbox:reset` deletes that folder.
 * `npm run dev` (DEV=1): the build is copied instead of the packed package installed, `tsc --watch` rebuilds into
 * that copy on every change, and n8n (N8N_DEV_RELOAD) reloads the nodes.
 *
 * OPENAI_ADMIN_KEY=sk-admin-... npm start   points the credential at the real API instead (and
 * OPENAI_ADMIN_BASE_URL, default https://api.openai.com/v1); no sandbox is started then, and n8n uses a
 * user folder of its own so sandbox and real work never mix.
 * N8N_PORT (default 5678), SANDBOX_PORT (default 5680), SANDBOX_MTLS_PORT (default SANDBOX_PORT + 1) and
 * SANDBOX_PKI_PORT (default SANDBOX_PORT + 2, where the sandbox copy of the rotation example downloads renewed CAs)
 * choose the ports, so moving SANDBOX_PORT alone moves all three;
 * N8N_SANDBOX_FOLDER the folder.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nApp } from './n8nApp';
import { prepareApp } from './n8nApp';
import { installedPackage, ROOT } from './appInstall';
import { auditLogOf } from './auditLog';
import {
	PKI_PLACEHOLDER,
	SANDBOX_MTLS_CREDENTIAL,
	SANDBOX_ROTATION_JOB,
	sandboxExamples,
} from './examples';
import { prepareMtlsTryout } from './mtlsTryout';
import { keepSaved, loadOrganization, saveOrganization } from './persistence';
import { startSandboxPki } from './pki';
import { makeServerIdentity } from './mtlsHost';
import type { SandboxAdminClient } from './seed';
import { sandboxCredentialData, sandboxMtlsCredentialData, seedSandbox } from './seed';
import type { FakeAdminApi } from './server';
import { startFakeAdminApi } from './server';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 5680);
const MTLS_PORT = Number(process.env.SANDBOX_MTLS_PORT ?? SANDBOX_PORT + 1);
const PKI_PORT = Number(process.env.SANDBOX_PKI_PORT ?? SANDBOX_PORT + 2);
const REAL_KEY = process.env.OPENAI_ADMIN_KEY;
const DEV = process.env.DEV === '1';
export const SANDBOX_FOLDER = process.env.N8N_SANDBOX_FOLDER ?? join(ROOT, '.n8n-sandbox');
const USER_FOLDER = join(SANDBOX_FOLDER, REAL_KEY ? 'real-api' : 'sandbox');
const STATE_FILE = join(USER_FOLDER, 'sandbox-state.json');
const ORGANIZATION_FILE = join(USER_FOLDER, 'organization.json');
/** The admin client certificate the sandbox credentials present, and the mTLS host's identity (kept across starts). */
const ADMIN_CLIENT_FILE = join(USER_FOLDER, 'admin-client.json');
const MTLS_IDENTITY_FILE = join(USER_FOLDER, 'mtls-server.json');
const OWNER = {
	email: 'owner@sandbox.local',
	password: 'Sandbox-Password-1',
	firstName: 'Sandbox',
	lastName: 'Owner',
};
const CREDENTIAL = {
	id: 'openai-admin-api',
	name: REAL_KEY ? 'OpenAI Admin API' : 'OpenAI Admin API (sandbox)',
};

/** What earlier starts did to the user folder, so they are done once. */
interface SandboxState {
	/** The Base URL the sandbox credential was imported with. */
	credentialBaseUrl?: string;
	examplesImported?: boolean;
	ownerCreated?: boolean;
}

function readState(): SandboxState {
	return existsSync(STATE_FILE)
		? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as SandboxState)
		: {};
}

function writeState(state: SandboxState): void {
	writeFileSync(STATE_FILE, JSON.stringify(state, null, '\t'));
}

function kept<T>(file: string, make: () => T): T {
	if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
	const made = make();
	writeFileSync(file, JSON.stringify(made));
	return made;
}

interface Sandbox {
	api: FakeAdminApi;
	admin: SandboxAdminClient;
}

/** The sandbox (the organization of the previous run, or a freshly seeded one), unless the real API is used. */
async function startSandbox(): Promise<Sandbox | undefined> {
	if (REAL_KEY) return undefined;
	// An organization saved before the sandbox had an admin client is seeded anew, so the two agree.
	const saved = existsSync(ADMIN_CLIENT_FILE) ? loadOrganization(ORGANIZATION_FILE) : undefined;
	const api = await startFakeAdminApi({
		port: SANDBOX_PORT,
		mtlsPort: MTLS_PORT,
		organization: saved,
		mtlsIdentity: kept(MTLS_IDENTITY_FILE, makeServerIdentity),
	});
	if (!saved) {
		writeFileSync(ADMIN_CLIENT_FILE, JSON.stringify(seedSandbox(api.organization)));
		saveOrganization(api.organization, ORGANIZATION_FILE);
	}
	const admin = JSON.parse(readFileSync(ADMIN_CLIENT_FILE, 'utf8')) as SandboxAdminClient;
	auditLogOf(api.organization).addKey(SANDBOX_ROTATION_JOB.key, SANDBOX_ROTATION_JOB.actor);
	console.log(
		`[start] sandbox Admin API on ${api.mtls.baseUrl} (mTLS enforced for the organization; ${saved ? 'the organization as the last run left it' : 'a new organization'})`,
	);
	return { api, admin };
}

function credentialData(sandbox: Sandbox | undefined) {
	return sandbox
		? sandboxCredentialData(sandbox.api, sandbox.admin)
		: {
				apiKey: REAL_KEY!,
				host: 'custom',
				baseUrl: process.env.OPENAI_ADMIN_BASE_URL ?? 'https://api.openai.com/v1',
			};
}

async function importCredentials(app: N8nApp, credentials: unknown[]): Promise<void> {
	const folder = join(USER_FOLDER, 'import');
	mkdirSync(folder, { recursive: true });
	writeFileSync(join(folder, 'credentials.json'), JSON.stringify(credentials));
	await app.cli(['import:credentials', `--input=${join(folder, 'credentials.json')}`]);
}

/**
 * The credential: imported on the first start; again when the sandbox moved to another port (only if the
 * credential still points at the old one: a user's edit is kept) or when OPENAI_ADMIN_KEY is given.
 */
async function importCredential(
	app: N8nApp,
	sandbox: Sandbox | undefined,
	state: SandboxState,
): Promise<void> {
	const data = credentialData(sandbox);
	if (sandbox && state.credentialBaseUrl === data.baseUrl) return;
	if (
		sandbox &&
		state.credentialBaseUrl &&
		!(await credentialStillAt(app, state.credentialBaseUrl))
	)
		return;
	const rotationJob = sandbox && {
		...SANDBOX_ROTATION_JOB.credential,
		type: 'openAiAdminApi',
		data: { ...data, apiKey: SANDBOX_ROTATION_JOB.key },
	};
	const mtlsClient = sandbox && {
		...SANDBOX_MTLS_CREDENTIAL,
		type: 'openAiMtlsClientApi',
		data: sandboxMtlsCredentialData(sandbox.api, sandbox.admin),
	};
	await importCredentials(app, [
		{ ...CREDENTIAL, type: 'openAiAdminApi', data },
		...(rotationJob && mtlsClient ? [rotationJob, mtlsClient] : []),
	]);
	state.credentialBaseUrl = data.baseUrl;
}

async function credentialStillAt(app: N8nApp, baseUrl: string): Promise<boolean> {
	const file = join(USER_FOLDER, 'import', 'credential-now.json');
	await app
		.cli(['export:credentials', `--id=${CREDENTIAL.id}`, '--decrypted', `--output=${file}`])
		.catch(() => undefined);
	const exported = existsSync(file)
		? (JSON.parse(readFileSync(file, 'utf8')) as Array<{ data?: { baseUrl?: string } }>)
		: [];
	writeFileSync(file, '[]');
	return exported[0]?.data?.baseUrl === baseUrl;
}

/** The example workflows, imported on the first start only (so a user's edits are kept and nothing is duplicated). */
async function importExamples(
	app: N8nApp,
	state: SandboxState,
	api: FakeAdminApi | undefined,
	pkiBaseUrl: string,
): Promise<void> {
	if (state.examplesImported) return;
	const places = {
		pkiBaseUrl,
		rotationJob: api && SANDBOX_ROTATION_JOB,
		mtlsBaseUrl: api?.mtls.baseUrl,
	};
	// All in one import (each n8n CLI command is a start of n8n: seconds).
	const folder = join(USER_FOLDER, 'import', 'examples');
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	for (const { file, workflow } of sandboxExamples(join(ROOT, 'examples'), places))
		writeFileSync(join(folder, file), JSON.stringify(workflow));
	await app.cli(['import:workflow', '--separate', `--input=${folder}`]);
	state.examplesImported = true;
}

async function setUpOwner(state: SandboxState): Promise<string> {
	if (state.ownerCreated) return '';
	const setup = await fetch(`http://127.0.0.1:${N8N_PORT}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	state.ownerCreated = setup.ok;
	return setup.ok ? '' : ` (owner setup answered ${setup.status})`;
}

function printWelcome(api: FakeAdminApi | undefined, ownerNote: string, firstStart: boolean): void {
	const lines = [
		`n8n is running with n8n-nodes-openai-certificates: http://localhost:${N8N_PORT}`,
		`Sign in as ${OWNER.email} / ${OWNER.password}${ownerNote}${firstStart ? '' : ' (unless you changed it)'}`,
		`Credential for the nodes you add: pick "${CREDENTIAL.name}"${api ? ` (it presents the sandbox's admin client certificate; "${SANDBOX_ROTATION_JOB.credential.name}" is the rotation example's, "${SANDBOX_MTLS_CREDENTIAL.name}" the chat completion example's)` : ''}. Workflows: the examples from examples/${firstStart ? '' : ' and what you built'}.`,
		api
			? `The scheduled rotation example runs as the rotation job ("${SANDBOX_ROTATION_JOB.credential.name}"); activate the change alert example and change a certificate with "${CREDENTIAL.name}" to see it alert.`
			: '',
		api
			? `Sandbox organization at ${api.mtls.baseUrl}${firstStart ? ': 4 projects and 7 certificates (active, inactive, expiring soon, expired)' : ''}. It enforces mTLS for the whole organization ("Admin access CA"), so the credentials present an admin client certificate on every request.`
			: '',
		...(api ? prepareMtlsTryout(api, join(ROOT, '.cache', 'mtls-tryout')) : []),
		`Your work is kept in ${USER_FOLDER}; \`npm run sandbox:reset\` starts over.`,
		DEV
			? 'Dev mode: each change is rebuilt (tsc --watch) and n8n reloads the nodes; refresh the editor to see it.'
			: '',
		'Press Ctrl-C to stop everything.',
	];
	console.log(
		`\n${lines
			.filter(Boolean)
			.map((line) => `  ${line}`)
			.join('\n')}\n`,
	);
}

/** `npm run dev`: tsc rebuilds the installed copy's dist/ on every change; n8n, started with N8N_DEV_RELOAD, reloads it. */
function watchSources(): ChildProcess {
	const outDir = join(installedPackage(USER_FOLDER), 'dist');
	return spawn(
		join(ROOT, 'node_modules', '.bin', 'tsc'),
		['--watch', '--preserveWatchOutput', '-p', join(ROOT, 'tsconfig.json'), '--outDir', outDir],
		{ cwd: ROOT, stdio: 'inherit' },
	);
}

/** In dev mode, n8n's hot-reload lines are worth seeing (the rest of its output stays quiet). */
function showReloads(child: ChildProcess): void {
	const show = (chunk: Buffer) => {
		for (const line of chunk.toString().split('\n'))
			if (/hot reload/i.test(line)) console.log(`[n8n] ${line.trim()}`);
	};
	child.stdout?.on('data', show);
	child.stderr?.on('data', show);
}

async function main() {
	mkdirSync(USER_FOLDER, { recursive: true });
	const state = readState();
	const firstStart = !state.examplesImported;
	const sandbox = await startSandbox();
	const api = sandbox?.api;
	const saving = api && keepSaved(api.organization, ORGANIZATION_FILE, () => api.log.length);
	if (REAL_KEY) console.log('[start] using the real OpenAI Admin API (OPENAI_ADMIN_KEY)');
	const pki =
		api && (await startSandboxPki({ port: PKI_PORT, file: join(USER_FOLDER, 'pki.json') }));
	if (pki)
		console.log(
			`[start] sandbox PKI (renewed CAs for the scheduled-rotation example) on ${pki.baseUrl}/ca/<name>.pem`,
		);

	const app = prepareApp('2.41.1', DEV ? { N8N_DEV_RELOAD: 'true' } : {}, {
		userFolder: USER_FOLDER,
		copyBuild: DEV,
	});
	await importCredential(app, sandbox, state);
	await importExamples(app, state, api, pki?.baseUrl ?? PKI_PLACEHOLDER);
	writeState(state);

	const watcher = DEV ? watchSources() : undefined;
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		watcher?.kill();
		await app.stopAll();
		saving?.stop();
		await api?.close();
		await pki?.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	const child = await app.start(N8N_PORT);
	child.on('exit', () => void stop());
	if (DEV) showReloads(child);
	const ownerNote = await setUpOwner(state);
	writeState(state);
	printWelcome(api, ownerNote, firstStart);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
