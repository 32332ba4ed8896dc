import type { IHttpRequestOptions } from 'n8n-workflow';

import { redact } from './errors';
import type { AdminApiContext } from './request';

/**
 * Sending one request, once: through n8n's HTTP helper with the credential (whose `authenticate` adds the
 * key, checks where it goes and turns redirects off), reading the whole answer within the timeout and
 * parsing it. Never throws for a network problem: the outcome says what happened.
 */

export const CREDENTIAL_TYPE = 'openAiAdminApi';

/** No answer of the Admin API comes near this; a bigger one is refused unread. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export type Outcome =
	| {
			kind: 'answer';
			status: number;
			headers: Record<string, unknown>;
			/** Parsed JSON, or the text when it is not JSON, or undefined when empty; the key redacted. */
			body: unknown;
	  }
	| { kind: 'failure'; code: string }
	| { kind: 'cancelled' };

interface BodyStream extends AsyncIterable<Uint8Array | string> {
	destroy(error?: Error): void;
}

interface StreamedResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function isStream(value: unknown): value is BodyStream {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as BodyStream)[Symbol.asyncIterator] === 'function' &&
		typeof (value as BodyStream).destroy === 'function'
	);
}

function coded(code: string, message: string): Error {
	return Object.assign(new Error(message), { code });
}

/** Resolves with the promise, or rejects with ETIMEDOUT when the deadline passes first. */
async function beforeDeadline<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
	let onAbort = () => {};
	const expired = new Promise<never>((_, reject) => {
		onAbort = () => reject(coded('ETIMEDOUT', 'deadline'));
		if (deadline.aborted) onAbort();
		else deadline.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([promise, expired]);
	} finally {
		deadline.removeEventListener('abort', onAbort);
	}
}

/** The whole body, before the deadline: a slow drip is cut off there, as is an oversized answer. */
async function readBody(body: unknown, deadline: AbortSignal): Promise<string> {
	if (!isStream(body)) return typeof body === 'string' ? body : '';
	const onAbort = () => body.destroy(coded('ETIMEDOUT', 'deadline'));
	deadline.addEventListener('abort', onAbort, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		if (deadline.aborted) onAbort();
		for await (const chunk of body) {
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
			size += bytes.length;
			if (size > MAX_ANSWER_BYTES) {
				body.destroy();
				throw coded('EANSWERTOOLARGE', 'answer too large');
			}
			chunks.push(bytes);
		}
	} finally {
		deadline.removeEventListener('abort', onAbort);
	}
	return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, secret: string): unknown {
	// Redacted before parsing: nothing the server echoes of the key reaches output, errors or logs.
	const safe = redact(text, secret);
	if (safe.trim() === '') return undefined;
	try {
		return JSON.parse(safe) as unknown;
	} catch {
		return safe;
	}
}

/** The error's code (its own or its cause's); a timeout or hang-up without one gets one. */
export function failureCode(error: unknown): string {
	for (const candidate of [error, (error as { cause?: unknown })?.cause]) {
		const code = (candidate as { code?: unknown } | undefined)?.code;
		if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
	}
	const message = String((error as { message?: unknown })?.message ?? '');
	if (/timeout/i.test(message)) return 'ECONNABORTED';
	if (/socket hang up|aborted/i.test(message)) return 'ECONNRESET';
	return 'UNKNOWN';
}

function isCancellation(error: unknown, code: string): boolean {
	return code === 'ERR_CANCELED' || /cancel/i.test(String((error as Error)?.name ?? ''));
}

export async function sendOnce(
	context: AdminApiContext,
	options: IHttpRequestOptions,
	secret: string,
): Promise<Outcome> {
	const deadline = AbortSignal.timeout(options.timeout ?? 30_000);
	const request = context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
		...options,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	}) as Promise<StreamedResponse>;
	// An answer that arrives after the deadline is dropped unread.
	request.then(
		(late) => deadline.aborted && isStream(late.body) && late.body.destroy(),
		() => {},
	);
	try {
		const response = await beforeDeadline(request, deadline);
		const text = await readBody(response.body, deadline);
		return {
			kind: 'answer',
			status: response.statusCode,
			headers: response.headers ?? {},
			body: parseBody(text, secret),
		};
	} catch (error) {
		// The caught error may carry the request with its Authorization header: only its code is kept.
		const code = failureCode(error);
		return isCancellation(error, code) ? { kind: 'cancelled' } : { kind: 'failure', code };
	}
}
