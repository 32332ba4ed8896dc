import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROTATION_JOB_PLACEHOLDER } from '../../sandbox/examples';
import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort } from '../../sandbox/n8nApp';
import { PACKAGE_TYPE, ROOT } from '../../sandbox/appInstall';
import type { SandboxAdminClient } from '../../sandbox/seed';
import { sandboxCredentialData } from '../../sandbox/seed';
import type { FakeAdminApi } from '../../sandbox/server';
import { manualTrigger, workflowNode } from '../harness/workflowNode';

/** Workflow JSON for the app-level suites: the shipped examples, cut and wired for a headless run. */

export const CREDENTIAL = { id: 'openai-admin-api', name: 'OpenAI Admin API' };

export type Node = {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	[key: string]: unknown;
};
export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Node[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: string; index: number }>> }
	>;
	[key: string]: unknown;
}

export function example(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
}

/**
 * A running app starts a workflow at a webhook: add one at `path` wired like the given trigger (answering
 * when the last node is done), leaving the rest as shipped. `RunningApp.run` calls it.
 */
export function withWebhookStart(workflow: WorkflowJson, like: string, path: string): WorkflowJson {
	const webhook: Node = {
		id: 'e2e-webhook',
		name: 'Run from the e2e suite',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, -200],
		webhookId: path,
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
	};
	return {
		...workflow,
		nodes: [...workflow.nodes, webhook],
		connections: { ...workflow.connections, [webhook.name]: workflow.connections[like] },
	};
}

/** Some nodes of a shipped workflow, with their connections, as a workflow of its own. */
export function subset(workflow: WorkflowJson, names: string[], name: string): WorkflowJson {
	return {
		...workflow,
		name,
		nodes: workflow.nodes.filter((node) => names.includes(node.name)),
		connections: Object.fromEntries(
			Object.entries(workflow.connections).filter(([source]) => names.includes(source)),
		),
	};
}

export function ours(name: string, parameters: Record<string, unknown>): Node {
	return workflowNode({
		name,
		type: `${PACKAGE_TYPE}.openAiCertificates`,
		parameters,
		credentials: { openAiAdminApi: CREDENTIAL },
	});
}

/** A manual trigger followed by the given nodes, each feeding the next. */
export function chain(name: string, nodes: Node[]): WorkflowJson {
	const manual: Node = manualTrigger({ id: 'm', name: 'Start' });
	const all = [manual, ...nodes];
	const connections: WorkflowJson['connections'] = {};
	all.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] };
	});
	return {
		name,
		nodes: all.map((node, index) => ({ ...node, position: [index * 220, 0] })),
		connections,
		settings: { executionOrder: 'v1' },
	};
}

export const CLEANUP_WEBHOOK = 'webhook/openai-certificates-cleanup';

/** The cleanup job of examples/expiry-alert-and-cleanup.json as shipped: its schedule, its webhook and its two nodes. */
export function cleanupWorkflow(): WorkflowJson {
	const names = [
		'Every day at 07:00',
		'Cleanup requested',
		'Find expired certificates',
		'Delete expired certificates',
	];
	return subset(
		example('expiry-alert-and-cleanup.json'),
		names,
		'OpenAI certificates: cleanup (e2e)',
	);
}

/**
 * The alert job of the same example, polling every few seconds (`pollEverySeconds`), with an observer node
 * after the shipped "Send alert" placeholder that posts each alert to `observerUrl`.
 */
export function alertWorkflow(observerUrl: string): WorkflowJson {
	const names = [
		'Certificate expiring soon',
		'Compose alert',
		'Send alert (replace with Slack or email)',
	];
	const alert = subset(
		example('expiry-alert-and-cleanup.json'),
		names,
		'OpenAI certificates: alert (e2e)',
	);
	alert.nodes.find((node) => node.name === 'Certificate expiring soon')!.parameters.pollTimes =
		pollEverySeconds(POLL_SECONDS);
	return withObserver(alert, 'Send alert (replace with Slack or email)', observerUrl);
}

/** How often the app-level suites' triggers poll. */
export const POLL_SECONDS = 5;

/**
 * Poll times for a trigger that polls every `seconds`: one custom cron per second of the minute it fires at
 * (`0 * * * * *`, `5 * * * * *`, …), as a user adds several poll times in the editor. n8n refuses a single
 * cron that fires more than once a minute (2.x: anything but one number in the seconds field, a list too;
 * 1.x: a `*` there) with "The polling interval is too short", but each of these fires once a minute.
 */
