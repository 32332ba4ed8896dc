import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, IRun } from 'n8n-workflow';

import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import type { WorkflowData } from '../harness/runWorkflow';
import { createAdditionalData, createWorkflow, runWorkflow } from '../harness/runWorkflow';
import { makeCertificate } from '../../sandbox/certificates';
import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

function loadExample(file: string): WorkflowData & { name: string } {
	return JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8'));
}

function outputOf(run: IRun, node: string): IDataObject[] {
	const task = run.data.resultData.runData[node]?.[0];
	if (task?.error)
		throw new Error(`${node} failed: ${task.error.message} ${task.error.description ?? ''}`);
	return (task?.data?.main?.[0] ?? []).map((item) => item.json);
}

describe('examples/scheduled-rotation.json', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	it('rotates every certificate active anywhere that expires within 30 days, one active only in a project too, with the renewed CA downloaded for it: canary first, then the next run finishes', async () => {
		const organization = fake.api.organization;
		for (const id of ['proj_internal', 'proj_web', 'proj_batch']) organization.addProject({ id });
		const payments = organization.addCertificate({
			name: 'Payments CA',
			expires_at: now() + 10 * DAY,
			activeInOrganization: true,
			activeInProjects: ['proj_web'],
		});
		const search = organization.addCertificate({
			name: 'Search CA',
			expires_at: now() + 20 * DAY,
			activeInOrganization: true,
			activeInProjects: ['proj_batch'],
		});
		const healthy = organization.addCertificate({
			name: 'Healthy CA',
			expires_at: now() + 300 * DAY,
			activeInOrganization: true,
		});
		const dormant = organization.addCertificate({
			name: 'Dormant CA',
			expires_at: now() + 5 * DAY,
		});
		// Inactive for the organization: the organization-level Status filter alone would never rotate it.
		const partner = organization.addCertificate({
			name: 'Partner CA',
			expires_at: now() + 12 * DAY,
			activeInProjects: ['proj_batch'],
		});

		// The PKI the workflow downloads renewed CAs from, one per certificate name.
		const renewed: Record<string, string> = {
			'Payments CA': makeCertificate({ ca: true, commonName: 'Payments CA 2027' }).pem,
			'Search CA': makeCertificate({ ca: true, commonName: 'Search CA 2027' }).pem,
			'Partner CA': makeCertificate({ ca: true, commonName: 'Partner CA 2027' }).pem,
		};
		const downloads: string[] = [];
		const pki = createServer((request, response) => {
			const name = decodeURIComponent(request.url!.replace(/^\/ca\//, '').replace(/\.pem$/, ''));
			downloads.push(name);
			if (renewed[name])
				response.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(renewed[name]);
			else response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => pki.listen(0, '127.0.0.1', resolve));
		try {
			const workflow = loadExample('scheduled-rotation.json');
			const download = workflow.nodes.find((node) => node.name === 'Download the renewed CA')!;
			download.parameters.url = (download.parameters.url as string).replace(
				'https://pki.example.com',
				`http://127.0.0.1:${(pki.address() as AddressInfo).port}`,
			);

			// The first day: each renewed CA goes to its canary only (proj_internal where the old one is in
			// force through the organization, else the first project using it), and the run pauses.
			const firstDay = await runWorkflow(workflow, fake.credentials, {
				startNode: 'Every day at 06:00',
			});
			expect(firstDay.data.resultData.error).toBeUndefined();
			expect(downloads.sort()).toEqual(['Partner CA', 'Payments CA', 'Search CA']);
			const paused = outputOf(firstDay, 'Rotate');
			expect(
				paused.map((rotation) => [
					rotation.oldCertificateId,
					rotation.canaryProject,
					rotation.paused,
					rotation.activatedIn,
				]),
			).toEqual([
				[partner.id, 'proj_batch', true, ['proj_batch']],
				[search.id, 'proj_internal', true, ['proj_internal']],
				[payments.id, 'proj_internal', true, ['proj_internal']],
			]);
			expect(organization.whereActive(payments.id)).toEqual(['organization', 'proj_web']);
			expect(organization.whereActive(partner.id)).toEqual(['proj_batch']);

			// The next day: the same certificates are still due; the run finds each canary done and finishes.
			const nextDay = await runWorkflow(workflow, fake.credentials, {
				startNode: 'Every day at 06:00',
			});
			expect(nextDay.data.resultData.error).toBeUndefined();
			const rotations = outputOf(nextDay, 'Rotate');
			// What this run activated; the canaries of the first day are found active (alreadyActiveIn).
			expect(
				rotations.map((rotation) => [
					rotation.oldCertificateId,
					rotation.paused,
					rotation.activatedIn,
					rotation.alreadyActiveIn,
					rotation.deleted,
				]),
			).toEqual([
				[partner.id, false, [], ['proj_batch'], true],
				[search.id, false, ['organization', 'proj_batch'], ['proj_internal'], true],
				[payments.id, false, ['organization', 'proj_web'], ['proj_internal'], true],
			]);
			// Found by fingerprint, not uploaded again.
			expect(rotations.map((rotation) => rotation.newCertificateId)).toEqual(
				paused.map((rotation) => rotation.newCertificateId),
			);
		} finally {
			await new Promise((resolve) => pki.close(resolve));
		}

		// The organization afterwards: old ones gone, renewed ones active exactly where they were, the rest untouched.
		expect(organization.certificates.has(payments.id)).toBe(false);
		expect(organization.certificates.has(search.id)).toBe(false);
		const byContent = (pem: string) =>
			[...organization.certificates.values()].find((certificate) => certificate.content === pem)!;
		expect(byContent(renewed['Payments CA'])).toMatchObject({ name: 'Payments CA' });
		// Active where the old ones were; the canary keeps the renewed CA it got first.
		expect(organization.whereActive(byContent(renewed['Payments CA']).id)).toEqual([
			'organization',
			'proj_internal',
			'proj_web',
		]);
		expect(organization.whereActive(byContent(renewed['Search CA']).id)).toEqual([
			'organization',
			'proj_internal',
			'proj_batch',
		]);
		expect(organization.certificates.has(partner.id)).toBe(false);
		expect(byContent(renewed['Partner CA'])).toMatchObject({ name: 'Partner CA' });
		expect(organization.whereActive(byContent(renewed['Partner CA']).id)).toEqual(['proj_batch']);
		expect(organization.whereActive(healthy.id)).toEqual(['organization']);
		expect(organization.certificates.has(dormant.id)).toBe(true);
		expect(organization.certificates.size).toBe(5);
	});
});

describe('examples/expiry-alert-and-cleanup.json', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	function seed() {
		const organization = fake.api.organization;
		for (const id of ['proj_a', 'proj_b']) organization.addProject({ id });
		return {
			expiredActive: organization.addCertificate({
				name: 'Old CA',
				expires_at: now() - 3 * DAY,
				activeInOrganization: true,
				activeInProjects: ['proj_b'],
			}),
			expiredIdle: organization.addCertificate({
				name: 'Forgotten CA',
				expires_at: now() - 40 * DAY,
			}),
			expiringSoon: organization.addCertificate({
				name: 'Payments CA',
				expires_at: now() + 12.5 * DAY,
				activeInOrganization: true,
			}),
			healthy: organization.addCertificate({
				name: 'Healthy CA',
				expires_at: now() + 200 * DAY,
				activeInProjects: ['proj_a'],
			}),
		};
	}

	it('alert branch: the trigger fires for expiring certificates and the alert names each one', async () => {
		const seeded = seed();
		const workflow = loadExample('expiry-alert-and-cleanup.json');
		const triggerNode = workflow.nodes.find(
			(node) => node.name === 'Certificate expiring soon',
		) as INode;
		// Poll as n8n does for an active workflow, then run the workflow with what the poll emitted.
		const pollWorkflow = createWorkflow(workflow);
		const context = new PollContext(
			pollWorkflow,
			triggerNode,
			createAdditionalData(workflow, fake.credentials),
			'trigger',
			'activate',
		);
		const polled = (await new OpenAiCertificatesTrigger().poll.call(
			context,
		)) as INodeExecutionData[][];
		const run = await runWorkflow(workflow, fake.credentials, {
			startNode: triggerNode.name,
			mode: 'trigger',
			startItems: polled[0],
		});

		const alerts = outputOf(run, 'Send alert (replace with Slack or email)');
		expect(alerts.map((alert) => alert.certificateId)).toEqual([
			seeded.expiredActive.id,
			seeded.expiredIdle.id,
			seeded.expiringSoon.id,
		]);
		expect(alerts[2].message).toBe(
			`OpenAI certificate "Payments CA" (${seeded.expiringSoon.id}) expires in 12 days. Rotate it before then.`,
		);
		expect(alerts[0].message).toBe(
			`OpenAI certificate "Old CA" (${seeded.expiredActive.id}) has expired. Replace it now.`,
		);
		// Alerts change nothing.
		expect(fake.api.log.every((request) => request.method === 'GET')).toBe(true);
	});

	it('cleanup branch: deletes every expired certificate, deactivating it everywhere first, and is safe to run twice', async () => {
		const seeded = seed();
		const workflow = loadExample('expiry-alert-and-cleanup.json');
		const first = await runWorkflow(workflow, fake.credentials, {
			startNode: 'Every day at 07:00',
		});
		expect(first.data.resultData.error).toBeUndefined();
		// Get Many lists newest first.
		expect(outputOf(first, 'Delete expired certificates')).toEqual([
			{
				object: 'certificate.deleted',
				id: seeded.expiredIdle.id,
				deleted: true,
				deactivatedIn: [],
			},
			{
				object: 'certificate.deleted',
				id: seeded.expiredActive.id,
				deleted: true,
				deactivatedIn: ['organization', 'proj_b'],
			},
		]);
		const organization = fake.api.organization;
		expect([...organization.certificates.keys()].sort()).toEqual(
			[seeded.expiringSoon.id, seeded.healthy.id].sort(),
		);
		expect(organization.whereActive(seeded.expiringSoon.id)).toEqual(['organization']);
		expect(organization.whereActive(seeded.healthy.id)).toEqual(['proj_a']);

		const second = await runWorkflow(workflow, fake.credentials, {
			startNode: 'Every day at 07:00',
		});
		expect(second.data.resultData.error).toBeUndefined();
		expect(outputOf(second, 'Find expired certificates')).toEqual([]);
		expect(organization.certificates.size).toBe(2);
	});
});
