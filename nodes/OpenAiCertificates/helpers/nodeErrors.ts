import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The same failure for another item: a copy naming that item (a read shared by several items fails for
 * each of them). Anything but a node error is handed back as it is (`asNodeError` names the item then).
 */
export function errorForItem(error: unknown, itemIndex: number | undefined): unknown {
	if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) return error;
	const copy = Object.create(
		Object.getPrototypeOf(error) as object,
		Object.getOwnPropertyDescriptors(error),
	) as NodeApiError | NodeOperationError;
	copy.context = { ...error.context, itemIndex };
	return copy;
}

/**
 * An error as n8n expects it from a node, naming the item: a NodeApiError or NodeOperationError is
 * handed back as it is (n8n's constructors would hand back the original too), with the item added if
 * it named none; anything else becomes a NodeOperationError.
 */
export function asNodeError(
	node: INode,
	error: unknown,
	itemIndex: number | undefined,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}

/** A refusal before anything is sent: what was wrong with the input (message) and how to fix it (description). */
export function refusal(
	node: INode,
	itemIndex: number,
	message: string,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex, description: fix });
}