export function pollEverySeconds(seconds: number): { item: Array<Record<string, string>> } {
	return {
		item: Array.from({ length: 60 / seconds }, (_, index) => ({
			mode: 'custom',
			cronExpression: `${index * seconds} * * * * *`,
		})),
	};
}

/**
 * examples/certificate-change-alert.json as a user sets it up (the placeholder replaced by the rotation job's
 * key ID; it polls every minute, here every few seconds), with an observer node after its "Send alert" placeholder.
 */
export function changeAlertWorkflow(observerUrl: string, rotationJobKeyId: string): WorkflowJson {
	const text = JSON.stringify(example('certificate-change-alert.json'));
	if (!text.includes(ROTATION_JOB_PLACEHOLDER))
		throw new Error(`examples/certificate-change-alert.json lost ${ROTATION_JOB_PLACEHOLDER}`);
	const workflow = JSON.parse(
		text.split(ROTATION_JOB_PLACEHOLDER).join(rotationJobKeyId),
	) as WorkflowJson;
	workflow.nodes.find((node) => node.type.endsWith('Trigger'))!.parameters.pollTimes =
		pollEverySeconds(POLL_SECONDS);
	return withObserver(
		{ ...workflow, name: 'OpenAI certificates: change alert (e2e)' },
		'Send alert (replace with Slack or email)',
		observerUrl,
	);
}

/** The workflow with an HTTP Request node after `after` that posts each item it gets to `observerUrl`. */
function withObserver(workflow: WorkflowJson, after: string, observerUrl: string): WorkflowJson {
	workflow.nodes.push({
		id: 'observer',
		name: 'Observer',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [660, 0],
		parameters: {
			method: 'POST',
			url: observerUrl,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
			options: {},
		},
	});
	workflow.connections[after] = { main: [[{ node: 'Observer', type: 'main', index: 0 }]] };
	return workflow;
}

