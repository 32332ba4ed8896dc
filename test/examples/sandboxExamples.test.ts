import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, IRun } from 'n8n-workflow';

import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import type { ExampleWorkflow } from '../../sandbox/examples';
import { PKI_PLACEHOLDER, sandboxExamples } from '../../sandbox/examples';
import type { SandboxPki } from '../../sandbox/pki';
import { startSandboxPki } from '../../sandbox/pki';
import { seedSandbox } from '../../sandbox/seed';
import type { WorkflowData } from '../harness/runWorkflow';
import { createAdditionalData, createWorkflow, runWorkflow } from '../harness/runWorkflow';
import { useFakeAdminApi } from '../support/fakeApi';

/** What `npm start` offers a new user: the seeded sandbox, its PKI and the sandbox copies of the examples. */

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function outputOf(run: IRun, node: string): IDataObject[] {
	const task = run.data.resultData.runData[node]?.[0];
	if (task?.error) throw new Error(`${node} failed: ${task.error.message} ${task.error.description ?? ''}`);
	return (task?.data?.main?.[0] ?? []).map((item) => item.json);
}

describe('the examples as npm start imports them, against the seeded sandbox', () => {
	const fake = useFakeAdminApi();
	let pki: SandboxPki;
	let copies: Record<string, ExampleWorkflow>;
	beforeEach(async () => {
		seedSandbox(fake.api.organization);
		pki = await startSandboxPki();
		copies = Object.fromEntries(sandboxExamples(EXAMPLES, pki.baseUrl).map(({ file, workflow }) => [file, workflow]));
	});
	afterEach(async () => await pki.close());
	const byName = (name: string) => [...fake.api.organization.certificates.values()].find((certificate) => certificate.name === name);

	it('examples/ keep the placeholder PKI URL with a note saying what to change; the sandbox copies point at the sandbox PKI', () => {
		const shipped = JSON.parse(readFileSync(join(EXAMPLES, 'scheduled-rotation.json'), 'utf8')) as ExampleWorkflow;
		const download = shipped.nodes.find((node) => node.name === 'Download the renewed CA')!;
		expect(String(download.parameters.url)).toContain(PKI_PLACEHOLDER);
		expect(download.notes).toMatch(/Change the URL.*pki\.example\.com/);
		const copy = copies['scheduled-rotation.json'].nodes.find((node) => node.name === 'Download the renewed CA')!;
		expect(String(copy.parameters.url)).toContain(`${pki.baseUrl}/ca/`);
		expect(JSON.stringify(Object.values(copies).map((workflow) => workflow.nodes.map((node) => node.parameters)))).not.toContain(PKI_PLACEHOLDER);
		expect(copy.notes).toContain(pki.baseUrl);
		expect(new Set(Object.values(copies).map((workflow) => workflow.id)).size).toBe(Object.keys(copies).length);
	});

	it('scheduled rotation rotates the two certificates due, the one active only in a project too, where they were active', async () => {
		const production = byName('Production client CA 2026')!;
		const partner = byName('Payments partner CA')!;
		const before = { production: fake.api.organization.whereActive(production.id), partner: fake.api.organization.whereActive(partner.id) };
		expect(before.partner).toEqual(['proj_payments']);

		const run = await runWorkflow(copies['scheduled-rotation.json'] as unknown as WorkflowData, fake.credentials, { startNode: 'Every day at 06:00' });
		expect(run.data.resultData.error).toBeUndefined();
		expect(outputOf(run, 'Rotate').map((rotation) => rotation.oldCertificateId)).toEqual([partner.id, production.id]);
		expect(pki.downloads).toEqual(['Payments partner CA', 'Production client CA 2026']);

		const organization = fake.api.organization;
		expect(organization.certificates.has(production.id) || organization.certificates.has(partner.id)).toBe(false);
		for (const [name, places] of [['Payments partner CA', before.partner], ['Production client CA 2026', before.production]] as const) {
			const renewed = byName(name)!;
			expect(renewed.content).toBe(pki.renewed(name));
			expect(organization.whereActive(renewed.id)).toEqual(places);
		}
	});

	it('expiry alert: executing from the trigger alerts for each certificate expiring within 30 days or expired', async () => {
		const workflow = copies['expiry-alert-and-cleanup.json'] as unknown as WorkflowData;
		const trigger = workflow.nodes.find((node) => node.name === 'Certificate expiring soon') as INode;
		const context = new PollContext(createWorkflow(workflow), trigger, createAdditionalData(workflow, fake.credentials), 'manual', 'manual');
		const polled = (await new OpenAiCertificatesTrigger().poll.call(context)) as INodeExecutionData[][];
		const run = await runWorkflow(workflow, fake.credentials, { startNode: trigger.name, startItems: polled[0] });
		const messages = outputOf(run, 'Send alert (replace with Slack or email)').map((alert) => alert.message as string);
		expect(messages).toHaveLength(4);
		expect(messages.join('\n')).toMatch(/"Payments partner CA" \(cert_\w+\) expires in 1[12] days/);
		expect(messages.join('\n')).toMatch(/"Old client CA 2024 \(expired\)" \(cert_\w+\) has expired/);
	});

	it('cleanup deletes the two expired certificates and nothing else', async () => {
		const run = await runWorkflow(copies['expiry-alert-and-cleanup.json'] as unknown as WorkflowData, fake.credentials, { startNode: 'Every day at 07:00' });
		expect(outputOf(run, 'Delete expired certificates').map((deleted) => deleted.object)).toEqual(['certificate.deleted', 'certificate.deleted']);
		expect([...fake.api.organization.certificates.values()].map((certificate) => certificate.name).sort()).toEqual([
			'Payments partner CA',
			'Production client CA 2026',
			'Spare CA (inactive)',
			'Staging CA',
		]);
	});
});
