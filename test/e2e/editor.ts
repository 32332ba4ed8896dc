/**
 * Editor check in a real browser: headless Debian Chromium driven by playwright-core against the real
 * n8n 2.41.1 with the package installed and the sandbox organization. Screenshots go to
 * test-artifacts/editor/ (not committed). Prints "N passed, N failed".
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import { auditLogOf } from '../../sandbox/auditLog';
import { SANDBOX_ROTATION_JOB, sandboxExamples } from '../../sandbox/examples';
import { startSandboxPki } from '../../sandbox/pki';
import { seedSandbox } from '../../sandbox/seed';
import { startFakeAdminApi } from '../../sandbox/server';
import { freePort, PACKAGE_TYPE, prepareApp, ROOT } from '../../sandbox/n8nApp';
import { reporter } from './reporter';
import { checkCredentialTest } from './editorCredential';
import { checkExamples } from './editorExamples';

const OWNER = {
	email: 'owner@editor.check',
	password: 'Editor-Check-Password-1',
	firstName: 'Editor',
	lastName: 'Check',
};
const ARTIFACTS = join(ROOT, 'test-artifacts', 'editor');

async function main() {
	let checks = reporter();
	mkdirSync(ARTIFACTS, { recursive: true });
	const api = await startFakeAdminApi();
	seedSandbox(api.organization);
	const pki = await startSandboxPki();
	// The examples as npm start imports them.
	auditLogOf(api.organization).addKey(SANDBOX_ROTATION_JOB.key, SANDBOX_ROTATION_JOB.actor);
	const examples = sandboxExamples(join(ROOT, 'examples'), {
		pkiBaseUrl: pki.baseUrl,
		rotationJob: SANDBOX_ROTATION_JOB,
	});
	const spare = [...api.organization.certificates.values()].find(
		(certificate) => certificate.name === 'Spare CA (inactive)',
	)!;
	const app = prepareApp('2.41.1');
	let browser: import('playwright-core').Browser | undefined;
	try {
		const files = mkdtempSync(join(tmpdir(), 'editor-import-'));
		writeFileSync(
			join(files, 'credentials.json'),
			JSON.stringify([
				{
					id: 'openai-admin-api',
					name: 'OpenAI Admin API (sandbox)',
					type: 'openAiAdminApi',
					data: { apiKey: api.apiKey, baseUrl: api.baseUrl },
				},
				{
					...SANDBOX_ROTATION_JOB.credential,
					type: 'openAiAdminApi',
					data: { apiKey: SANDBOX_ROTATION_JOB.key, baseUrl: api.baseUrl },
				},
			]),
		);
		await app.cli(['import:credentials', `--input=${join(files, 'credentials.json')}`]);
		const node = (name: string, x: number, parameters: Record<string, unknown>) => ({
			id: name,
			name,
			type: `${PACKAGE_TYPE}.openAiCertificates`,
			typeVersion: 1,
			position: [x, 0],
			parameters,
			credentials: {
				openAiAdminApi: { id: 'openai-admin-api', name: 'OpenAI Admin API (sandbox)' },
			},
		});
		const workflow = {
			id: 'editorCheck00001',
			name: 'Editor check',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: 'start',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				node('Delete Spare', 250, {
					resource: 'certificate',
					operation: 'delete',
					certificateId: { __rl: true, mode: 'id', value: spare.id },
					options: {},
				}),
				node('Upload From File', 500, {
					resource: 'certificate',
					operation: 'upload',
					inputType: 'binary',
					binaryPropertyName: 'data',
					options: {},
				}),
				node('Project Certificates', 750, {
					resource: 'projectCertificate',
					operation: 'getAll',
					projectId: { __rl: true, mode: 'list', value: '' },
				}),
				node('Get Certificate', 1000, {
					resource: 'certificate',
					operation: 'get',
					certificateId: { __rl: true, mode: 'list', value: '' },
				}),
			],
			connections: { Start: { main: [[{ node: 'Delete Spare', type: 'main', index: 0 }]] } },
		};
		// The check's workflow and the examples in one import: each n8n CLI command is a start of n8n (seconds).
		const workflows = join(files, 'workflows');
		mkdirSync(workflows);
		writeFileSync(join(workflows, 'workflow.json'), JSON.stringify(workflow));
		for (const { file, workflow: example } of examples)
			writeFileSync(join(workflows, file), JSON.stringify(example));
		await app.cli(['import:workflow', '--separate', `--input=${workflows}`]);

		const port = await freePort();
		await app.start(port);
		const base = `http://127.0.0.1:${port}`;
		const setup = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		assert.ok(setup.ok, `owner setup answered ${setup.status}`);

		// n8n marks its elements with data-test-id.
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--disable-dev-shm-usage',
			],
		});
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(30_000);

		// Each check leaves a screenshot of how the editor looked at its end.
		checks = reporter(async (name) => {
			await page
				.screenshot({
					path: join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`),
				})
				.catch(() => undefined);
		});
		const { check } = checks;
		const openNode = async (name: string) => {
			await page.goto(`${base}/workflow/${workflow.id}`);
			await page.getByTestId('canvas-node').filter({ hasText: name }).first().dblclick();
			await page.getByTestId('ndv').waitFor();
		};
		// The Options collection's "Add Option" is a select whose label is its placeholder.
		const addOption = () =>
			page
				.getByTestId('ndv')
				.getByPlaceholder('Add Option')
				.or(page.getByTestId('ndv').getByText('Add Option'))
				.first();
		const panelText = async () => (await page.getByTestId('ndv').innerText()).replace(/\s+/g, ' ');
		const closeNode = async (current: Page) => current.keyboard.press('Escape');

		await check('sign in', async () => {
			await page.goto(`${base}/signin`);
			await page.getByLabel('Email').fill(OWNER.email);
			await page.getByLabel('Password').fill(OWNER.password);
			await page.getByRole('button', { name: 'Sign in' }).click();
			await page.waitForURL(/home|workflows/);
		});

		await check(
			'the nodes panel finds OpenAI Certificates and adding it opens its parameters',
			async () => {
				await page.goto(`${base}/workflow/new`);
				await page
					.getByTestId('canvas-plus-button')
					.or(page.getByTestId('node-creator-plus-button'))
					.first()
					.click();
				await page.getByTestId('node-creator-search-bar').fill('OpenAI Certificates');
				const item = page
					.getByTestId('node-creator')
					.getByTestId('item-iterator-item')
					.filter({ hasText: 'OpenAI Certificates' })
					.first();
				await item.waitFor();
				await item.click();
				// On an empty canvas n8n lists the package's triggers first and folds its actions.
				const action = page.getByTestId('node-creator').getByText('Delete a certificate').first();
				if (!(await action.isVisible()))
					await page
						.getByTestId('node-creator')
						.getByText(/^Actions \(\d+\)$/)
						.click();
				await action.click();
				await page.getByTestId('ndv').waitFor();
				// The credential selector follows Resource: since the mTLS client credential shows only for Rotate,
				// n8n places the credentials after the parameter their display depends on.
				assert.match(await panelText(), /Resource Credential Operation Certificate .*Options/);
				await addOption().waitFor();
				await closeNode(page);
			},
		);

		await check('Delete shows Certificate and Options', async () => {
			await openNode('Delete Spare');
			const text = await panelText();
			for (const label of ['Resource', 'Operation', 'Certificate', 'Options'])
				assert.ok(text.includes(label), `missing ${label} in: ${text.slice(0, 400)}`);
			assert.ok(!text.includes('Input Binary Field'));
			await addOption().click();
			for (const option of [
				'Deactivate Everywhere First',
				'Dry Run',
				'Ignore Not Found',
				'Max Retries',
				'Concurrency',
			]) {
				await page.getByText(option, { exact: true }).last().waitFor();
			}
		});

		await check('Upload from a binary file shows the binary property field', async () => {
			await openNode('Upload From File');
			const text = await panelText();
			for (const label of ['Input Type', 'Input Binary Field', 'Name'])
				assert.ok(text.includes(label), `missing ${label} in: ${text.slice(0, 400)}`);
			assert.ok(!/Certificate IDs/.test(text));
		});

		await check(
			'Project Certificate → Get Many shows Project, Return All and Limit, and the project list',
			async () => {
				await openNode('Project Certificates');
				const text = await panelText();
				for (const label of ['Project', 'Return All', 'Limit'])
					assert.ok(text.includes(label), `missing ${label} in: ${text.slice(0, 400)}`);
				await page.getByTestId('ndv').getByTestId('rlc-input').first().click();
				await page.getByText('Payments (proj_payments)').first().waitFor();
			},
		);

		await check('the certificate list mode shows the sandbox certificates by name', async () => {
			await openNode('Get Certificate');
			await page.getByTestId('ndv').getByTestId('rlc-input').first().click();
			await page
				.getByText(/Production client CA 2026 \(cert_/)
				.first()
				.waitFor();
			await page
				.getByText(/Spare CA \(inactive\) \(cert_/)
				.first()
				.waitFor();
		});

		await check('executing Delete from the editor shows the output', async () => {
			await openNode('Delete Spare');
			await page.getByTestId('node-execute-button').first().click();
			await page.getByTestId('ndv').getByText('certificate.deleted').first().waitFor();
			assert.equal(api.organization.certificates.has(spare.id), false);
		});

		await checkCredentialTest({
			page,
			base,
			check,
			api,
			credential: { id: 'openai-admin-api', name: 'OpenAI Admin API (sandbox)' },
		});

		await checkExamples({
			page,
			base,
			check,
			api,
			pki,
			examples: Object.fromEntries(examples.map(({ file, workflow: example }) => [file, example])),
			screenshot: async (name) =>
				void (await page.screenshot({
					path: join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`),
				})),
		});
	} catch (error) {
		checks.fail('editor check setup', error);
	} finally {
		await browser?.close();
		await app.stopAll();
		await api.close();
		await pki.close();
	}
	checks.finish();
}

void main();
