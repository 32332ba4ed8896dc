import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, IRun } from 'n8n-workflow';

import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import { auditLogOf } from '../../sandbox/auditLog';
import type { ExampleWorkflow } from '../../sandbox/examples';
import { PKI_PLACEHOLDER, SANDBOX_ROTATION_JOB, sandboxExamples } from '../../sandbox/examples';
import type { SandboxPki } from '../../sandbox/pki';
import { startSandboxPki } from '../../sandbox/pki';
import { sandboxCredentialData, sandboxMtlsCredentialData, seedSandbox } from '../../sandbox/seed';
import type { WorkflowData } from '../harness/runWorkflow';
import { createAdditionalData, createWorkflow, runWorkflow } from '../harness/runWorkflow';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';
import { triggerPoller } from '../support/pollTrigger';

/** What `npm start` offers a new user: the seeded sandbox, its PKI and the sandbox copies of the examples. */

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function outputOf(run: IRun, node: string): IDataObject[] {
	const task = run.data.resultData.runData[node]?.[0];
	if (task?.error)
		throw new Error(`${node} failed: ${task.error.message} ${task.error.description ?? ''}`);
	return (task?.data?.main?.[0] ?? []).map((item) => item.json);
}

describe('the examples as npm start imports them, against the seeded sandbox', () => {
	const fake = useFakeAdminApi();
	let pki: SandboxPki;
	let copies: Record<string, ExampleWorkflow>;
	let admin: ReturnType<typeof seedSandbox>;
	beforeEach(async () => {
		// The sandbox enforces mTLS for the organization: its credential presents the admin client certificate.
		admin = seedSandbox(fake.api.organization);
		fake.credentials = sandboxCredentialData(fake.api, admin);
		pki = await startSandboxPki();
		copies = Object.fromEntries(
			sandboxExamples(EXAMPLES, {
				pkiBaseUrl: pki.baseUrl,
				rotationJob: SANDBOX_ROTATION_JOB,
				mtlsBaseUrl: fake.api.mtls.baseUrl,
			}).map(({ file, workflow }) => [file, workflow]),
		);
	});

	it('mTLS chat completion: the sandbox copy calls the sandbox mTLS host with the sandbox mTLS credential and gets an answer', async () => {
		const workflow = copies['mtls-chat-completion.json'] as unknown as WorkflowData;
		const run = await runWorkflow(workflow, fake.credentials, {
			otherCredentials: { openAiMtlsClientApi: sandboxMtlsCredentialData(fake.api, admin) },
		});
		expect(outputOf(run, 'Answer')).toEqual([{ answer: 'Hello from the sandbox mTLS host.' }]);
		expect(fake.api.mtls.log.map((entry) => [entry.path, entry.projectId, entry.status])).toEqual([
			['/v1/chat/completions', 'proj_payments', 200],
		]);
	});
	afterEach(async () => await pki.close());
	const named = (name: string) =>
		[...fake.api.organization.certificates.values()].filter(
			(certificate) => certificate.name === name,
		);
	const byName = (name: string) => named(name)[0];

	it('examples/ keep the placeholder PKI URL with a note saying what to change; the sandbox copies point at the sandbox PKI', () => {
		const shipped = JSON.parse(
			readFileSync(join(EXAMPLES, 'scheduled-rotation.json'), 'utf8'),
		) as ExampleWorkflow;
		const download = shipped.nodes.find((node) => node.name === 'Download the renewed CA')!;
		expect(String(download.parameters.url)).toContain(PKI_PLACEHOLDER);
		expect(download.notes).toMatch(/Change the URL.*pki\.example\.com/);
		const copy = copies['scheduled-rotation.json'].nodes.find(
			(node) => node.name === 'Download the renewed CA',
		)!;
		expect(String(copy.parameters.url)).toContain(`${pki.baseUrl}/ca/`);
		expect(
			JSON.stringify(
				Object.values(copies).map((workflow) => workflow.nodes.map((node) => node.parameters)),
			),
		).not.toContain(PKI_PLACEHOLDER);
		expect(copy.notes).toContain(pki.baseUrl);
		expect(new Set(Object.values(copies).map((workflow) => workflow.id)).size).toBe(
			Object.keys(copies).length,
		);
	});

	it('scheduled rotation: the first run puts each renewed CA in its canary project and pauses, the next finishes; the one active only in a project is rotated too', async () => {
		const organization = fake.api.organization;
		const production = byName('Production client CA 2026')!;
		const partner = byName('Payments partner CA')!;
		const before = {
			production: organization.whereActive(production.id),
			partner: organization.whereActive(partner.id),
		};
		expect(before).toEqual({
			production: ['organization', 'proj_payments', 'proj_search'],
			partner: ['proj_payments'],
		});
		const workflow = copies['scheduled-rotation.json'] as unknown as WorkflowData;

		const firstRun = await runWorkflow(workflow, fake.credentials, {
			startNode: 'Every day at 06:00',
		});
		expect(firstRun.data.resultData.error).toBeUndefined();
		expect(
			outputOf(firstRun, 'Rotate').map((rotation) => [
				rotation.oldCertificateId,
				rotation.canaryProject,
				rotation.paused,
			]),
		).toEqual([
			[partner.id, 'proj_payments', true],
			[production.id, 'proj_internal', true],
		]);
		expect(pki.downloads).toEqual(['Payments partner CA', 'Production client CA 2026']);
		expect([organization.whereActive(production.id), organization.whereActive(partner.id)]).toEqual(
			[before.production, before.partner],
		);

		const nextRun = await runWorkflow(workflow, fake.credentials, {
			startNode: 'Every day at 06:00',
		});
		expect(nextRun.data.resultData.error).toBeUndefined();
		expect(
			outputOf(nextRun, 'Rotate').map((rotation) => [
				rotation.oldCertificateId,
				rotation.paused,
				rotation.deleted,
			]),
		).toEqual([
			[partner.id, false, true],
			[production.id, false, true],
		]);
		expect(
			organization.certificates.has(production.id) || organization.certificates.has(partner.id),
		).toBe(false);
		// The renewed CAs from the sandbox PKI, once each, active where the old ones were (and in the canary).
		const renewedPartner = named('Payments partner CA');
		const renewedProduction = named('Production client CA 2026');
		expect([renewedPartner.length, renewedProduction.length]).toEqual([1, 1]);
		expect(renewedPartner[0].content).toBe(pki.renewed('Payments partner CA'));
		expect(renewedProduction[0].content).toBe(pki.renewed('Production client CA 2026'));
		expect(organization.whereActive(renewedPartner[0].id)).toEqual(['proj_payments']);
		expect(organization.whereActive(renewedProduction[0].id)).toEqual([
			...before.production,
			'proj_internal',
		]);
	});

	it('expiry alert: executing from the trigger alerts for each certificate expiring within 30 days or expired', async () => {
		const workflow = copies['expiry-alert-and-cleanup.json'] as unknown as WorkflowData;
		const trigger = workflow.nodes.find(
			(node) => node.name === 'Certificate expiring soon',
		) as INode;
		const context = new PollContext(
			createWorkflow(workflow),
			trigger,
			createAdditionalData(workflow, fake.credentials),
			'manual',
			'manual',
		);
		const polled = (await new OpenAiCertificatesTrigger().poll.call(
			context,
		)) as INodeExecutionData[][];
		const run = await runWorkflow(workflow, fake.credentials, {
			startNode: trigger.name,
			startItems: polled[0],
		});
		const messages = outputOf(run, 'Send alert (replace with Slack or email)').map(
			(alert) => alert.message as string,
		);
		expect(messages).toHaveLength(4);
		expect(messages.join('\n')).toMatch(/"Payments partner CA" \(cert_\w+\) expires in 1[12] days/);
		expect(messages.join('\n')).toMatch(
			/"Old client CA 2024 \(expired\)" \(cert_\w+\) has expired/,
		);
	});

	it('cleanup deletes the two expired certificates and nothing else', async () => {
		const run = await runWorkflow(
			copies['expiry-alert-and-cleanup.json'] as unknown as WorkflowData,
			fake.credentials,
			{ startNode: 'Every day at 07:00' },
		);
		expect(outputOf(run, 'Delete expired certificates').map((deleted) => deleted.object)).toEqual([
			'certificate.deleted',
			'certificate.deleted',
		]);
		expect(
			[...fake.api.organization.certificates.values()]
				.map((certificate) => certificate.name)
				.sort(),
		).toEqual([
			'Admin access CA',
			'Payments partner CA',
			'Production client CA 2026',
			'Spare CA (inactive)',
			'Staging CA',
		]);
	});

	it('change alert: the rotation example runs as the sandbox rotation job, whose changes stay quiet; a change with the sandbox credential alerts', async () => {
		const organization = fake.api.organization;
		auditLogOf(organization).addKey(SANDBOX_ROTATION_JOB.key, SANDBOX_ROTATION_JOB.actor);
		const rotation = copies['scheduled-rotation.json'];
		const ours = rotation.nodes.filter((node) => String(node.type).endsWith('.openAiCertificates'));
		expect(ours.map((node) => node.credentials)).toEqual(
			ours.map(() => ({ openAiAdminApi: SANDBOX_ROTATION_JOB.credential })),
		);
		const alert = copies['certificate-change-alert.json'] as unknown as WorkflowData;
		const trigger = alert.nodes.find((node) => node.type.endsWith('Trigger')) as INode;
		expect(trigger.parameters.auditOptions).toEqual({
			ignoreActors: SANDBOX_ROTATION_JOB.actor.api_key.id,
		});
		expect(trigger.notes).toContain(SANDBOX_ROTATION_JOB.credential.name);
		const poller = triggerPoller(() => fake.credentials);
		const poll = async () => await poller.poll(trigger.parameters);
		expect(await poll()).toEqual([]); // the first poll records where the log stands

		const asRotationJob = { ...fake.credentials, apiKey: SANDBOX_ROTATION_JOB.key };
		for (const run of ['first', 'next']) {
			const done = await runWorkflow(rotation as unknown as WorkflowData, asRotationJob, {
				startNode: 'Every day at 06:00',
			});
			expect([run, done.data.resultData.error]).toEqual([run, undefined]);
		}
		expect(await poll()).toEqual([]);
		// Every request went through the mTLS host with the admin client certificate, and none was refused.
		expect(fake.api.log.every((request) => request.overMtls && request.status !== 401)).toBe(true);

		const spare = byName('Spare CA (inactive)');
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(spare.id),
				name: 'Spare CA (renamed)',
			},
		});
		expect(error).toBeUndefined();
		const alerts = await poll();
		expect(alerts.map((event) => [event.event, (event.actor as IDataObject).apiKeyId])).toEqual([
			['certificateRenamed', 'key_sandbox1'],
		]);
	});
});
