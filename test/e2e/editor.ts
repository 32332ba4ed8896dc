/**
 * Editor check in a real browser: headless Debian Chromium driven by playwright-core against the real
 * n8n 2.41.1 with the package installed and the sandbox organization (its own fake Admin API, seeded as
 * `npm start` seeds it, with the examples as `npm start` imports them). Part of the 2.41.1 end-to-end suite,
 * in its running app (e2e.ts; `E2E_EDITOR=0` leaves it out); alone: `npm run test:editor`, which starts an
 * app for it. Screenshots go to .cache/editor-screenshots/ (not committed, never packed). Prints "N passed, N failed".
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import { auditLogOf } from '../../sandbox/auditLog';
import type { ExampleWorkflow } from '../../sandbox/examples';
import {
	SANDBOX_MTLS_CREDENTIAL,
	SANDBOX_ROTATION_JOB,
	sandboxExamples,
} from '../../sandbox/examples';
import type { SandboxPki } from '../../sandbox/pki';
import { startSandboxPki } from '../../sandbox/pki';
import { sandboxCredentialData, sandboxMtlsCredentialData, seedSandbox } from '../../sandbox/seed';
import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { prepareApp } from '../../sandbox/n8nApp';
import { appInstalled, PACKAGE_TYPE, ROOT } from '../../sandbox/appInstall';
import { reporter } from './reporter';
import type { RunningApp } from './runningApp';
import { startRunning } from './runningApp';
import type { Imports } from './workflows';
import { importInto } from './workflows';
import { checkCredentialTest } from './editorCredential';
import { checkExamples } from './editorExamples';

// Under .cache: a dot folder, so n8n-node build (which copies every *.png outside dist and node_modules into dist)
// never packs a screenshot.
const ARTIFACTS = join(ROOT, '.cache', 'editor-screenshots');
const CREDENTIAL = { id: 'openai-admin-api', name: 'OpenAI Admin API (sandbox)' };
type Check = (name: string, body: () => Promise<void>) => Promise<void>;

async function screenshot(page: Page, name: string): Promise<void> {
	await page.screenshot({
		path: join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`),
	});
}

export interface EditorChecks {
	/** Runs the checks in the running app, reporting each through `check`. */
	run(running: RunningApp, check: Check): Promise<void>;
	close(): Promise<void>;
}

interface Sandbox {
	api: FakeAdminApi;
	pki: SandboxPki;
	examples: Record<string, ExampleWorkflow>;
	spare: { id: string };
	workflowId: string;
	/** The sandbox credential's data: the mTLS host and the admin client (the organization enforces mTLS). */
	data: Record<string, string>;
}

/**
 * Stages the editor checks' sandbox: its fake Admin API (seeded), PKI, credentials (the sandbox's and the
 * rotation job's), the check's workflow and the examples, for the app's one import and start.
 */
export async function prepareEditorChecks(imports: Imports): Promise<EditorChecks> {
	mkdirSync(ARTIFACTS, { recursive: true });
	const api = await startFakeAdminApi();
	const admin = seedSandbox(api.organization);
	const data = sandboxCredentialData(api, admin);
	const pki = await startSandboxPki();
	// The examples as npm start imports them.
	auditLogOf(api.organization).addKey(SANDBOX_ROTATION_JOB.key, SANDBOX_ROTATION_JOB.actor);
	const examples = sandboxExamples(join(ROOT, 'examples'), {
		pkiBaseUrl: pki.baseUrl,
		rotationJob: SANDBOX_ROTATION_JOB,
		mtlsBaseUrl: api.mtls.baseUrl,
	});
	const spare = [...api.organization.certificates.values()].find(
		(certificate) => certificate.name === 'Spare CA (inactive)',
	)!;
	imports.stageCredential({
		...CREDENTIAL,
		type: 'openAiAdminApi',
		data,
	});
	imports.stageCredential({
		...SANDBOX_ROTATION_JOB.credential,
		type: 'openAiAdminApi',
		data: sandboxCredentialData(api, admin, SANDBOX_ROTATION_JOB.key),
	});
	imports.stageCredential({
		...SANDBOX_MTLS_CREDENTIAL,
		type: 'openAiMtlsClientApi',
		data: sandboxMtlsCredentialData(api, admin),
	});
	const workflow = editorWorkflow(spare.id);
	await imports.stage('editorCheck', workflow, { id: workflow.id });
	for (const { file, workflow: example } of examples)
		await imports.stage(file, example, { id: example.id });
	const sandbox: Sandbox = {
		api,
		pki,
		examples: Object.fromEntries(examples.map(({ file, workflow: example }) => [file, example])),
		spare,
		workflowId: workflow.id,
		data,
	};
	return {
		run: (running, check) => runEditorChecks(running, check, sandbox),
		async close() {
			await api.close();
			await pki.close();
		},
	};
}

