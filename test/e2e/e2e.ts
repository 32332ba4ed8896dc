/**
 * End-to-end: the packed package installed into the real n8n app (2.41.1 on Node 24, 1.123.81 on Node 20)
 * the way a user installs it, against the fake Admin API. Per version n8n starts once (`n8n start`, runningApp.ts)
 * and every check runs in it, each with its own fake Admin API, credential and workflows, started through their
 * webhooks and read back from the executions n8n saved; the canary check ends by killing that app mid-rotation.
 * And (2.x) in queue mode with Redis, PostgreSQL and two workers (queueMode.ts).
 * The suites run two at a time (E2E_LANES, default 2: a suite keeps well under a core busy), each with
 * its own app, user folder and ports; their lines are prefixed with what they run on.
 * Usage: node .cache/run/test/e2e/e2e.js [versions...]. Prints "N passed, N failed".
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer } from 'node:http';

import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';
import { SANDBOX_MTLS_CREDENTIAL, sandboxCopyOfExample } from '../../sandbox/examples';
import { sandboxMtlsCredentialData, seedAdminAccess } from '../../sandbox/seed';
import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort, prepareApp } from '../../sandbox/n8nApp';
import { appInstalled } from '../../sandbox/appInstall';
import { prepareCanaryRotation } from './canaryRotation';
import { prepareChangeAlert } from './changeAlert';
import type { EditorChecks } from './editor';
import { prepareEditorChecks } from './editor';
import { reporter } from './reporter';
import { queueModeSuite } from './queueMode';
import type { PreparedCheck, RunningApp } from './runningApp';
import { startRunning } from './runningApp';
import type { AdminApi, Imports, WorkflowJson } from './workflows';
import {
	adminCredentialData,
	alertWorkflow,
	callWebhook,
	chain,
	CLEANUP_WEBHOOK,
	cleanupWorkflow,
	example,
	importInto,
	ours,
	startCollector,
	waitForTwoPolls,
	withWebhookStart,
} from './workflows';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const versions = process.argv.slice(2).length ? process.argv.slice(2) : ['2.41.1', '1.123.81'];

const { check, fail, finish } = reporter();
type Check = typeof check;
type Fail = typeof fail;

/** The reporter for one suite: its checks named with what they run on, since the suites' lines interleave. */
function on(what: string): { check: Check; fail: Fail } {
	return {
		check: (name, body) => check(`[${what}] ${name}`, body),
		fail: (name, error) => fail(`[${what}] ${name}`, error),
	};
}

/**
 * A fake Admin API of the check's own: its organization has the suites' three projects and its key its name.
 * On n8n 2.x it enforces mTLS for the whole organization, Admin API requests included (help centre), and the
 * check's credential presents the admin client certificate. n8n 1.x cannot present one (its HTTP helper ignores
 * agentOptions): there the organization leaves admin requests alone, and one check proves the node refuses a
 * credential with a client certificate before sending anything.
 */
const enforcing = (version: string) => version.startsWith('2.');

async function organizationFor(check: string, version: string): Promise<FakeAdminApi & AdminApi> {
	const enforced = enforcing(version);
	const api = await startFakeAdminApi({
		apiKey: `sk-admin-e2e-${check}-0123456789abcdefSECRET`,
		adminMtls: enforced,
	});
	for (const id of ['proj_internal', 'proj_web', 'proj_batch']) api.organization.addProject({ id });
	return Object.assign(api, enforced ? { adminClient: seedAdminAccess(api.organization) } : {});
}

/**
 * examples/mtls-chat-completion.json in the real app (2.x): n8n's HTTP Request node with the OpenAI mTLS Client
 * API credential gets a chat completion from the sandbox's mTLS host, presenting the client certificate.
 */
