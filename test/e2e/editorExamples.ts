import assert from 'node:assert/strict';

import type { Page } from 'playwright-core';

import { auditLogOf } from '../../sandbox/auditLog';
import type { ExampleWorkflow } from '../../sandbox/examples';
import { SANDBOX_ROTATION_JOB } from '../../sandbox/examples';
import type { Organization } from '../../sandbox/organization';
import type { SandboxPki } from '../../sandbox/pki';
import type { FakeAdminApi } from '../../sandbox/server';

/**
 * The editor check's part for the examples: as a new user after `npm start`, open each example, pick
 * its trigger, click Execute workflow, and see it do its job — asserted on what the sandbox holds
 * afterwards; the screenshot shows the canvas after the run with the last node's output open.
 */

export interface ExampleChecks {
	page: Page;
	base: string;
	check: (name: string, body: () => Promise<void>) => Promise<void>;
	api: FakeAdminApi;
	pki: SandboxPki;
	examples: Record<string, ExampleWorkflow>;
	/** Saves a screenshot of the page under this name. */
	screenshot: (name: string) => Promise<void>;
}

const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

const named = (organization: Organization, name: string) =>
	[...organization.certificates.values()].filter((certificate) => certificate.name === name);

/** The output panel of the open node. */
const outputPanel = (page: Page) =>
	page.getByTestId('output-panel').or(page.getByTestId('ndv-output-panel')).first();

/** Waits until the open node's output shows text matching `pattern` (the table renders after the panel). */
const outputShows = async (page: Page, pattern: RegExp) =>
	await outputPanel(page).getByText(pattern).first().waitFor();

/**
 * Opens the workflow, selects the trigger when it has several, executes it, waits for `lastNode` to
 * succeed, saves a screenshot of the canvas after the run, then opens `lastNode` to show its output.
 */
async function executeWorkflow(
	{ page, base, screenshot }: ExampleChecks,
	workflowId: string,
	trigger: string,
	lastNode: string,
	run = '',
): Promise<void> {
	await page.goto(`${base}/workflow/${workflowId}`);
	const canvasNode = (name: string) =>
		page.getByTestId('canvas-node').filter({ hasText: name }).first();
	await canvasNode(lastNode).waitFor();
	const chooser = page.getByRole('button', { name: 'Select trigger node' });
	if (await chooser.isVisible()) {
		await chooser.click();
		await page.getByRole('menuitem').filter({ hasText: trigger }).first().click();
	}
	const button = page.getByTestId('execute-workflow-button');
	await button.click();
	await canvasNode(lastNode)
		.getByTestId('canvas-node-status-success')
		.waitFor({ timeout: 120_000 });
	await page.getByText('Workflow executed successfully').first().waitFor();
	await screenshot(`example ${workflowId} from ${trigger} ${run} canvas`);
	// What a user looks at next: the last node's output.
	await canvasNode(lastNode).dblclick();
	await outputPanel(page).waitFor();
}