/** The check's workflow: a manual trigger and one node per parameter set the checks open. */
/** Every operation's panel a first-time user opens, and what it must show (labels, in the panel's text). */
const PANELS: Array<{
	name: string;
	parameters: Record<string, unknown>;
	shows: string[];
	hides?: string[];
}> = [
	{
		name: 'Panel Rotate',
		parameters: { resource: 'certificate', operation: 'rotate', options: {} },
		shows: [
			'Old Certificate',
			'New Certificate',
			'Canary Project',
			'Pause After Canary',
			'optional',
		],
	},
	{
		name: 'Panel Activate',
		parameters: { resource: 'certificate', operation: 'activate', options: {} },
		shows: ['Certificate Names or IDs', 'Options'],
		hides: ['Certificate IDs'],
	},
	{
		name: 'Panel Deactivate',
		parameters: { resource: 'certificate', operation: 'deactivate', options: {} },
		shows: ['Certificate Names or IDs'],
	},
	{
		name: 'Panel Get Many',
		parameters: {
			resource: 'certificate',
			operation: 'getAll',
			filters: { activeIn: 'project', activeInProject: { __rl: true, mode: 'list', value: '' } },
		},
		shows: ['Return All', 'Filters', 'Active In', 'Active In Project'],
		hides: ['Status in Organization'],
	},
	{
		name: 'Panel Rename',
		parameters: { resource: 'certificate', operation: 'rename' },
		shows: ['Certificate', 'Name'],
	},
	{
		name: 'Panel Upload',
		parameters: { resource: 'certificate', operation: 'upload', options: {} },
		shows: ['Input Type', 'Certificate', 'Name', 'Options'],
	},
	{
		name: 'Panel Project Activate',
		parameters: {
			resource: 'projectCertificate',
			operation: 'activate',
			projectId: { __rl: true, mode: 'list', value: '' },
			options: {},
		},
		shows: ['Project', 'Certificate Names or IDs'],
	},
	{
		name: 'Panel Project Deactivate',
		parameters: {
			resource: 'projectCertificate',
			operation: 'deactivate',
			projectId: { __rl: true, mode: 'list', value: '' },
			options: {},
		},
		shows: ['Project', 'Certificate Names or IDs'],
	},
];

function editorWorkflow(spareId: string) {
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
	return {
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
				certificateId: { __rl: true, mode: 'id', value: spareId },
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
			// One node per operation not above, for the panels' screenshots (PANELS).
			...PANELS.map(({ name, parameters }, index) => node(name, 1250 + 250 * index, parameters)),
		],
		connections: { Start: { main: [[{ node: 'Delete Spare', type: 'main', index: 0 }]] } },
	};
}

/** Signs in to the running app in Chromium and runs the checks, each leaving a screenshot. */
async function runEditorChecks(
	running: RunningApp,
	report: Check,
	{ api, pki, examples, spare, workflowId, data }: Sandbox,
): Promise<void> {
	const base = running.base;
	// n8n marks its elements with data-test-id.
	selectors.setTestIdAttribute('data-test-id');
	const browser = await chromium.launch({
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
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(30_000);

		// Each check leaves a screenshot of how the editor looked at its end.
		const check: Check = (name, body) =>
			report(name, async () => {
				try {
					await body();
				} finally {
					await screenshot(page, name).catch(() => undefined);
				}
			});
		const openNode = async (name: string) => {
			await page.goto(`${base}/workflow/${workflowId}`);
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
			await page.getByLabel('Email').fill(running.owner.email);
			await page.getByLabel('Password').fill(running.owner.password);
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

		// Each operation's panel, as a first-time user opens it: a screenshot each (the check's own at its end).
		for (const panel of PANELS) {
			await check(
				`panel: ${panel.name.replace('Panel ', '')} shows ${panel.shows.join(', ')}`,
				async () => {
					await openNode(panel.name);
					// Collections render their fields a moment after the panel opens ("Loading fields..."):
					// wait for each label, then read what is shown.
					let text = await panelText();
					for (let waited = 0; waited < 30 && text.includes('Loading fields'); waited++) {
						await page.waitForTimeout(500);
						text = await panelText();
					}
					for (const label of panel.shows)
						assert.ok(text.includes(label), `missing ${label} in: ${text.slice(0, 600)}`);
					for (const label of panel.hides ?? [])
						assert.ok(!text.includes(label), `${label} shown in: ${text.slice(0, 600)}`);
				},
			);
		}

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
			credential: CREDENTIAL,
			data,
		});

		await checkExamples({
			page,
			base,
			check,
			api,
			pki,
			examples,
			screenshot: (name) => screenshot(page, name),
		});
	} finally {
		await browser.close();
	}
}

/** `npm run test:editor`: the editor checks alone, in an app started for them. */
async function main() {
	const { check, fail, finish } = reporter();
	let app: ReturnType<typeof prepareApp> | undefined;
	let editor: EditorChecks | undefined;
	try {
		await appInstalled('2.41.1');
		app = prepareApp('2.41.1');
		const imports = await importInto(app);
		editor = await prepareEditorChecks(imports);
		await imports.flush();
		await editor.run(await startRunning(app), check);
	} catch (error) {
		fail('editor check setup', error);
	} finally {
		await app?.stopAll();
		await editor?.close();
	}
	finish();
}

if (require.main === module) void main();