async function mtlsExampleCheck(
	imports: Imports,
	api: FakeAdminApi & AdminApi,
): Promise<PreparedCheck> {
	const client = api.adminClient!;
	const credential = imports.stageCredential({
		id: 'e2e-mtls-chat',
		name: SANDBOX_MTLS_CREDENTIAL.name,
		type: 'openAiMtlsClientApi',
		data: sandboxMtlsCredentialData(api, client, 'proj_web'),
	});
	const copy = sandboxCopyOfExample(
		example('mtls-chat-completion.json'),
		'mtls-chat-completion.json',
		{
			pkiBaseUrl: '',
			mtlsBaseUrl: api.mtls.baseUrl,
		},
	) as WorkflowJson;
	for (const node of copy.nodes)
		if (node.credentials) node.credentials = { openAiMtlsClientApi: credential };
	const id = await imports.stage('mtlsChat', withWebhookStart(copy, 'Run', 'e2e-mtls-chat'), {
		activate: true,
	});
	return {
		name: 'examples/mtls-chat-completion.json: the HTTP Request node gets a chat completion through the mTLS host with the OpenAI mTLS Client API credential',
		async run(running) {
			const execution = await running.run(id, 'e2e-mtls-chat');
			const request = execution.runData['Chat completion through the mTLS host']?.[0];
			assert.equal(execution.status, 'success', JSON.stringify(request?.error ?? execution.answer));
			assert.deepEqual(execution.output('Answer'), [
				{ answer: 'Hello from the sandbox mTLS host.' },
			]);
			const entry = api.mtls.log.find((logged) => logged.path === '/v1/chat/completions');
			assert.equal(entry?.status, 200);
			assert.match(entry?.clientSubject ?? '', /n8n admin client/);
		},
	};
}

/**
 * n8n 1.x and a credential with an admin client certificate: the node refuses before any request and says
 * what to use instead; on 2.x the same credential reaches an organization that enforces mTLS (every other check).
 */
async function adminCertificateCheck(
	imports: Imports,
	api: FakeAdminApi & AdminApi,
	version: string,
): Promise<PreparedCheck> {
	const admin = seedAdminAccess(api.organization);
	const credential = imports.stageCredential({
		id: 'e2e-admin-client-cert',
		name: 'OpenAI Admin API (client certificate)',
		type: 'openAiAdminApi',
		data: adminCredentialData({ ...api, adminClient: admin }),
	});
	const workflow = chain('E2E admin client certificate', [
		ours('Get Many', { resource: 'certificate', operation: 'getAll', returnAll: true }),
	]);
	const id = await imports.stage(
		'adminCert',
		withWebhookStart(workflow, 'Start', 'e2e-admin-cert'),
		{
			activate: true,
			credential,
		},
	);
	return {
		name: version.startsWith('2.')
			? 'admin client certificate: presented on every Admin API request through the mTLS host'
			: 'admin client certificate on n8n 1.x: refused before any request, saying what to use instead',
		async run(running) {
			const sent = api.log.length;
			const execution = await running.run(id, 'e2e-admin-cert');
			if (version.startsWith('2.')) {
				assert.equal(execution.status, 'success');
				const mine = api.log.slice(sent);
				assert.ok(
					mine.length > 0 &&
						mine.every((request) => request.clientSubject?.includes('n8n admin client')),
				);
				return;
			}
			assert.equal(execution.status, 'error');
			const error = execution.runData['Get Many'][0].error;
			assert.match(error?.message ?? '', /cannot present the client certificate.*nothing was sent/);
			assert.match(error?.description ?? '', /n8n 2\.41 or later/);
			assert.equal(api.log.length, sent);
		},
	};
}

