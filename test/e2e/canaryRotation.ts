/**
 * Rotate with a canary in the real n8n app: verification through the sandbox's mTLS host with the OpenAI mTLS
 * Client API credential, and a rotation whose n8n process is killed (SIGKILL) mid-way and then run again, with
 * probe clients of the old and the new CA calling the mTLS host in every scope at every state it goes through.
 * On n8n 1.x the HTTP helper cannot present the client certificate: verification is refused, undone, and the
 * error says why.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi, LoggedRequest } from '../../sandbox/server';
import type { N8nApp } from '../../sandbox/n8nApp';
import { parseExecuteOutput } from '../../sandbox/n8nApp';
import { manualTrigger } from '../harness/workflowNode';
import { lastMoment, watchTraffic } from '../support/trafficProbe';
import type { PreparedCheck, RunningApp } from './runningApp';
import type { Imports, WorkflowJson } from './workflows';
import { callWebhook, ours } from './workflows';

const MTLS_CREDENTIAL = { id: 'e2e-canary-mtls-client', name: 'OpenAI mTLS Client API (canary)' };
const WEBHOOK = 'openai-certificates-rotate-e2e';

type Credential = { id: string; name: string };
type Step = { step: string; place?: string; status: string };

/** Manual trigger and webhook, both feeding one Rotate with a canary and the mTLS client credential. */
function rotationWorkflow(
	name: string,
	rotateParameters: Record<string, unknown>,
	admin: Credential,
	mtls: Credential,
): WorkflowJson {
	const rotate = {
		...ours('Rotate', rotateParameters),
		position: [440, 0],
		credentials: { openAiAdminApi: admin, openAiMtlsClientApi: mtls },
	};
	const into = { main: [[{ node: 'Rotate', type: 'main', index: 0 }]] };
	return {
		name,
		nodes: [
			manualTrigger({ id: 'm', name: 'Start' }),
			{
				id: 'w',
				name: 'Rotation requested',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 200],
				webhookId: WEBHOOK,
				parameters: { httpMethod: 'POST', path: WEBHOOK, options: {} },
			},
			rotate,
		],
		connections: { Start: into, 'Rotation requested': into },
		settings: { executionOrder: 'v1' },
	};
}

