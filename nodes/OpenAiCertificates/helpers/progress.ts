/**
 * Reporting a multi-step job that stopped part-way: what was done, what failed, what was not tried.
 * Shared by activation in chunks, Delete's "Deactivate Everywhere First" and Rotate.
 */
import type { IDataObject, INode, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../transport';

export interface ProgressReport extends IDataObject {
	done: IDataObject[];
	failed: IDataObject;
	notDone: IDataObject[];
}

/** Adds the report to the error (its description and `context.report`), so a partial result is never silent. */
export function withReport(
	node: INode,
	error: unknown,
	summary: string,
	report: ProgressReport,
	itemIndex: number | undefined,
): NodeApiError | NodeOperationError {
	const wrapped = asNodeError(node, error, itemIndex);
	wrapped.description = `${summary} ${wrapped.description ?? ''}`.trim();
	wrapped.context.report = report;
	return wrapped;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs one step and hands back its result or its failure, so a runner decides what a failure means. */
export async function outcomeOf<T>(step: () => Promise<T>): Promise<Outcome<T>> {
	try {
		return { ok: true, value: await step() };
	} catch (error) {
		return { ok: false, error };
	}
}