/** Upload, activate in the organization and a project, get with details, rename: one workflow, run once. */
async function lifecycleCheck(
	imports: Imports,
	api: FakeAdminApi,
	version: string,
): Promise<PreparedCheck> {
	const ca = makeCertificate({ ca: true, commonName: `E2E CA ${version}` });
	const workflow = chain('E2E lifecycle', [
		ours('Upload', {
			resource: 'certificate',
			operation: 'upload',
			certificate: ca.pem,
			name: 'E2E CA',
		}),
		// n8n 1.x cannot present an admin client certificate, so the node refuses to turn on organization-level
		// enforcement there (it would lock itself out); adminCertificateCheck covers 1.x.
		...(enforcing(version)
			? [
					ours('Activate', {
						resource: 'certificate',
						operation: 'activate',
						certificateIds: "={{ $('Upload').item.json.id }}",
						options: { confirmOrganizationEnforcement: true },
					}),
				]
			: []),
		ours('Activate In Project', {
			resource: 'projectCertificate',
			operation: 'activate',
			projectId: { __rl: true, mode: 'id', value: 'proj_web' },
			certificateIds: "={{ $('Upload').item.json.id }}",
		}),
		ours('Get', {
			resource: 'certificate',
			operation: 'get',
			certificateId: { __rl: true, mode: 'id', value: "={{ $('Upload').item.json.id }}" },
			options: { includeDetails: true },
		}),
		ours('Rename', {
			resource: 'certificate',
			operation: 'rename',
			certificateId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			name: 'E2E CA (renamed)',
		}),
	]);
	const id = await imports.stage(
		'lifecycle',
		withWebhookStart(workflow, 'Start', 'e2e-lifecycle'),
		{
			activate: true,
			credential: imports.credential('lifecycle', api),
		},
	);
	return {
		name: 'lifecycle: upload, activate in the organization and a project, get with details, rename',
		async run(running) {
			const { output } = await running.run(id, 'e2e-lifecycle');
			const uploaded = output('Upload')[0].id as string;
			assert.equal(api.organization.certificates.get(uploaded)?.content, ca.pem);
			assert.deepEqual(
				api.organization.whereActive(uploaded),
				enforcing(version) ? ['organization', 'proj_web'] : ['proj_web'],
			);
			assert.equal((output('Get')[0].details as Record<string, unknown>).isCA, true);
			assert.equal(output('Rename')[0].name, 'E2E CA (renamed)');
		},
	};
}

/** A Delete of a certificate that does not exist: the run fails, saying what and how to fix it, without the key. */
async function errorsCheck(
	app: N8nApp,
	imports: Imports,
	api: FakeAdminApi,
	keys: () => string[],
): Promise<PreparedCheck> {
	const workflow = chain('E2E missing', [
		ours('Delete', {
			resource: 'certificate',
			operation: 'delete',
			certificateId: { __rl: true, mode: 'id', value: 'cert_missing' },
		}),
	]);
	const id = await imports.stage('missing', withWebhookStart(workflow, 'Start', 'e2e-missing'), {
		activate: true,
		credential: imports.credential('missing', api),
	});
	return {
		name: 'errors: a missing certificate fails with the fix in the description; the key appears nowhere',
		async run(running) {
			const execution = await running.run(id, 'e2e-missing');
			assert.equal(execution.status, 'error');
			const error = execution.runData.Delete[0].error;
			assert.match(error?.message ?? '', /No certificate found with id 'cert_missing'/);
			assert.match(
				error?.description ?? '',
				/Check the ID: list what exists with a Get Many operation/,
			);
			// Nowhere: not in the saved execution, the webhook's answer, nor anything n8n printed (every check's key).
			const printed = `${execution.text}\n${execution.answer.text}\n${app.output()}`;
			for (const key of keys()) assert.doesNotMatch(printed, new RegExp(key));
		},
	};
}

