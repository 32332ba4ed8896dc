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
	headers?: Record<string, unknown>;
	/** OpenAI's x-request-id of the answer, which OpenAI support asks for. */
	requestId?: string;
	/** For a 2xx answer that does not have the spec's shape: what is wrong with it. */
	invalidAnswer?: string;
	/** For a reconciled write: the lookup after this failure found nothing, so the write did not take effect. */
	lookedUp?: 'absent' | 'not yet';
	/** The request's path segments, to tell a missing project from a missing certificate. */
	path?: readonly string[];
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
	if (body === undefined || body === '') return 'an empty body';
	if (body === null) return 'JSON null';
	if (typeof body === 'string') {
		// Only the beginning is described: the patterns below must stay cheap on a hostile 8 MB page.
		const head = body.slice(0, 4096);
		const text = head
			.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
			.replace(/<[^>]*>/g, ' ')
			.replace(/\s+/g, ' ')
			.trim();
		const kind = /<html|<!doctype/i.test(head) ? 'an HTML page' : 'a non-JSON body';
		if (text === '') return kind;
		return `${kind}: "${text.length > 160 ? `${text.slice(0, 157)}...` : text}"`;
	}
	if (typeof body !== 'object') return `JSON ${String(body)}`;
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
	EANSWERTOOLARGE: 'The answer of the OpenAI Admin API was larger than 8 MB and was not read',
	Z_DATA_ERROR:
		'The answer of the OpenAI Admin API could not be decoded (its gzip/deflate compression is broken)',
	Z_BUF_ERROR:
		'The answer of the OpenAI Admin API could not be decoded (its compressed data is cut short)',
	ERR_TLS_CERT_ALTNAME_INVALID:
		'The TLS certificate of the Admin API host does not name that host (wrong host certificate); the key was not sent',
	DEPTH_ZERO_SELF_SIGNED_CERT:
		'The TLS certificate of the Admin API host is self-signed and not trusted; the key was not sent',
	SELF_SIGNED_CERT_IN_CHAIN:
		'The TLS certificate chain of the Admin API host ends in an untrusted self-signed certificate; the key was not sent',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		'The TLS certificate of the Admin API host could not be verified (unknown issuer); the key was not sent',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		'The TLS certificate of the Admin API host could not be verified (unknown issuer); the key was not sent',
	CERT_HAS_EXPIRED: 'The TLS certificate of the Admin API host has expired; the key was not sent',
};

const TLS_CODES = /^(ERR_TLS_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|CERT_|ERR_SSL_)/;

/**
 * Whether OpenAI refused because the certificate is still active. The status and body are undocumented:
 * the API reference words the rule "The certificate must be inactive for the organization and all
 * projects"; an error code naming the rule (certificate_active, certificate_in_use,
 * certificate_must_be_inactive, ...) counts too.
 */
export function refusedAsActive(
	error: { message?: string; code?: string | null } | undefined,
): boolean {
	if (!error) return false;
	const code = typeof error.code === 'string' ? error.code : '';
	if (/(^|_)(active|in_use|still_active)($|_)/i.test(code) && !/inactive/i.test(code)) return true;
	if (/(^|_)must_be_(inactive|deactivated)($|_)/i.test(code)) return true;
	const message = typeof error.message === 'string' ? error.message : '';
	return (
		/\bmust be (inactive|deactivated)\b/i.test(message) ||
		/\b(is|are) (still |currently )?(active|in use)\b/i.test(message) ||
		/\bactive certificates? cannot be deleted\b/i.test(message) ||
		/\bdeactivate (it|the certificate)\b/i.test(message)
	);
}

/**
 * OpenAI's request-time mTLS codes (Mutual TLS guide) on an Admin API request: the organization enforces
 * mTLS, and the help centre says that covers admin requests too.
 */
const ENFORCED =
	'A certificate is active for the organization, so OpenAI requires a client certificate on Admin API requests too (help centre: "OpenAI Mutual TLS Beta Program").';
const WAY_BACK =
	'The OpenAI dashboard needs no client certificate: an organization owner can deactivate certificates there.';
const CLIENT_CERTIFICATE_FIXES: Record<string, string> = {
	certificate_required: `${ENFORCED} Add a Client Certificate and Private Key issued by a CA active for the organization to the OpenAI Admin API credential, and choose an mTLS host as its Host. ${WAY_BACK}`,
	certificate_verification_failed: `${ENFORCED} The credential's client certificate does not chain to a certificate active for the organization (or is expired, or not for client authentication): put one issued by an active CA into the OpenAI Admin API credential, the leaf first, then its intermediates. ${WAY_BACK}`,
	invalid_certificate: `${ENFORCED} OpenAI could not use the credential's client certificate: it must parse and carry an Authority Key Identifier. ${WAY_BACK}`,
	certificate_attribute_verification_failed: `${ENFORCED} The credential's client certificate chains to an active CA, but that CA's filter (set in the dashboard, invisible to the API) refused its subject or subject alternative names. ${WAY_BACK}`,
};

