import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { parse } from 'flatted';

import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort } from '../../sandbox/n8nApp';
import { callWebhook } from './workflows';

/**
 * One running n8n (`n8n start`) shared by a suite's checks: each check has its own workflows and credential
 * (and its own fake Admin API), activates them and runs them through their webhooks, and reads what every
 * node output from the execution n8n saved — through the REST API the editor uses, signed in as the owner.
 * One app start per suite instead of an `n8n execute` (a start of n8n) per run.
 */

const OWNER = {
	email: 'owner@e2e.check',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-owner-password-1',
};

type Json = Record<string, unknown>;
type TaskData = {
	data?: { main: Array<Array<{ json: Json }> | null> };
	error?: { message: string; description?: string };
};
/** A finished execution as n8n saved it: its status, its run data, and the whole of it as read (for "appears nowhere"). */
export interface Execution {
	id: string;
	status: string;
	runData: Record<string, TaskData[]>;
	/** What node `name` output on its first run (its first output); throws if the node failed. */
	output(name: string): Json[];
	/** The execution as n8n's REST API returned it, unparsed. */
	text: string;
	/** What the webhook that started it answered. */
	answer: { status: number; text: string };
}

/** A check staged before the suite's one app start (its workflows and credential imported with the others), run in that app. */
export interface PreparedCheck {
	name: string;
	run(running: RunningApp): Promise<void>;
}

export interface RunningApp {
	base: string;
	/** The `n8n start` process. */
	child: ChildProcess;
	/** The owner it is signed in as (the editor checks sign in with it too). */
	owner: { email: string; password: string };
	/** Activates a workflow (its triggers and webhooks) as the editor's toggle does. */
	activate(workflowId: string): Promise<void>;
	/** POSTs to the workflow's production webhook and returns its execution once n8n has saved it finished. */
	run(workflowId: string, webhookPath: string): Promise<Execution>;
}

/** Starts the app (`n8n start`), sets up its owner and signs in. */
export async function startRunning(app: N8nApp, env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
	const port = await freePort();
	const child = await app.start(port, env);
	const base = `http://127.0.0.1:${port}`;
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	assert.ok(setup.ok, `owner setup answered ${setup.status}: ${await setup.text()}`);
	const cookie = setup.headers
		.getSetCookie()
		.map((line) => line.split(';')[0])
		.join('; ');
	assert.match(cookie, /n8n-auth=/, 'owner setup set no n8n-auth cookie');

	const rest = async (
		path: string,
		init: RequestInit = {},
	): Promise<{ text: string; data: Json }> => {
		const response = await fetch(`${base}/rest/${path}`, {
			...init,
			headers: { cookie, 'Content-Type': 'application/json', ...init.headers },
		});
		const text = await response.text();
		assert.ok(
			response.ok,
			`${init.method ?? 'GET'} /rest/${path} answered ${response.status}: ${text}`,
		);
		return { text, data: (JSON.parse(text) as { data: Json }).data };
	};
	const executionIds = async (
		workflowId: string,
	): Promise<Array<{ id: string; status: string }>> => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const { data } = await rest(`executions?filter=${filter}&limit=50`);
		return (data.results as Array<{ id: string; status: string }>).map(({ id, status }) => ({
			id: String(id),
			status,
		}));
	};
	const FINISHED = ['success', 'error', 'crashed', 'canceled'];
	const readExecution = async (id: string): Promise<Omit<Execution, 'answer'>> => {
		const { data, text } = await rest(`executions/${id}`);
		const saved = parse(data.data as string) as {
			resultData: { runData: Record<string, TaskData[]> };
		};
		const runData = saved.resultData.runData;
		return {
			id,
			status: String(data.status),
			runData,
			text,
			output(name) {
				const task = runData[name]?.[0];
				if (task?.error) throw new Error(`${name} failed: ${task.error.message}`);
				return (task?.data?.main?.[0] ?? []).map((item) => item.json);
			},
		};
	};

	return {
		base,
		child,
		owner: OWNER,
		async activate(workflowId) {
			const { data } = await rest(`workflows/${workflowId}`);
			await rest(`workflows/${workflowId}/activate`, {
				method: 'POST',
				body: JSON.stringify({ versionId: data.versionId }),
			});
		},
		async run(workflowId, webhookPath) {
			const before = new Set((await executionIds(workflowId)).map((execution) => execution.id));
			const response = await callWebhook(base, `webhook/${webhookPath}`);
			const answer = await response.text();
			for (let waited = 0; waited < 300; waited++) {
				const done = (await executionIds(workflowId)).find(
					(execution) => !before.has(execution.id) && FINISHED.includes(execution.status),
				);
				if (done)
					return {
						...(await readExecution(done.id)),
						answer: { status: response.status, text: answer },
					};
				await pause(200);
			}
			throw new Error(
				`no finished execution of ${workflowId} after its webhook answered ${response.status}: ${answer}`,
			);
		},
	};
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
