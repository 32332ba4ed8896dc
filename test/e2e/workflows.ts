import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROTATION_JOB_PLACEHOLDER } from '../../sandbox/examples';
import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort, PACKAGE_TYPE, ROOT } from '../../sandbox/n8nApp';
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

/** `n8n execute` starts at a manual trigger: add one wired like the given trigger, leaving the rest as shipped. */
export function withManualStart(workflow: WorkflowJson, like: string): WorkflowJson {
	const manual = manualTrigger({ id: 'e2e-manual', name: 'Run from the CLI', position: [0, -200] });
	return {
		...workflow,
		nodes: [...workflow.nodes, manual],
		connections: { ...workflow.connections, [manual.name]: workflow.connections[like] },
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

/**
 * Imports the credential for the fake Admin API and returns a workflow importer that assigns stable IDs:
 * `workflow` imports (and activates) one at once; `stage` writes one for the next `flush`, which imports all
 * staged ones in one `import:workflow --separate` (each n8n CLI command is a start of n8n: seconds).
 */
export async function importInto(app: N8nApp, api: { apiKey: string; baseUrl: string }) {
	const files = join(app.userFolder, 'import');
	const batch = join(files, 'batch');
	mkdirSync(batch, { recursive: true });
	writeFileSync(
		join(files, 'credentials.json'),
		JSON.stringify([
			{ ...CREDENTIAL, type: 'openAiAdminApi', data: { apiKey: api.apiKey, baseUrl: api.baseUrl } },
		]),
	);
	await app.cli(['import:credentials', `--input=${join(files, 'credentials.json')}`]);
	const ids: Record<string, string> = {};
	const toActivate: string[] = [];
	const stage = async (
		key: string,
		workflow: WorkflowJson,
		{ activate = false } = {},
	): Promise<string> => {
		const id = `e2e${key.replace(/[^a-zA-Z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);
		ids[key] = id;
		writeFileSync(join(batch, `${key}.json`), JSON.stringify({ ...workflow, id, active: false }));
		if (activate) toActivate.push(id);
		return id;
	};
	const flush = async (): Promise<void> => {
		await app.cli(['import:workflow', '--separate', `--input=${batch}`]);
		rmSync(batch, { recursive: true });
		mkdirSync(batch);
		for (const id of toActivate.splice(0)) {
			if (app.version.startsWith('1.'))
				await app.cli(['update:workflow', `--id=${id}`, '--active=true']);
			else await app.cli(['publish:workflow', `--id=${id}`]);
		}
	};
	return {
		ids,
		stage,
		flush,
		async workflow(key: string, workflow: WorkflowJson, options = {}): Promise<string> {
			const id = await stage(key, workflow, options);
			await flush();
			return id;
		},
	};
}

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
