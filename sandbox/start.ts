/**
 * `npm start`: the package in the real n8n app (2.41.1), with a sandbox organization served by the fake
 * Admin API, a ready credential and the example workflows. Ctrl-C stops everything.
 *
 * OPENAI_ADMIN_KEY=sk-admin-... npm start   points the credential at the real API instead (and
 * OPENAI_ADMIN_BASE_URL, default https://api.openai.com/v1); no sandbox is started then.
 * N8N_PORT (default 5678), SANDBOX_PORT (default 5680) and SANDBOX_MTLS_PORT (default 5681) choose the ports.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { prepareApp, ROOT } from '../test/e2e/n8nApp';
import { prepareMtlsTryout } from './mtlsTryout';
import { seedSandbox } from './seed';
import { startFakeAdminApi } from './server';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 5680);
const MTLS_PORT = Number(process.env.SANDBOX_MTLS_PORT ?? 5681);
const OWNER = { email: 'owner@sandbox.local', password: 'Sandbox-Password-1', firstName: 'Sandbox', lastName: 'Owner' };

async function main() {
	const realKey = process.env.OPENAI_ADMIN_KEY;
	const api = realKey ? undefined : await startFakeAdminApi({ port: SANDBOX_PORT, mtlsPort: MTLS_PORT });
	if (api) seedSandbox(api.organization);
	const credential = realKey
		? { apiKey: realKey, baseUrl: process.env.OPENAI_ADMIN_BASE_URL ?? 'https://api.openai.com/v1' }
		: { apiKey: api!.apiKey, baseUrl: api!.baseUrl };
	console.log(realKey ? '[start] using the real OpenAI Admin API (OPENAI_ADMIN_KEY)' : `[start] sandbox Admin API on ${api!.baseUrl}`);

	const app = prepareApp('2.41.1');
	const files = join(app.userFolder, 'import');
	mkdirSync(files, { recursive: true });
	writeFileSync(
		join(files, 'credentials.json'),
		JSON.stringify([{ id: 'openai-admin-api', name: realKey ? 'OpenAI Admin API' : 'OpenAI Admin API (sandbox)', type: 'openAiAdminApi', data: credential }]),
	);
	await app.cli(['import:credentials', `--input=${join(files, 'credentials.json')}`]);
	for (const file of readdirSync(join(ROOT, 'examples'))) {
		const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
		// The CLI import needs an ID (the editor's Import from File makes one up).
		const id = `example${file.replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 16);
		writeFileSync(join(files, file), JSON.stringify({ ...workflow, id, active: false }));
		await app.cli(['import:workflow', `--input=${join(files, file)}`]);
	}

	const stop = async () => {
		await app.stopAll();
		await api?.close();
		rmSync(app.userFolder, { recursive: true, force: true });
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	const child = await app.start(N8N_PORT);
	child.on('exit', () => void stop());
	const setup = await fetch(`http://127.0.0.1:${N8N_PORT}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	console.log(`
  n8n is running with n8n-nodes-openai-certificates: http://localhost:${N8N_PORT}
  Sign in as ${OWNER.email} / ${OWNER.password}${setup.ok ? '' : ` (owner setup answered ${setup.status})`}
  Credential: ${realKey ? 'OpenAI Admin API' : 'OpenAI Admin API (sandbox)'}; workflows: the examples from examples/.
  ${api ? `Sandbox organization: 4 projects and 6 certificates (active, inactive, expiring soon, expired) at ${api.baseUrl}` : ''}
  ${api ? prepareMtlsTryout(api, join(ROOT, '.cache', 'mtls-tryout')).join('\n  ') : ''}
  Press Ctrl-C to stop everything.
`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
