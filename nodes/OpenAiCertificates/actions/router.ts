import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../transport';
import * as certificate from './certificate';
import * as projectCertificate from './projectCertificate';

export interface Operation {
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

const resources: Record<string, Record<string, Operation>> = {
	certificate: certificate.operations,
	projectCertificate: projectCertificate.operations,
};

function errorJson(error: unknown): IDataObject {
	const json: IDataObject = { error: (error as Error)?.message ?? String(error) };
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.description) json.description = error.description;
	}
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	// A job that failed part-way says what it did and did not do.
	const report = (error as { context?: IDataObject })?.context?.report;
	if (report) json.report = report;
	return json;
}

const MAX_CONCURRENCY = 20;

/** The Concurrency option: how many items run at once (1 unless the operation's options say more). */
function readConcurrency(this: IExecuteFunctions): number {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = options.concurrency ?? 1;
	if (
		typeof concurrency !== 'number' ||
		!Number.isInteger(concurrency) ||
		concurrency < 1 ||
		concurrency > MAX_CONCURRENCY
	) {
		throw new NodeOperationError(
			this.getNode(),
			`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${String(concurrency)}`,
		);
	}
	return concurrency;
}

/**
 * The item loop: runs the chosen operation for each input item, up to Concurrency at once, pairs
 * what it returns to that item, and under Continue On Fail turns a failure into an error item paired
 * to it, so N items in give at least N items out, in input order. Without Continue On Fail the first
 * failure (in input order) stops the run: no new item is started, items in flight finish.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
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
