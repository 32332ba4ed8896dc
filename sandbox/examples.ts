import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sandbox copy of an example workflow: what `npm start` imports (and the editor check runs). The
 * files in examples/ stay as users import them, with a placeholder PKI URL and a note saying what to
 * change; the copy downloads from the sandbox's PKI instead and says so, and has the ID the CLI import
 * needs.
 */

/** The placeholder in examples/ for where a PKI publishes renewed CAs. */
export const PKI_PLACEHOLDER = 'https://pki.example.com';

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

export function sandboxCopyOfExample(
	workflow: ExampleWorkflow,
	file: string,
	pkiBaseUrl: string,
): ExampleWorkflow {
	const nodes = workflow.nodes.map((node) => {
		if (!JSON.stringify(node.parameters).includes(PKI_PLACEHOLDER)) return node;
		return {
			...node,
			parameters: replaced(node.parameters, PKI_PLACEHOLDER, pkiBaseUrl) as Record<string, unknown>,
			notes: `Sandbox copy: downloads from the sandbox PKI (${pkiBaseUrl}). In examples/ this is ${PKI_PLACEHOLDER}, to be replaced by your PKI.`,
			notesInFlow: true,
		};
	});
	return { ...workflow, id: exampleId(file), active: false, nodes };
}

/** The sandbox copies of every workflow in `examplesDir`, by file name. */
export function sandboxExamples(
	examplesDir: string,
	pkiBaseUrl: string,
): Array<{ file: string; workflow: ExampleWorkflow }> {
	return readdirSync(examplesDir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({
			file,
			workflow: sandboxCopyOfExample(
				JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as ExampleWorkflow,
				file,
				pkiBaseUrl,
			),
		}));
}
