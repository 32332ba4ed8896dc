/**
 * End-to-end: the packed package installed into the real n8n app (2.41.1 on Node 24, 1.123.81 on Node 20)
 * the way a user installs it, run against the fake Admin API with `n8n execute` and through `n8n start` with
 * a webhook, and (2.x) in queue mode with Redis, PostgreSQL and two workers (queueMode.ts).
 * The suites run two at a time (E2E_LANES, default 2; measured in CONTRIBUTING's "Test timings"), each with
 * its own app, user folder, ports and fake Admin API; their lines are prefixed with what they run on.
 * Usage: node .cache/run/test/e2e/e2e.js [versions...]. Prints "N passed, N failed".
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';
import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort, parseExecuteOutput, prepareApp } from '../../sandbox/n8nApp';
import { canaryRotationChecks } from './canaryRotation';
import { prepareChangeAlert } from './changeAlert';
import { reporter } from './reporter';
import { queueModeSuite } from './queueMode';
import {
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
	withManualStart,
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

async function suite(version: string, { check, fail }: { check: Check; fail: Fail }) {
	console.log(`\n[e2e] n8n ${version}`);
	let app: N8nApp | undefined;
	let api: FakeAdminApi | undefined;
	let pkiServer: import('node:http').Server | undefined;
	let collector: import('node:http').Server | undefined;
	let changeCollector: import('node:http').Server | undefined;
	try {
		app = prepareApp(version);
		api = await startFakeAdminApi();
		const organization = api.organization;
		for (const id of ['proj_internal', 'proj_web', 'proj_batch']) organization.addProject({ id });

		const imports = await importInto(app, api);
		const workflowIds = imports.ids;
		const importWorkflow = imports.workflow;
		const execute = async (key: string) => {
			let stdout: string;
			try {
				stdout = await app!.cli(['execute', `--id=${workflowIds[key]}`, '--rawOutput']);
			} catch (error) {
				const printed = `${(error as { stdout?: string }).stdout ?? ''}\n${(error as { stderr?: string }).stderr ?? ''}`;
				// The run data is long: keep the lines that say what went wrong.
				const reason = [
					...new Set(
						printed
							.split('\n')
							.filter((line) => /"(message|description)":|Error|error:/.test(line))
							.map((line) => line.trim()),
					),
				]
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
		await check(
			'lifecycle: upload, activate in the organization and a project, get with details, rename',
			async () => {
				await importWorkflow(
					'lifecycle',
					chain('E2E lifecycle', [
						ours('Upload', {
							resource: 'certificate',
							operation: 'upload',
							certificate: ca.pem,
							name: 'E2E CA',
						}),
						ours('Activate', {
							resource: 'certificate',
							operation: 'activate',
							certificateIds: "={{ $('Upload').item.json.id }}",
							options: { confirmOrganizationEnforcement: true },
						}),
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
							operation: 'update',
							certificateId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
							name: 'E2E CA (renamed)',
						}),
					]),
				);
				const { output } = await execute('lifecycle');
				const id = output('Upload')[0].id as string;
				assert.equal(organization.certificates.get(id)?.content, ca.pem);
				assert.deepEqual(organization.whereActive(id), ['organization', 'proj_web']);
				assert.equal((output('Get')[0].details as Record<string, unknown>).isCA, true);
				assert.equal(output('Rename')[0].name, 'E2E CA (renamed)');
			},
		);

		await check(
			'errors: a missing certificate fails with the fix in the description; the key appears nowhere',
			async () => {
				await importWorkflow(
					'missing',
					chain('E2E missing', [
						ours('Delete', {
							resource: 'certificate',
							operation: 'delete',
							certificateId: { __rl: true, mode: 'id', value: 'cert_missing' },
						}),
					]),
				);
				let stdout = '';
				try {
					stdout = await app!.cli(['execute', `--id=${workflowIds.missing}`, '--rawOutput']);
				} catch (error) {
					stdout = (error as Error).message;
				}
				assert.match(stdout, /No certificate found with id 'cert_missing'/);
				assert.doesNotMatch(stdout, new RegExp(api!.apiKey));
			},
		);

		await check(
			'examples/scheduled-rotation.json rotates what expires within 30 days: the canary on the first run, the rest on the next',
			async () => {
				const old = organization.addCertificate({
					name: 'Payments CA',
					expires_at: now() + 9 * DAY,
					activeInOrganization: true,
					activeInProjects: ['proj_batch'],
				});
				const renewed = makeCertificate({ ca: true, commonName: 'Payments CA 2027' }).pem;
				pkiServer = createServer(
					(_request: unknown, response: import('node:http').ServerResponse) =>
						response.end(renewed),
				);
				const pkiPort = await freePort();
				await new Promise<void>((resolve) => pkiServer!.listen(pkiPort, '127.0.0.1', resolve));
				const workflow = withManualStart(example('scheduled-rotation.json'), 'Every day at 06:00');
				const download = workflow.nodes.find((node) => node.name === 'Download the renewed CA')!;
				download.parameters.url = String(download.parameters.url).replace(
					'https://pki.example.com',
					`http://127.0.0.1:${pkiPort}`,
				);
				await importWorkflow('rotation', workflow);
				const paused = (await execute('rotation'))
					.output('Rotate')
					.find((item) => item.oldCertificateId === old.id)!;
				assert.deepEqual(
					[paused.paused, paused.canaryProject, paused.activatedIn],
					[true, 'proj_internal', ['proj_internal']],
				);
				assert.deepEqual(organization.whereActive(old.id), ['organization', 'proj_batch']);
				const rotation = (await execute('rotation'))
					.output('Rotate')
					.find((item) => item.oldCertificateId === old.id)!;
				assert.equal(rotation.newCertificateId, paused.newCertificateId);
				assert.deepEqual(rotation.activatedIn, ['proj_internal', 'organization', 'proj_batch']);
				assert.equal(organization.certificates.has(old.id), false);
				assert.deepEqual(organization.whereActive(rotation.newCertificateId as string), [
					'organization',
					'proj_internal',
					'proj_batch',
				]);
			},
		);

		await canaryRotationChecks(app, api, importWorkflow, check);

		await check(
			'n8n start: the cleanup webhook deletes expired certificates, the activated trigger fires once per expiring certificate, and the change alert example alerts on a change outside the rotation job only',
			async () => {
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

				// The cleanup job as shipped (its webhook), and the alert job polling every minute with an observer node.
				const observer = await startCollector();
				collector = observer.server;
				const alerts = observer.received;
				await imports.stage('cleanup', cleanupWorkflow(), { activate: true });
				await imports.stage('alert', alertWorkflow(observer.url), { activate: true });
				const changeAlert = await prepareChangeAlert(api!, imports.stage);
				changeCollector = changeAlert.server;
				await imports.flush();

				const port = await freePort();
				await app!.start(port);
				const response = await callWebhook(`http://127.0.0.1:${port}`, CLEANUP_WEBHOOK);
				const text = await response.text();
				assert.equal(
					response.status,
					200,
					`${text}\n--- n8n printed:\n${app!.output().slice(-4000)}`,
				);
				const body = JSON.parse(text) as Array<Record<string, unknown>>;
				assert.ok(
					body.some((item) => item.id === expired.id && item.object === 'certificate.deleted'),
					JSON.stringify(body),
				);
				assert.equal(organization.certificates.has(expired.id), false);
				assert.deepEqual(organization.whereActive(healthy.id), ['organization']);

				// Over two polls, each expiring certificate alerts once.
				assert.ok(await waitForTwoPolls(api!, alerts), 'the trigger polled only once');
				assert.deepEqual(
					alerts.map((item) => item.certificateId).filter((id) => id === soon.id),
					[soon.id],
					JSON.stringify(alerts),
				);
				await changeAlert.verify({ byPerson: healthy.id, byJob: soon.id });
			},
		);
	} catch (error) {
		fail(`setting up n8n ${version}`, error);
	} finally {
		await app?.stopAll();
		pkiServer?.close();
		collector?.close();
		changeCollector?.close();
		await api?.close();
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
