/**
 * End-to-end: the packed package installed into the real n8n app (2.41.1 on Node 24, 1.123.81 on Node 20)
 * the way a user installs it, run against the fake Admin API with `n8n execute` and through `n8n start` with
 * a webhook. Usage: node .cache/run/test/e2e/e2e.js [versions...]. Prints "N passed, N failed".
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';
import type { N8nApp } from './n8nApp';
import { freePort, PACKAGE_TYPE, parseExecuteOutput, prepareApp, reporter, ROOT } from './n8nApp';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const versions = process.argv.slice(2).length ? process.argv.slice(2) : ['2.41.1', '1.123.81'];
const CREDENTIAL = { id: 'openai-admin-api', name: 'OpenAI Admin API' };

const { check, fail, finish } = reporter();

type Node = { name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown };
interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Node[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	[key: string]: unknown;
}

function example(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
}

/** `n8n execute` starts at a manual trigger: add one wired like the given trigger, leaving the rest as shipped. */
function withManualStart(workflow: WorkflowJson, like: string): WorkflowJson {
	const manual = { id: 'e2e-manual', name: 'Run from the CLI', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, -200], parameters: {} };
	return { ...workflow, nodes: [...workflow.nodes, manual], connections: { ...workflow.connections, [manual.name]: workflow.connections[like] } };
}

/** Some nodes of a shipped workflow, with their connections, as a workflow of its own. */
function subset(workflow: WorkflowJson, names: string[], name: string): WorkflowJson {
	return {
		...workflow,
		name,
		nodes: workflow.nodes.filter((node) => names.includes(node.name)),
		connections: Object.fromEntries(Object.entries(workflow.connections).filter(([source]) => names.includes(source))),
	};
}

function ours(name: string, parameters: Record<string, unknown>): Node {
	return { id: name, name, type: `${PACKAGE_TYPE}.openAiCertificates`, typeVersion: 1, position: [0, 0], parameters, credentials: { openAiAdminApi: CREDENTIAL } };
}

function chain(name: string, nodes: Node[]): WorkflowJson {
	const manual: Node = { id: 'm', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const all = [manual, ...nodes];
	const connections: WorkflowJson['connections'] = {};
	all.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] };
	});
	return { name, nodes: all.map((node, index) => ({ ...node, position: [index * 220, 0] })), connections, settings: { executionOrder: 'v1' } };
}

