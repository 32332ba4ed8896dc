/**
 * Reporting a multi-step job that stopped part-way: what was done, what failed, what was not tried.
 * Shared by activation in chunks, Delete's "Deactivate Everywhere First" and Rotate.
 */
import type { IDataObject, INode, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from './nodeErrors';

export interface ProgressReport extends IDataObject {
	done: IDataObject[];
	/** The step that failed; its `status` says whether it took effect: 'not done' or 'unknown'. */
	failed: IDataObject;
	notDone: IDataObject[];
	/** What running the same job again does. */
	rerun: string;
}

/**
 * What a failed write did: 'unknown' when the API may have acted on it (its answer was lost, a 5xx, an
 * answer that could not be read), else 'not done'. The transport marks its errors (`context.outcome`).
 */
export function failedOutcome(error: unknown): 'not done' | 'unknown' {
	const outcome = (error as { context?: { outcome?: unknown } } | undefined)?.context?.outcome;
	return outcome === 'unknown' ? 'unknown' : 'not done';
}

/**
 * Adds the report to the error (its description and `context.report`), so a partial result is never
 * silent: the summary, then what a re-run does, then the error's own description.
 */
export function withReport(
	node: INode,
	error: unknown,
	summary: string,
	report: ProgressReport,
	itemIndex: number | undefined,
): NodeApiError | NodeOperationError {
	const wrapped = asNodeError(node, error, itemIndex);
	wrapped.description = `${summary} ${report.rerun} ${wrapped.description ?? ''}`.trim();
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
