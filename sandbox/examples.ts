import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AuditActor } from './auditLog';

/**
 * The sandbox copy of an example workflow: what `npm start` imports (and the editor check runs). The
 * files in examples/ stay as users import them, with a placeholder PKI URL and a note saying what to
 * change; the copy downloads from the sandbox's PKI instead and says so, and has the ID the CLI import
 * needs.
 */

/** The placeholder in examples/ for where a PKI publishes renewed CAs. */
export const PKI_PLACEHOLDER = 'https://pki.example.com';

/** OpenAI's mTLS host in examples/mtls-chat-completion.json; the sandbox copy calls the sandbox's. */
export const MTLS_HOST = 'https://mtls.api.openai.com/v1';

/** The OpenAI mTLS Client API credential the examples name (npm start imports one with this ID). */
export const SANDBOX_MTLS_CREDENTIAL = {
	id: 'openai-mtls-client',
	name: 'OpenAI mTLS Client API (sandbox)',
};

/** The placeholder in examples/certificate-change-alert.json for the ID of the rotation job's admin key. */
export const ROTATION_JOB_PLACEHOLDER = 'key_ROTATION_JOB_KEY_ID';

/**
 * The sandbox's rotation job: an admin key of its own (a service account's), the credential holding it, and
 * the example it runs. The change alert example's sandbox copy ignores this key, so what the rotation example
 * does stays quiet and what a user changes with the other credential alerts — the story the example tells.
 */
export const SANDBOX_ROTATION_JOB = {
	key: 'sk-admin-sandbox-rotation-job-0123456789SECRET',
	actor: {
		type: 'api_key',
		api_key: {
			id: 'key_sandbox_rotation_job',
			type: 'service_account',
			service_account: { id: 'svc_acct_sandbox_rotation_job' },
		},
	} satisfies AuditActor,
	credential: { id: 'openai-admin-rotation-job', name: 'OpenAI Admin API (rotation job)' },
	example: 'scheduled-rotation.json',
};

export interface ExampleWorkflow {
	id?: string;
	name: string;
	nodes: Array<{
		name: string;
		parameters: Record<string, unknown>;
		notes?: string;
		[key: string]: unknown;
	}>;
	[key: string]: unknown;
}

/** Every string inside a parameter value, with the placeholder replaced. */
function replaced(value: unknown, from: string, to: string): unknown {
	if (typeof value === 'string') return value.split(from).join(to);
	if (Array.isArray(value)) return value.map((entry) => replaced(entry, from, to));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, replaced(entry, from, to)]),
		);
	}
	return value;
}

/** An ID for the CLI import, stable per file (the editor's Import from File makes one up instead). */
export function exampleId(file: string): string {
	return `example${file.replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 16);
}

/** Where the sandbox copies point: the sandbox PKI, and (with the sandbox API, not a real one) its rotation job. */
export interface SandboxPlaces {
	pkiBaseUrl: string;
	rotationJob?: typeof SANDBOX_ROTATION_JOB;
	/** The sandbox's mTLS host (its /v1 base URL). */
	mtlsBaseUrl?: string;
}

export function sandboxCopyOfExample(
	workflow: ExampleWorkflow,
	file: string,
	places: SandboxPlaces,
): ExampleWorkflow {
	const nodes = workflow.nodes.map((node) => {
		let copy = withPkiOf(node, places.pkiBaseUrl);
		if (places.rotationJob) copy = withRotationJobOf(copy, file, places.rotationJob);
		if (places.mtlsBaseUrl) copy = withMtlsHostOf(copy, places.mtlsBaseUrl);
		return copy;
	});
	return { ...workflow, id: exampleId(file), active: false, nodes };
}

type ExampleNode = ExampleWorkflow['nodes'][number];

function withPkiOf(node: ExampleNode, pkiBaseUrl: string): ExampleNode {
	if (!JSON.stringify(node.parameters).includes(PKI_PLACEHOLDER)) return node;
	return {
		...node,
		parameters: replaced(node.parameters, PKI_PLACEHOLDER, pkiBaseUrl) as Record<string, unknown>,
		notes: `Sandbox copy: downloads from the sandbox PKI (${pkiBaseUrl}). In examples/ this is ${PKI_PLACEHOLDER}, to be replaced by your PKI.`,
		notesInFlow: true,
	};
}

function withMtlsHostOf(node: ExampleNode, mtlsBaseUrl: string): ExampleNode {
	if (!JSON.stringify(node.parameters).includes(MTLS_HOST)) return node;
	return {
		...node,
		parameters: replaced(node.parameters, MTLS_HOST, mtlsBaseUrl) as Record<string, unknown>,
		notes: `Sandbox copy: calls the sandbox's mTLS host (${mtlsBaseUrl}) with the credential "${SANDBOX_MTLS_CREDENTIAL.name}". In examples/ this is ${MTLS_HOST}; the URL must be below the credential's mTLS Base URL.`,
		notesInFlow: true,
	};
}

/** The rotation example runs with the rotation job's credential; the change alert ignores that key. */
function withRotationJobOf(
	node: ExampleNode,
	file: string,
	job: typeof SANDBOX_ROTATION_JOB,
): ExampleNode {
	const credentials = node.credentials as Record<string, unknown> | undefined;
	if (file === job.example && credentials?.openAiAdminApi)
		return { ...node, credentials: { ...credentials, openAiAdminApi: job.credential } };
	if (!JSON.stringify(node.parameters).includes(ROTATION_JOB_PLACEHOLDER)) return node;
	const keyId = job.actor.api_key.id;
	return {
		...node,
		parameters: replaced(node.parameters, ROTATION_JOB_PLACEHOLDER, keyId) as Record<
			string,
			unknown
		>,
		notes: `Sandbox copy: ignores changes made with the sandbox rotation job's key (${keyId}), which the scheduled rotation example uses through the credential "${job.credential.name}"; what you change with any other credential alerts. In examples/ this is ${ROTATION_JOB_PLACEHOLDER}, to be replaced by your rotation job key's ID.`,
		notesInFlow: true,
	};
}

/** The sandbox copies of every workflow in `examplesDir`, by file name. */
export function sandboxExamples(
	examplesDir: string,
	places: SandboxPlaces,
): Array<{ file: string; workflow: ExampleWorkflow }> {
	return readdirSync(examplesDir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({
			file,
			workflow: sandboxCopyOfExample(
				JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as ExampleWorkflow,
				file,
				places,
			),
		}));
}
