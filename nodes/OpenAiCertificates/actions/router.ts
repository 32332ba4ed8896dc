import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { checkNumber } from '../helpers/numbers';
import { asNodeError } from '../helpers/nodeErrors';
import * as certificate from './certificate';
import type { Operation } from './node.type';
import { CONCURRENCY } from './shared/parameters';
import * as projectCertificate from './projectCertificate';

/** Each resource's operations, keyed by the values of its Operation options. */
const resources = {
	certificate: certificate.operations,
	projectCertificate: projectCertificate.operations,
};

/** The values of the Resource options. */
export type Resource = keyof typeof resources;

/** The operation the parameters name, or undefined when there is none by that name. */
export function findOperation(resource: string, operation: string): Operation | undefined {
	const operations = new Map<string, Record<string, Operation>>(Object.entries(resources));
	return new Map(Object.entries(operations.get(resource) ?? {})).get(operation);
}

function errorJson(error: unknown): IDataObject {
	const json: IDataObject = { error: error instanceof Error ? error.message : String(error) };
	if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) return json;
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	// A job that failed part-way says what it did and did not do.
	if (error.context.report) json.report = error.context.report;
	return json;
}

/** The Concurrency option: how many items run at once (1 unless the operation's options say more). */
function readConcurrency(this: IExecuteFunctions): number {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	return checkNumber(this.getNode(), options.concurrency ?? 1, CONCURRENCY);
}

/**
 * The item loop: runs the chosen operation for each input item, up to Concurrency at once, pairs
 * what it returns to that item, and under Continue On Fail turns a failure into an error item paired
 * to it, so N items in give at least N items out, in input order. Without Continue On Fail the first
 * failure (in input order) stops the run: no new item is started, items in flight finish.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = String(this.getNodeParameter('resource', 0));
	const operationName = String(this.getNodeParameter('operation', 0));
	const operation = findOperation(resource, operationName);
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	const concurrency = Math.min(readConcurrency.call(this), Math.max(items.length, 1));
	const continueOnFail = this.continueOnFail();

	const results: INodeExecutionData[][] = new Array(items.length);
	const failures = new Map<number, unknown>();
	let next = 0;
	const worker = async () => {
		while (next < items.length && failures.size === 0) {
			const itemIndex = next++;
			try {
				const returned = await operation.execute.call(this, itemIndex);
				results[itemIndex] = returned.map((result) => ({
					...result,
					pairedItem: { item: itemIndex },
				}));
			} catch (error) {
				if (continueOnFail)
					results[itemIndex] = [{ json: errorJson(error), pairedItem: { item: itemIndex } }];
				else failures.set(itemIndex, error);
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));

	if (failures.size > 0) {
		const itemIndex = Math.min(...failures.keys());
		throw asNodeError(this.getNode(), failures.get(itemIndex), itemIndex);
	}
	return [results.flat()];
}