export async function checkExamples(context: ExampleChecks): Promise<void> {
	const { page, check, api, pki, examples } = context;
	const organization = api.organization;
	const rotation = examples['scheduled-rotation.json'];
	const alertAndCleanup = examples['expiry-alert-and-cleanup.json'];

	await check(
		'expiry alert example: Execute workflow from its trigger shows an alert per certificate due, and changes nothing',
		async () => {
			const before = JSON.stringify([...organization.certificates.keys()]);
			const logged = api.log.length;
			await executeWorkflow(
				context,
				alertAndCleanup.id!,
				'Certificate expiring soon',
				'Send alert',
			);
			await outputShows(page, /"Payments partner CA" \(cert_\w+\) expires in \d+ days/);
			await outputShows(page, /has expired\. Replace it now/);
			assert.equal(JSON.stringify([...organization.certificates.keys()]), before);
			assert.ok(api.log.slice(logged).every((request) => request.method === 'GET'));
		},
	);

	const due = ['Payments partner CA', 'Production client CA 2026'].map((name) => ({
		name,
		old: named(organization, name)[0],
		places: [] as string[],
	}));
	await check(
		'scheduled rotation example, first Execute workflow: each certificate due gets its renewed CA in a canary project, then the run pauses',
		async () => {
			for (const certificate of due) {
				assert.ok(certificate.old, `the seed has ${certificate.name}`);
				certificate.places = organization.whereActive(certificate.old.id);
			}
			assert.deepEqual(
				due[0].places,
				['proj_payments'],
				'Payments partner CA is active only for a project',
			);
			await executeWorkflow(context, rotation.id!, 'Every day at 06:00', 'Rotate', 'first run');
			for (const { name, old, places } of due) {
				assert.deepEqual(
					organization.whereActive(old.id),
					places,
					`${name}: the old certificate is untouched`,
				);
				// The renewed CA from the sandbox PKI, named with the pause's mark until the next run goes on.
				const renewed = [...organization.certificates.values()].find(
					(certificate) => certificate.content === pki.renewed(name),
				);
				assert.ok(renewed, `${name}: the renewed CA from the sandbox PKI is uploaded`);
				assert.equal(renewed.name, `${name} (Rotate paused after canary)`);
				assert.deepEqual(
					organization.whereActive(renewed.id),
					[name === 'Payments partner CA' ? 'proj_payments' : 'proj_internal'],
					`${name}: active in its canary only`,
				);
			}
			await outputShows(page, /paused/);
		},
	);

	await check(
		'scheduled rotation example, next Execute workflow: the rotations finish, the one active only in a project too',
		async () => {
			await executeWorkflow(context, rotation.id!, 'Every day at 06:00', 'Rotate', 'next run');
			for (const { name, old, places } of due) {
				assert.equal(
					organization.certificates.has(old.id),
					false,
					`${name}: the old certificate is deleted`,
				);
				const renewed = named(organization, name);
				assert.equal(renewed.length, 1, `${name}: one renewed certificate`);
				assert.equal(renewed[0].content, pki.renewed(name));
				const canary = name === 'Payments partner CA' ? [] : ['proj_internal'];
				assert.deepEqual(
					organization.whereActive(renewed[0].id),
					[...places, ...canary],
					`${name}: active where the old one was`,
				);
			}
			await outputShows(page, /newCertificateId/);
		},
	);

	await check(
		'cleanup example: Execute workflow from its schedule deletes the expired certificates',
		async () => {
			const expired = [...organization.certificates.values()].filter(
				(certificate) => certificate.expires_at < now(),
			);
			const kept = [...organization.certificates.keys()].filter(
				(id) => !expired.some((certificate) => certificate.id === id),
			);
			assert.ok(expired.length >= 2, 'the seed has expired certificates');
			await executeWorkflow(
				context,
				alertAndCleanup.id!,
				'Every day at 07:00',
				'Delete expired certificates',
			);
			assert.deepEqual([...organization.certificates.keys()].sort(), kept.sort());
			assert.ok(
				[...organization.certificates.values()].every(
					(certificate) => certificate.expires_at > now() + DAY,
				),
			);
			await outputShows(page, /certificate\.deleted/);
		},
	);

	await check(
		'change alert example: Execute workflow from its trigger shows the deletions by the cleanup, made with the sandbox credential, and nothing the rotation job did',
		async () => {
			const changeAlert = examples['certificate-change-alert.json'];
			const byRotationJob = auditLogOf(api.organization).events.filter(
				(event) => event.actor.api_key?.id === SANDBOX_ROTATION_JOB.actor.api_key.id,
			);
			assert.ok(byRotationJob.length > 0, 'the rotation example ran as the rotation job');
			await executeWorkflow(
				context,
				changeAlert.id!,
				'Certificate changed, not by the rotation job',
				'Send alert',
			);
			await outputShows(
				page,
				/deleted for the organization by API key key_sandbox1 of admin1@sandbox\.local/,
			);
			const shown = await outputPanel(page).innerText();
			assert.ok(!shown.includes(SANDBOX_ROTATION_JOB.actor.api_key.id), shown.slice(0, 2000));
		},
	);
}