/** An HTTP server on 127.0.0.1 that records every JSON body posted to it. */
export async function startCollector(): Promise<{
	url: string;
	received: Array<Record<string, unknown>>;
	server: Server;
}> {
	const received: Array<Record<string, unknown>> = [];
	const server = createServer((request: IncomingMessage, response: ServerResponse) => {
		let body = '';
		request.setEncoding('utf8');
		request.on('data', (chunk: string) => (body += chunk));
		request.on('end', () => {
			received.push(JSON.parse(body));
			response.end('{}');
		});
	});
	const port = await freePort();
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${port}/alert`, received, server };
}

type Credential = { id: string; name: string };
/** A check's fake Admin API; `adminClient` when its organization enforces mTLS (seedAdminAccess). */
export type AdminApi = Pick<FakeAdminApi, 'apiKey' | 'baseUrl' | 'mtls'> & {
	adminClient?: SandboxAdminClient;
};

/** One Admin API call as another client would send it: through the mTLS host with the admin client when enforced. */
export async function callAdminApi(
	api: AdminApi,
	method: string,
	path: string,
	body: unknown,
	key = api.apiKey,
): Promise<{ status: number; text: string }> {
	const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
	if (!api.adminClient) {
		const response = await fetch(`${api.baseUrl}${path}`, {
			method,
			headers,
			body: JSON.stringify(body),
		});
		return { status: response.status, text: await response.text() };
	}
	const client = api.adminClient;
	return await new Promise((resolve, reject) => {
		const request = httpsRequest(
			new URL(`${api.mtls.baseUrl}${path}`),
			{
				method,
				headers,
				cert: client.certificate,
				key: client.privateKey,
				ca: api.mtls.serverCertificatePem,
			},
			(response) => {
				let text = '';
				response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
				response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
			},
		);
		request.on('error', reject);
		request.end(JSON.stringify(body));
	});
}

/** The OpenAI Admin API credential's data for a check's fake: its mTLS host with the admin client, or its plain host. */
export function adminCredentialData(admin: AdminApi, apiKey = admin.apiKey) {
	return admin.adminClient
		? sandboxCredentialData(admin, admin.adminClient, apiKey)
		: { apiKey, host: 'custom', baseUrl: admin.baseUrl };
}

/**
 * Stages credentials and workflows for one app and imports them together (each n8n CLI command is a start of
 * n8n: seconds): `flush` runs one `import:credentials` and one `import:workflow --separate` for all staged.
 * `importInto(app, api)` stages the credential `CREDENTIAL` for `api`; `credential(key, api)` stages one of a
 * check's own (its own fake Admin API), which `stage(…, { credential })` puts on every node of ours. Workflows
 * get stable IDs (`ids`: from the key, or the `id` given); those staged with `activate` are activated in the running app by `activateIn`.
 */
export async function importInto(app: N8nApp, api?: AdminApi) {
	const files = join(app.userFolder, 'import');
	const batch = join(files, 'batch');
	mkdirSync(batch, { recursive: true });
	const credentials: Array<Record<string, unknown>> = [];
	const ids: Record<string, string> = {};
	const toActivate: string[] = [];
	const stageCredential = (credential: Credential & { type: string; data: unknown }) => {
		credentials.push(credential);
		return { id: credential.id, name: credential.name };
	};
	const credential = (key: string, admin: AdminApi): Credential =>
		stageCredential({
			id: `e2e-admin-${key}`.slice(0, 36),
			name: `OpenAI Admin API (${key})`,
			type: 'openAiAdminApi',
			data: adminCredentialData(admin),
		});
	if (api)
		stageCredential({ ...CREDENTIAL, type: 'openAiAdminApi', data: adminCredentialData(api) });
	const stage = async (
		key: string,
		workflow: { nodes: Array<Record<string, unknown>>; [key: string]: unknown },
		{
			activate = false,
			credential,
			id = `e2e${key.replace(/[^a-zA-Z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16),
		}: { activate?: boolean; credential?: Credential; id?: string } = {},
	): Promise<string> => {
		ids[key] = id;
		const nodes = workflow.nodes.map((node) =>
			credential && (node.credentials as { openAiAdminApi?: unknown } | undefined)?.openAiAdminApi
				? { ...node, credentials: { ...(node.credentials as object), openAiAdminApi: credential } }
				: node,
		);
		writeFileSync(
			join(batch, `${key}.json`),
			JSON.stringify({ ...workflow, nodes, id, active: false }),
		);
		if (activate) toActivate.push(id);
		return id;
	};
	const flush = async (): Promise<void> => {
		if (credentials.length) {
			writeFileSync(join(files, 'credentials.json'), JSON.stringify(credentials.splice(0)));
			await app.cli(['import:credentials', `--input=${join(files, 'credentials.json')}`]);
		}
		if (readdirSync(batch).length)
			await app.cli(['import:workflow', '--separate', `--input=${batch}`]);
		rmSync(batch, { recursive: true });
		mkdirSync(batch);
	};
	return {
		ids,
		credential,
		stageCredential,
		stage,
		flush,
		async workflow(key: string, workflow: WorkflowJson, options = {}): Promise<string> {
			const id = await stage(key, workflow, options);
			await flush();
			return id;
		},
		/** Activates the workflows staged with `activate` in the running app, as the editor's toggle does. */
		async activateIn(running: { activate(workflowId: string): Promise<void> }): Promise<void> {
			for (const id of toActivate.splice(0)) await running.activate(id);
		},
	};
}
export type Imports = Awaited<ReturnType<typeof importInto>>;

/** n8n registers the webhooks of active workflows after the editor is up: POST until it is no longer 404. */
export async function callWebhook(baseUrl: string, path: string): Promise<Response> {
	let response = await fetch(`${baseUrl}/${path}`, { method: 'POST' });
	for (let waited = 0; response.status === 404 && waited < 90; waited++) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		response = await fetch(`${baseUrl}/${path}`, { method: 'POST' });
	}
	return response;
}

/**
 * The alert trigger polls when it is activated and then every few seconds: waits for the first alert, then
 * for one more poll (and for an execution that poll may have started to finish). Returns whether it polled again.
 */
export async function waitForTwoPolls(
	api: { log: Array<{ path: string; query: Record<string, unknown> }> },
	alerts: unknown[],
): Promise<boolean> {
	const polls = () =>
		api.log.filter(
			(request) =>
				request.path === '/v1/organization/certificates' && request.query.order === 'asc',
		).length;
	const second = () => new Promise((resolve) => setTimeout(resolve, 1000));
	for (let waited = 0; alerts.length === 0 && waited < 75; waited++) await second();
	const firstPolls = polls();
	for (let waited = 0; waited < 70 && polls() <= firstPolls; waited++) await second();
	await new Promise((resolve) => setTimeout(resolve, 5000));
	return polls() > firstPolls;
}
