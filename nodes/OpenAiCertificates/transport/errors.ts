/**
 * Turns a failed Admin API call into a NodeApiError: the message says what happened (OpenAI's own
 * words when it sent any), the description says how to fix it. Nothing here ever sees the key:
 * every text passes `redact` first.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface FailedCall {
	status?: number;
	/** The response body as received: parsed JSON, text (HTML, plain) or nothing. */
	body?: unknown;
	/** A connection failure code such as ECONNRESET, when no response came. */
	code?: string;
	attempts: number;
	itemIndex?: number;
	/** A pause the server asked for that was too long to wait for, in milliseconds. */
	retryAfterMs?: number;
}

const SECRET_PATTERN = /\bsk-(?:admin-|proj-|svcacct-)?[A-Za-z0-9_\-*]{12,}/g;

/** Removes the admin key, and anything shaped like an OpenAI key, from a text. */
export function redact(text: string, secret: string | undefined): string {
	let result = text;
	if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
	return result.replace(SECRET_PATTERN, 'sk-[redacted]');
}

interface OpenAiErrorBody {
	message?: string;
	type?: string;
	param?: string | null;
	code?: string | null;
}

export function openAiError(body: unknown): OpenAiErrorBody | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const error = (body as { error?: unknown }).error;
	if (typeof error === 'object' && error !== null) return error as OpenAiErrorBody;
	if (typeof error === 'string') return { message: error };
	return undefined;
}

function describeBody(body: unknown): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string') {
		const text = body
			.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
			.replace(/<[^>]*>/g, ' ')
			.replace(/\s+/g, ' ')
			.trim();
		const kind = /<html|<!doctype/i.test(body) ? 'an HTML page' : 'a non-JSON body';
		if (text === '') return kind;
		return `${kind}: "${text.length > 160 ? `${text.slice(0, 157)}...` : text}"`;
	}
	return 'a JSON body without an error message';
}

const CONNECTION_MESSAGES: Record<string, string> = {
	ECONNREFUSED: 'The OpenAI Admin API refused the connection',
	ECONNRESET: 'The connection to the OpenAI Admin API was closed unexpectedly',
	ECONNABORTED: 'The request to the OpenAI Admin API timed out',
	ETIMEDOUT: 'The request to the OpenAI Admin API timed out',
	ESOCKETTIMEDOUT: 'The request to the OpenAI Admin API timed out',
	ENOTFOUND: 'The host of the OpenAI Admin API base URL was not found',
	EAI_AGAIN: 'The host of the OpenAI Admin API base URL could not be resolved',
};

export function mentionsActiveCertificate(message: string | undefined): boolean {
	return (
		message !== undefined && /\bactive\b/i.test(message) && !/\binactive\b.*\bnot\b/i.test(message)
	);
}

function fixFor(failure: FailedCall, apiMessage: string | undefined): string {
	const tries = failure.attempts > 1 ? ` It was tried ${failure.attempts} times.` : '';
	const status = failure.status;
	if (status === undefined) {
		return `Check the Base URL in the OpenAI Admin API credential and the network between n8n and the API, or raise the Timeout option (${failure.code ?? 'no error code'}).${tries}`;
	}
	if (status === 401) {
		return 'Check the Admin API Key in the OpenAI Admin API credential: it must be an organization admin key (sk-admin-...) from the Admin keys page of the OpenAI platform settings. Project and user keys are refused by admin endpoints.';
	}
	if (status === 403) {
		return 'The key was accepted but may not do this. Use an admin key created by an organization owner, and check that the organization may use certificates (mTLS).';
	}
	if (status === 404) {
		return 'Check the ID: list what exists with a Get Many operation. If the certificate may already be gone (a cleanup job running twice), turn on the Ignore Not Found option of Delete.';
	}
	if (status >= 400 && status < 500 && mentionsActiveCertificate(apiMessage)) {
		return 'A certificate must be inactive for the organization and for every project before it can be deleted. Turn on the Deactivate Everywhere First option of Delete, or deactivate it in the organization and each project first.';
	}
	if (status === 429) {
		const wait =
			failure.retryAfterMs !== undefined
				? ` The API asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} seconds, longer than the node waits on its own.`
				: '';
		return `The Admin API rate limit was reached.${tries}${wait} Wait before running again, send fewer items per execution, or raise the Max Retries option.`;
	}
	if (status >= 500) {
		return `The OpenAI Admin API failed on its side.${tries} Try again later, or check OpenAI's status page.`;
	}
	if (status >= 300 && status < 400) {
		return 'The Admin API does not redirect; the node does not follow redirects so the key is never sent elsewhere. Check the Base URL in the credential.';
	}
	return 'Check the parameter the error names, and the values the node sent.';
}

export function apiError(
	node: INode,
	failure: FailedCall,
	secret: string | undefined,
): NodeApiError {
	const details = openAiError(failure.body);
	let message: string;
	if (failure.status === undefined) {
		// The code goes into the description: n8n replaces a message that names a Node.js error code.
		message =
			CONNECTION_MESSAGES[failure.code ?? ''] ?? 'The connection to the OpenAI Admin API failed';
	} else if (details?.message) {
		message = details.message;
	} else {
		message = `The OpenAI Admin API answered HTTP ${failure.status} with ${describeBody(failure.body)}`;
	}
	message = redact(message, secret);
	const description = redact(fixFor(failure, details?.message), secret);
	const response: JsonObject = { message };
	if (details?.type) response.type = redact(details.type, secret);
	if (details?.code) response.code = redact(details.code, secret);
	if (details?.param) response.param = redact(details.param, secret);
	return new NodeApiError(node, response, {
		message,
		description,
		httpCode: failure.status === undefined ? undefined : String(failure.status),
		itemIndex: failure.itemIndex,
	});
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