async function waitFor<T>(what: string, probe: () => T | undefined, seconds = 120): Promise<T> {
	for (let waited = 0; waited < seconds * 10; waited++) {
		const found = probe();
		if (found !== undefined) return found;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

type Context = {
	app: N8nApp;
	api: FakeAdminApi;
	id: string;
	old: { id: string };
	oldCa: ReturnType<typeof makeCertificate>;
	newCa: ReturnType<typeof makeCertificate>;
	copies: () => string[];
};

/**
 * Stages the canary check (its credentials, its organization's old CA, its workflow) for the suite's one app
 * start, and returns it to run in that app; `env` is for that start (1.x: the sandbox host's CA trusted).
 */
export async function prepareCanaryRotation(
	app: N8nApp,
	api: FakeAdminApi,
	imports: Imports,
): Promise<PreparedCheck & { env: NodeJS.ProcessEnv }> {
	const organization = api.organization;
	const version = app.version;
	const oldCa = makeCertificate({ ca: true, commonName: `Canary old CA ${version}` });
	const newCa = makeCertificate({ ca: true, commonName: `Canary new CA ${version}` });
	const client = makeCertificate({ commonName: `canary-workload ${version}`, issuer: newCa });
	const data = {
		clientCertificate: client.pem,
		privateKey: client.keyPem,
		passphrase: '',
		apiKey: api.mtls.projectKey('proj_web'),
		serverCa: api.mtls.serverCertificatePem,
		host: 'custom',
		baseUrl: api.mtls.baseUrl,
	};
	const mtls = imports.stageCredential({ ...MTLS_CREDENTIAL, type: 'openAiMtlsClientApi', data });
	const admin = imports.credential('canary', api);
	const old = organization.addCertificate({
		name: 'Canary old CA',
		content: oldCa.pem,
		activeInProjects: ['proj_web', 'proj_batch'],
	});
	const parameters = {
		resource: 'certificate',
		operation: 'rotate',
		certificateId: { __rl: true, mode: 'id', value: old.id },
		certificate: newCa.pem,
		name: 'Canary new CA',
		canaryProject: { __rl: true, mode: 'id', value: 'proj_web' },
		options: { deleteOld: true },
	};
	const copies = () =>
		[...organization.certificates.values()]
			.filter((certificate) => certificate.content === newCa.pem)
			.map((certificate) => certificate.id);
	const context = (id: string): Context => ({ app, api, id, old, oldCa, newCa, copies });

	if (version.startsWith('1.')) {
		const id = await imports.stage(
			'canary1x',
			rotationWorkflow('E2E canary (1.x)', parameters, admin, mtls),
			{ activate: true },
		);
		// n8n 1.x ignores the credential's Server CA too: trust the sandbox host as OpenAI's public one would be.
		const serverCa = join(app.userFolder, 'mtls-server-ca.pem');
		writeFileSync(serverCa, api.mtls.serverCertificatePem);
		return {
			name: 'n8n 1.x: canary verification is refused (no client certificate presented), undone, and the error says why',
			env: { NODE_EXTRA_CA_CERTS: serverCa },
			run: (running) => refusedOn1x(running, context(id)),
		};
	}
	const id = await imports.stage(
		'canary',
		rotationWorkflow('E2E canary', parameters, admin, mtls),
		{ activate: true },
	);
	return {
		name: 'n8n 2.x: Rotate verifies its canary through the mTLS host; n8n killed mid-rotation, run again, it converges; in every scope at every state a client of the old or the new CA got through',
		env: {},
		run: (running) => killedAndRunAgain(running, context(id)),
	};
}

/** n8n 1.x's HTTP helper presents no client certificate: the canary is refused, the rotation undone. */
async function refusedOn1x(
	running: RunningApp,
	{ app, api, id, old, copies }: Context,
): Promise<void> {
	const organization = api.organization;
	const execution = await running.run(id, WEBHOOK);
	assert.equal(execution.status, 'error');
	const printed = `${execution.text}\n${app.output()}`;
	assert.match(execution.text, /did not accept the canary request in project proj_web/);
	assert.match(execution.text, /n8n 1\.x's HTTP helpers ignore client certificates/);
	assert.doesNotMatch(printed, /PRIVATE KEY/);
	const refused = api.mtls.log.at(-1);
	assert.deepEqual(
		[refused?.projectId, refused?.clientSubject, refused?.code],
		['proj_web', undefined, 'certificate_required'],
	);
	assert.equal(copies().length, 1);
	assert.deepEqual(organization.whereActive(copies()[0]), []);
	assert.deepEqual(organization.whereActive(old.id), ['proj_web', 'proj_batch']);
}

/**
 * n8n 2.x: the rotation started through the running app's webhook, that app killed (SIGKILL) mid-way, and run
 * again with `n8n execute` (a new process, as a restarted job would be); traffic probed at every state.
 */
async function killedAndRunAgain(
	running: RunningApp,
	{ app, api, id, old, oldCa, newCa, copies }: Context,
): Promise<void> {
	const organization = api.organization;
	const version = app.version;
	// Here the old CA is in force for the organization too: every project is affected (proj_internal has
	// no old CA of its own, it shows the organization's scope). Workloads of the old CA and of the new one
	// keep calling the mTLS host in each, probed at every state the real app's rotation goes through
	// (before each Admin API write, after the last).
	organization.activeInOrganization.add(old.id);
	const probeClient = (issuer: typeof oldCa, name: string) => {
		const made = makeCertificate({ commonName: `${name} ${version}`, issuer });
		return { certificatePem: made.pem, keyPem: made.keyPem };
	};
	const scopes = ['proj_web', 'proj_batch', 'proj_internal'];
	const traffic = watchTraffic(api, scopes, {
		old: probeClient(oldCa, 'probe-old-ca'),
		new: probeClient(newCa, 'probe-new-ca'),
	});
	const logStart = api.log.length;
	// Hold the deactivation of the old CA in the canary, and kill n8n while it is in flight.
	const held = (request: LoggedRequest) =>
		request.method === 'POST' &&
		request.path === '/v1/organization/projects/proj_web/certificates/deactivate';
	api.faults.push({ kind: 'slow', delayMs: 6000, match: held });
	const response = await callWebhook(running.base, `webhook/${WEBHOOK}`);
	assert.equal(response.status, 200);
	const inFlight = await waitFor('the held deactivation', () => api.log.find(held));
	// Rotate deactivates the old CA in several places at once (8 at a time): the kill comes once the
	// deactivation sent beside the held one (proj_batch) is answered, so the killed run stops at one state.
	await waitFor('the deactivation in proj_batch', () =>
		api.log.find(
			(request) =>
				request.method === 'POST' &&
				request.path === '/v1/organization/projects/proj_batch/certificates/deactivate' &&
				request.status === 200,
		),
	);
	process.kill(-running.child.pid!, 'SIGKILL');
	await waitFor(
		'n8n to die',
		() => (running.child.exitCode !== null || running.child.signalCode !== null ? true : undefined),
		30,
	);
	await waitFor('the held deactivation to land', () => inFlight.status, 30);
	const verifications = () =>
		api.mtls.log.filter(
			(entry) =>
				entry.projectId === 'proj_web' &&
				entry.clientSubject?.includes(`canary-workload ${version}`),
		);
	assert.deepEqual(
		verifications().map((entry) => entry.status),
		[200],
	);
	assert.ok(
		organization.certificates.has(old.id),
		'the killed run must not have got to the delete',
	);

	const run = parseExecuteOutput(await app.cli(['execute', `--id=${id}`, '--rawOutput']));
	const steps = run.data.resultData.runData.Rotate[0].data!.main[0]![0].json.steps as Step[];
	assert.deepEqual(
		steps.map((entry) => `${entry.step}${entry.place ? ` ${entry.place}` : ''}: ${entry.status}`),
		[
			'upload: found done',
			'activate proj_web: found done',
			'verify proj_web: done',
			'activate organization: found done',
			'activate proj_batch: found done',
			'deactivate organization: found done',
			// Sent beside the held one and answered before the kill. The old one's deactivation in the canary
			// landed after the kill; no longer active there, it is no step.
			'deactivate proj_batch: found done',
			'delete: done',
		],
	);
	assert.equal(copies().length, 1);
	assert.deepEqual(organization.whereActive(copies()[0]), [
		'organization',
		'proj_web',
		'proj_batch',
	]);
	assert.equal(organization.certificates.has(old.id), false);
	// Both verifications came from the real app with the client certificate of the new CA.
	assert.deepEqual(
		verifications().map((entry) => entry.status),
		[200, 200],
	);
	// What the rotation did to traffic, killed run and re-run together.
	const summary = await traffic.finish();
	const writes = api.log.slice(logStart).filter((request) => request.method !== 'GET');
	console.log(
		`    [n8n ${version}] traffic: ${summary.probes} probes over ${summary.moments} states × ${scopes.length} projects; scope-moments with neither client accepted: ${summary.neither.length}, without enforcement: ${summary.unenforced.length}`,
	);
	assert.equal(summary.moments, writes.length + 1);
	assert.deepEqual(summary.neither, []);
	assert.deepEqual(summary.unenforced, []);
	const end = lastMoment(traffic.observed);
	for (const projectId of scopes)
		assert.deepEqual([projectId, end[projectId].new, end[projectId].old], [projectId, true, false]);
	const first = traffic.observed.slice(0, scopes.length);
	assert.deepEqual(
		first.map((row) => [row.projectId, row.old, row.new]),
		scopes.map((projectId) => [projectId, true, false]),
	);
}