/** examples/scheduled-rotation.json, run twice: the canary on the first run, the rest on the next. */
async function scheduledRotationCheck(
	imports: Imports,
	api: FakeAdminApi,
): Promise<PreparedCheck & { pki: Server }> {
	const organization = api.organization;
	const old = organization.addCertificate({
		name: 'Payments CA',
		expires_at: now() + 9 * DAY,
		activeInOrganization: true,
		activeInProjects: ['proj_batch'],
	});
	const renewed = makeCertificate({ ca: true, commonName: 'Payments CA 2027' }).pem;
	const pki = createServer((_request, response) => response.end(renewed));
	const pkiPort = await freePort();
	await new Promise<void>((resolve) => pki.listen(pkiPort, '127.0.0.1', resolve));
	const workflow = withWebhookStart(
		example('scheduled-rotation.json'),
		'Every day at 06:00',
		'e2e-rotation',
	);
	const download = workflow.nodes.find((node) => node.name === 'Download the renewed CA')!;
	download.parameters.url = String(download.parameters.url).replace(
		'https://pki.example.com',
		`http://127.0.0.1:${pkiPort}`,
	);
	const id = await imports.stage('rotation', workflow, {
		activate: true,
		credential: imports.credential('rotation', api),
	});
	const rotated = async (running: RunningApp) =>
		(await running.run(id, 'e2e-rotation'))
			.output('Rotate')
			.find((item) => item.oldCertificateId === old.id)!;
	return {
		name: 'examples/scheduled-rotation.json rotates what expires within 30 days: the canary on the first run, the rest on the next',
		pki,
		async run(running) {
			const paused = await rotated(running);
			assert.deepEqual(
				[paused.paused, paused.canaryProject, paused.activatedIn],
				[true, 'proj_internal', ['proj_internal']],
			);
			assert.deepEqual(organization.whereActive(old.id), ['organization', 'proj_batch']);
			const rotation = await rotated(running);
			assert.equal(rotation.newCertificateId, paused.newCertificateId);
			// What the second run activated; the canary it found active from the first run.
			assert.deepEqual(rotation.activatedIn, ['organization', 'proj_batch']);
			assert.deepEqual(rotation.alreadyActiveIn, ['proj_internal']);
			assert.equal(organization.certificates.has(old.id), false);
			assert.deepEqual(organization.whereActive(rotation.newCertificateId as string), [
				'organization',
				'proj_internal',
				'proj_batch',
			]);
		},
	};
}

/**
 * The cleanup job as shipped (its webhook), the alert job polling with an observer node, and the change alert
 * example: activated in the running app, then called and polled.
 */
async function jobsCheck(
	app: N8nApp,
	imports: Imports,
	api: FakeAdminApi,
): Promise<PreparedCheck & { servers: Server[] }> {
	const organization = api.organization;
	const expired = organization.addCertificate({
		name: 'Expired CA',
		expires_at: now() - DAY,
		activeInOrganization: true,
		activeInProjects: ['proj_web'],
	});
	const healthy = organization.addCertificate({
		name: 'Healthy CA',
		expires_at: now() + 300 * DAY,
		activeInOrganization: true,
	});
	const soon = organization.addCertificate({ name: 'Soon CA', expires_at: now() + 3 * DAY });
	const observer = await startCollector();
	const alerts = observer.received;
	const credential = imports.credential('jobs', api);
	await imports.stage('cleanup', cleanupWorkflow(), { activate: true, credential });
	await imports.stage('alert', alertWorkflow(observer.url), { activate: true, credential });
	const changeAlert = await prepareChangeAlert(api, (key, workflow, options) =>
		imports.stage(key, workflow, { ...options, credential }),
	);
	return {
		name: 'n8n start: the cleanup webhook deletes expired certificates, the activated trigger fires once per expiring certificate, and the change alert example alerts on a change outside the rotation job only',
		servers: [observer.server, changeAlert.server],
		async run(running) {
			const response = await callWebhook(running.base, CLEANUP_WEBHOOK);
			const text = await response.text();
			assert.equal(response.status, 200, `${text}\n--- n8n printed:\n${app.output().slice(-4000)}`);
			const body = JSON.parse(text) as Array<Record<string, unknown>>;
			assert.ok(
				body.some((item) => item.id === expired.id && item.object === 'certificate.deleted'),
				JSON.stringify(body),
			);
			assert.equal(organization.certificates.has(expired.id), false);
			assert.deepEqual(organization.whereActive(healthy.id), ['organization']);

			// Over two polls, each expiring certificate alerts once.
			assert.ok(await waitForTwoPolls(api, alerts), 'the trigger polled only once');
			assert.deepEqual(
				alerts.map((item) => item.certificateId).filter((id) => id === soon.id),
				[soon.id],
				JSON.stringify(alerts),
			);
			await changeAlert.verify({ byPerson: healthy.id, byJob: soon.id });
		},
	};
}

