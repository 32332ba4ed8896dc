/**
 * Settling a write whose outcome is unclear. A write that must not be repeated blind (an upload) names
 * how to find what it makes; after an attempt that may have reached the API without a usable answer
 * (a connection lost after sending, a timeout, a 5xx, a 2xx of the wrong shape) the request loop looks.
 */
import type { INode } from 'n8n-workflow';

import type { FailedCall } from './errors';
import { apiError, asNodeError } from './errors';

/**
 * Found: that is the call's result and nothing is sent again. Not found: the attempt did not take
 * effect and the write is repeated within Max Retries. The lookup failing: the call fails saying its
 * outcome is unknown and how to check.
 */
export interface Reconcile {
	/** The write, for messages: 'the upload'. */
	what: string;
	/** What the write made, or undefined when there is none. */
	find: () => Promise<unknown>;
	/** How a person checks by hand whether the write took effect. */
	check: string;
}

/** The lookup after an unclear attempt: what it found (undefined: nothing), or an error saying the outcome is unknown. */
export async function reconciled(
	node: INode,
	reconcile: Reconcile,
	failure: FailedCall,
	apiKey: string,
): Promise<unknown> {
	try {
		return await reconcile.find();
	} catch (lookupError) {
		const error = apiError(node, failure, apiKey);
		const lookup = asNodeError(node, lookupError, failure.itemIndex).message;
		error.message = `Whether ${reconcile.what} took effect is unknown: ${error.message}, and looking for its result failed (${lookup})`;
		error.description = `${reconcile.check} ${error.description ?? ''}`.trim();
		error.context.outcome = 'unknown';
		throw error;
	}
}