function fixFor(failure: FailedCall, apiError: OpenAiErrorBody | undefined): string {
	const tries = failure.attempts > 1 ? ` It was tried ${failure.attempts} times.` : '';
	const status = failure.status;
	if (failure.invalidAnswer !== undefined) {
		const more = failure.lookedUp ? '' : ' and nothing more was sent for this item';
		return `The answer does not have the shape of OpenAI's API reference (${failure.invalidAnswer}), so it was not used${more}.${tries} Check that the Base URL in the credential points to the OpenAI Admin API and not to a proxy's login or error page.`;
	}
	if (status === undefined && TLS_CODES.test(failure.code ?? '')) {
		return `Check the Base URL in the OpenAI Admin API credential: its host must present a certificate trusted by this n8n instance for that exact name (${failure.code}).`;
	}
	if (status === undefined && /^Z_/.test(failure.code ?? '')) {
		return `A proxy between n8n and the API may be mangling compressed answers; check it, or the Base URL in the credential (${failure.code}).${tries}`;
	}
	if (status === undefined) {
		return `Check the Base URL in the OpenAI Admin API credential and the network between n8n and the API, or raise the Timeout option (${failure.code ?? 'no error code'}).${tries}`;
	}
	const certificateFix = CLIENT_CERTIFICATE_FIXES[apiError?.code ?? ''];
	if (certificateFix !== undefined) return certificateFix;
	if (status === 401) {
		return 'Check the Admin API Key in the OpenAI Admin API credential: it must be an organization admin key (sk-admin-...) from the Admin keys page of the OpenAI platform settings. Project and user keys are refused by admin endpoints.';
	}
	if (status === 403) {
		return 'The key was accepted but may not do this. Use an admin key created by an organization owner, and check that the organization may use certificates (mTLS).';
	}
	if (status === 404 && failure.path?.[1] === 'projects' && failure.path.length > 2) {
		return 'Check the project: the project ID may be wrong, or the project may have been deleted. List the projects in the Project field (From List).';
	}
	if (status === 404) {
		return 'Check the ID: list what exists with a Get Many operation. If the certificate may already be gone (a cleanup job running twice), turn on the Ignore Not Found option of Delete.';
	}
	if (status >= 400 && status < 500 && refusedAsActive(apiError)) {
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
	if (failure.invalidAnswer !== undefined) {
		message = `The OpenAI Admin API answered HTTP ${failure.status} with ${typeof failure.body === 'object' && failure.body !== null ? 'JSON' : describeBody(failure.body)} that is not what the API reference promises`;
	} else if (failure.status === undefined) {
		// The code goes into the description: n8n replaces a message that names a Node.js error code.
		message =
			CONNECTION_MESSAGES[failure.code ?? ''] ?? 'The connection to the OpenAI Admin API failed';
	} else if (details?.message) {
		message = details.message;
	} else {
		message = `The OpenAI Admin API answered HTTP ${failure.status} with ${describeBody(failure.body)}`;
	}
	message = redact(message, secret);
	const support = failure.requestId
		? ` OpenAI request ID (for support): ${failure.requestId}.`
		: '';
	const lookedUp =
		failure.lookedUp === 'absent'
			? ' Afterwards the organization was searched for what the request makes: it is not there, so the request did not take effect.'
			: failure.lookedUp === 'not yet'
				? ' Afterwards the organization was searched for what the request makes: it was not there yet, but the API may still have been working on it when the connection was lost, so whether it takes effect is unknown. Look for it (Get Many, Matches Certificate) before sending it again.'
				: '';
	const description = redact(`${fixFor(failure, details)}${lookedUp}${support}`, secret);
	const response: JsonObject = { message };
	if (details?.type) response.type = redact(details.type, secret);
	if (details?.code) response.code = redact(details.code, secret);
	if (details?.param) response.param = redact(details.param, secret);
	if (failure.requestId) response.request_id = redact(failure.requestId, secret);
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: failure.status === undefined ? undefined : String(failure.status),
		itemIndex: failure.itemIndex,
	});
	const status = failure.status ?? 0;
	if (status >= 400 && status < 500 && refusedAsActive(details))
		error.context.refusedAsActive = true;
	return error;
}

/** Whether the API refused a call because a certificate is still active (see `refusedAsActive`). */
export function isRefusedAsActive(error: unknown): boolean {
	return error instanceof NodeApiError && error.context.refusedAsActive === true;
}

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