async function suite(version: string) {
	console.log(`\n[e2e] n8n ${version}`);
	let app: N8nApp | undefined;
	let api: FakeAdminApi | undefined;
	let pkiServer: import('node:http').Server | undefined;
	let collector: import('node:http').Server | undefined;
	try {
		app = prepareApp(version);
		api = await startFakeAdminApi();
		const organization = api.organization;
		for (const id of ['proj_web', 'proj_batch']) organization.addProject({ id });

		const files = join(app.userFolder, 'import');
		require('node:fs').mkdirSync(files);
		writeFileSync(join(files, 'credentials.json'), JSON.stringify([{ ...CREDENTIAL, type: 'openAiAdminApi', data: { apiKey: api.apiKey, baseUrl: api.baseUrl } }]));
		await app.cli(['import:credentials', `--input=${join(files, 'credentials.json')}`]);

		const workflowIds: Record<string, string> = {};
		const importWorkflow = async (key: string, workflow: WorkflowJson) => {
			const id = `e2e${key.replace(/[^a-zA-Z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);
			workflowIds[key] = id;
			writeFileSync(join(files, `${key}.json`), JSON.stringify({ ...workflow, id, active: false }));
			await app!.cli(['import:workflow', `--input=${join(files, `${key}.json`)}`]);
		};
		const execute = async (key: string) => {
			let stdout: string;
			try {
				stdout = await app!.cli(['execute', `--id=${workflowIds[key]}`, '--rawOutput']);
			} catch (error) {
				const printed = `${(error as { stdout?: string }).stdout ?? ''}\n${(error as { stderr?: string }).stderr ?? ''}`;
				// The run data is long: keep the lines that say what went wrong.
				const reason = [...new Set(printed.split('\n').filter((line) => /"(message|description)":|Error|error:/.test(line)).map((line) => line.trim()))]
					.slice(0, 8)
					.join('\n        ');
				throw new Error(`n8n execute of ${key} failed: ${reason}`);
			}
			const run = parseExecuteOutput(stdout);
			const runData = run.data.resultData.runData;
			const output = (node: string) => {
				const task = runData[node]?.[0];
				if (task?.error) throw new Error(`${node} failed: ${task.error.message}`);
				return (task?.data?.main?.[0] ?? []).map((item) => item.json);
			};
			return { run, output };
		};

		const ca = makeCertificate({ ca: true, commonName: `E2E CA ${version}` });
		await check('lifecycle: upload, activate in the organization and a project, get with details, rename', async () => {
			await importWorkflow('lifecycle', chain('E2E lifecycle', [
				ours('Upload', { resource: 'certificate', operation: 'upload', certificate: ca.pem, name: 'E2E CA' }),
				ours('Activate', { resource: 'certificate', operation: 'activate', certificateIds: "={{ $('Upload').item.json.id }}" }),
				ours('Activate In Project', { resource: 'projectCertificate', operation: 'activate', projectId: { __rl: true, mode: 'id', value: 'proj_web' }, certificateIds: "={{ $('Upload').item.json.id }}" }),
				ours('Get', { resource: 'certificate', operation: 'get', certificateId: { __rl: true, mode: 'id', value: "={{ $('Upload').item.json.id }}" }, options: { includeDetails: true } }),
				ours('Rename', { resource: 'certificate', operation: 'update', certificateId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, name: 'E2E CA (renamed)' }),
			]));
			const { output } = await execute('lifecycle');
			const id = output('Upload')[0].id as string;
			assert.equal(organization.certificates.get(id)?.content, ca.pem);
			assert.deepEqual(organization.whereActive(id), ['organization', 'proj_web']);
			assert.equal((output('Get')[0].details as Record<string, unknown>).isCA, true);
			assert.equal(output('Rename')[0].name, 'E2E CA (renamed)');
		});

		await check('errors: a missing certificate fails with the fix in the description; the key appears nowhere', async () => {
			await importWorkflow('missing', chain('E2E missing', [ours('Delete', { resource: 'certificate', operation: 'delete', certificateId: { __rl: true, mode: 'id', value: 'cert_missing' } })]));
			let stdout = '';
			try {
				stdout = await app!.cli(['execute', `--id=${workflowIds.missing}`, '--rawOutput']);
			} catch (error) {
				stdout = (error as Error).message;
			}
			assert.match(stdout, /No certificate found with id 'cert_missing'/);
			assert.doesNotMatch(stdout, new RegExp(api!.apiKey));
		});

		await check('examples/scheduled-rotation.json rotates what expires within 30 days', async () => {
			const old = organization.addCertificate({ name: 'Payments CA', expires_at: now() + 9 * DAY, activeInOrganization: true, activeInProjects: ['proj_batch'] });
			const renewed = makeCertificate({ ca: true, commonName: 'Payments CA 2027' }).pem;
			pkiServer = require('node:http').createServer((_request: unknown, response: import('node:http').ServerResponse) => response.end(renewed));
			const pkiPort = await freePort();
			await new Promise<void>((resolve) => pkiServer!.listen(pkiPort, '127.0.0.1', resolve));
			const workflow = withManualStart(example('scheduled-rotation.json'), 'Every day at 06:00');
			const download = workflow.nodes.find((node) => node.name === 'Download the renewed CA')!;
			download.parameters.url = String(download.parameters.url).replace('https://pki.example.com', `http://127.0.0.1:${pkiPort}`);
			await importWorkflow('rotation', workflow);
			const { output } = await execute('rotation');
			const rotation = output('Rotate').find((item) => item.oldCertificateId === old.id)!;
			assert.deepEqual(rotation.activatedIn, ['organization', 'proj_batch']);
			assert.equal(organization.certificates.has(old.id), false);
			assert.deepEqual(organization.whereActive(rotation.newCertificateId as string), ['organization', 'proj_batch']);
		});

		await check('n8n start: the cleanup webhook deletes expired certificates, and the activated trigger fires once per expiring certificate', async () => {
			const expired = organization.addCertificate({ name: 'Expired CA', expires_at: now() - DAY, activeInOrganization: true, activeInProjects: ['proj_web'] });
			const healthy = organization.addCertificate({ name: 'Healthy CA', expires_at: now() + 300 * DAY, activeInOrganization: true });
			const soon = organization.addCertificate({ name: 'Soon CA', expires_at: now() + 3 * DAY });

			// The cleanup job as shipped (its webhook), and the alert job polling every minute with an observer node.
			const shipped = example('expiry-alert-and-cleanup.json');
			const cleanupNodes = ['Every day at 07:00', 'Cleanup requested', 'Find expired certificates', 'Delete expired certificates'];
			await importWorkflow('cleanup', subset(shipped, cleanupNodes, 'OpenAI certificates: cleanup (e2e)'));
			const alerts: Array<Record<string, unknown>> = [];
			collector = require('node:http').createServer((request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
				let body = '';
				request.on('data', (chunk: Buffer) => (body += chunk));
				request.on('end', () => {
					alerts.push(JSON.parse(body));
					response.end('{}');
				});
			});
			const collectorPort = await freePort();
			await new Promise<void>((resolve) => collector!.listen(collectorPort, '127.0.0.1', resolve));
			const alert = subset(shipped, ['Certificate expiring soon', 'Compose alert', 'Send alert (replace with Slack or email)'], 'OpenAI certificates: alert (e2e)');
			alert.nodes.find((node) => node.name === 'Certificate expiring soon')!.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
			alert.nodes.push({
				id: 'observer', name: 'Observer', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [660, 0],
				parameters: { method: 'POST', url: `http://127.0.0.1:${collectorPort}/alert`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
			});
			alert.connections['Send alert (replace with Slack or email)'] = { main: [[{ node: 'Observer', type: 'main', index: 0 }]] };
			await importWorkflow('alert', alert);
			for (const key of ['cleanup', 'alert']) {
				if (version.startsWith('1.')) await app!.cli(['update:workflow', `--id=${workflowIds[key]}`, '--active=true']);
				else await app!.cli(['publish:workflow', `--id=${workflowIds[key]}`]);
			}

			const port = await freePort();
			await app!.start(port);
			// n8n activates published workflows after the editor is up: wait until the webhook is registered.
			let response = await fetch(`http://127.0.0.1:${port}/webhook/openai-certificates-cleanup`, { method: 'POST' });
			for (let waited = 0; response.status === 404 && waited < 90; waited++) {
				await new Promise((resolve) => setTimeout(resolve, 1000));
				response = await fetch(`http://127.0.0.1:${port}/webhook/openai-certificates-cleanup`, { method: 'POST' });
			}
			const text = await response.text();
			assert.equal(response.status, 200, `${text}\n--- n8n printed:\n${app!.output().slice(-4000)}`);
			const body = JSON.parse(text) as Array<Record<string, unknown>>;
			assert.ok(body.some((item) => item.id === expired.id && item.object === 'certificate.deleted'), JSON.stringify(body));
			assert.equal(organization.certificates.has(expired.id), false);
			assert.deepEqual(organization.whereActive(healthy.id), ['organization']);

			// The poll runs at the next whole minute (and again a minute later): each expiring certificate alerts once.
			for (let waited = 0; alerts.length === 0 && waited < 75; waited++) await new Promise((resolve) => setTimeout(resolve, 1000));
			const firstPolls = api!.log.filter((request) => request.path === '/v1/organization/certificates' && request.query.order === 'asc').length;
			for (let waited = 0; waited < 70 && api!.log.filter((request) => request.path === '/v1/organization/certificates' && request.query.order === 'asc').length <= firstPolls; waited++) {
				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
			assert.deepEqual(alerts.map((item) => item.certificateId).filter((id) => id === soon.id), [soon.id], JSON.stringify(alerts));
		});
	} catch (error) {
		fail(`setting up n8n ${version}`, error);
	} finally {
		await app?.stopAll();
		pkiServer?.close();
		collector?.close();
		await api?.close();
	}
}

async function main() {
	for (const version of versions) await suite(version);
	finish();
}

void main();