/**
 * One version's checks in one running app: each check stages its own fake Admin API, credential and workflows;
 * all are imported together (one `import:credentials`, one `import:workflow`), n8n starts once, the checks run
 * (the polling jobs beside the others, each in its own organization), the canary check last (it kills the app).
 */
async function suite(version: string, { check, fail }: { check: Check; fail: Fail }) {
	console.log(`\n[e2e] n8n ${version}`);
	let app: N8nApp | undefined;
	const apis: FakeAdminApi[] = [];
	const servers: Server[] = [];
	let editor: EditorChecks | undefined;
	try {
		await appInstalled(version);
		app = prepareApp(version);
		const imports = await importInto(app);
		const api = async (name: string) => {
			const started = await organizationFor(name, version);
			apis.push(started);
			return started;
		};
		const keys = () => apis.map((started) => started.apiKey);
		const lifecycle = await lifecycleCheck(imports, await api('lifecycle'), version);
		const errors = await errorsCheck(app, imports, await api('missing'), keys);
		const rotation = await scheduledRotationCheck(imports, await api('rotation'));
		const jobs = await jobsCheck(app, imports, await api('jobs'));
		const adminCertificate = await adminCertificateCheck(imports, await api('adminCert'), version);
		const mtlsExample = version.startsWith('2.')
			? [await mtlsExampleCheck(imports, await api('mtlsChat'))]
			: [];
		const canary = await prepareCanaryRotation(app, await api('canary'), imports);
		// The editor checks on the current n8n line, in the same app (E2E_EDITOR=0 leaves them out).
		editor =
			version.startsWith('2.') && process.env.E2E_EDITOR !== '0'
				? await prepareEditorChecks(imports)
				: undefined;
		servers.push(rotation.pki, ...jobs.servers);
		const importing = Date.now();
		await imports.flush();
		const imported = Date.now();
		const running = await startRunning(app, canary.env);
		await imports.activateIn(running);
		console.log(
			`    [n8n ${version}] ${Object.keys(imports.ids).length} workflows imported in ${Math.round((imported - importing) / 1000)} s (two CLI commands), n8n started, signed in and activated in ${Math.round((Date.now() - imported) / 1000)} s`,
		);
		const run = (prepared: PreparedCheck) => check(prepared.name, () => prepared.run(running));
		await Promise.all([
			(async () => {
				for (const prepared of [lifecycle, errors, rotation, adminCertificate, ...mtlsExample])
					await run(prepared);
				await editor?.run(running, (name, body) => check(`editor: ${name}`, body));
			})(),
			run(jobs),
		]);
		await run(canary);
	} catch (error) {
		fail(`setting up n8n ${version}`, error);
	} finally {
		await app?.stopAll();
		for (const server of servers) server.close();
		for (const started of apis) await started.close();
		await editor?.close();
	}
}

async function main() {
	const suites = versions.map((version) => () => suite(version, on(`n8n ${version}`)));
	// Queue mode on the current n8n line (2.x); E2E_QUEUE=0 leaves it out of a quick local run.
	if (process.env.E2E_QUEUE !== '0')
		for (const version of versions.filter((candidate) => candidate.startsWith('2.'))) {
			const lane = on(`n8n ${version}`);
			suites.push(() => queueModeSuite(version, lane.check, lane.fail));
		}
	// In order, E2E_LANES at a time: each lane takes the next suite when its own is done.
	const lanes = Math.max(1, Number(process.env.E2E_LANES ?? 2));
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(lanes, suites.length) }, async () => {
			while (next < suites.length) await suites[next++]();
		}),
	);
	finish();
}

void main();
