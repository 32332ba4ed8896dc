import type { IDataObject, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { idProblem } from '../helpers/ids';
import type { AdminApiContext } from '../../../credentials/shared/connection';
import { adminConnection, CREDENTIAL_TYPE } from '../../../credentials/shared/connection';
import type { Endpoint, IdsOf } from './endpoints';
import { answerProblem } from './endpoints';
import type { FailedCall } from '../helpers/apiErrors';
import { apiError, failureCode, redact } from '../helpers/apiErrors';
import { backoffDelayMs, headerValue, mayHaveActed, retryDecision } from './retry';
import { RateGovernor } from './governor';

/**
 * The one way this package talks to the Admin API: a call names its endpoint (endpoints.ts) and the IDs
 * its path takes; the URL is built from checked segments below the credential's Base URL (read once per
 * run: credentials/shared/connection.ts), the request goes through n8n's HTTP helper with the credential
 * (whose `authenticate` adds the key and the client certificate, checks where they go and turns redirects
 * off), one attempt at a time through the run's rate governor. The whole answer is read within the
 * timeout and checked against the endpoint's shape; after a failure retry.ts decides whether to repeat it
 * (Max Retries is a hard cap); a final failure is a NodeApiError that never shows the key, and a write's
 * says whether it may have taken effect (`context.outcome`: 'not done' or 'unknown').
 */

/** No answer of the Admin API comes near this; a bigger one is refused unread. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export type { AdminApiContext };

/** A call: its endpoint (a call without one does not compile), the IDs its path takes, the query and the body. */
export interface AdminApiCall<E extends Endpoint<unknown> = Endpoint<unknown>> {
	endpoint: E;
	ids?: IdsOf<E>;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * For a write that must not be repeated blind: after an attempt that may have acted, what it made
	 * (undefined: nothing, so it may be repeated). Given the error the attempt would end in; may throw.
	 */
	lookUp?: (attemptError: NodeApiError) => Promise<unknown>;
}

/** What a call of an endpoint answers, once checked. */
type AnswerOf<E> = E extends Endpoint<infer Answer> ? Answer : never;

export interface RequestSettings {
	/** Repeats after a transient failure: a request is sent at most maxRetries + 1 times; 0 sends it once. */
	maxRetries: number;
	/** Milliseconds before one attempt is given up. */
	timeout: number;
	/** First pause before a retry when the API names none, in ms; doubles each retry (capped at 30 s). */
	retryDelay: number;
	/** The input item the call serves, for error messages. */
	itemIndex?: number;
}

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	maxRetries: 3,
	timeout: 30_000,
	retryDelay: 1000,
};

/** The path of a call below the base URL: the template's `{name}`s replaced by its IDs, each checked and encoded. */
function pathOf(node: INode, call: AdminApiCall, itemIndex?: number): string {
	const ids = (call.ids ?? {}) as Record<string, unknown>;
	const segments = call.endpoint.path.split('/').map((segment) => {
		const name = /^\{(\w+)\}$/.exec(segment)?.[1];
		if (name === undefined) return segment;
		const id = ids[name];
		const problem = typeof id === 'string' ? idProblem(id) : `${name} is missing`;
		if (problem !== undefined) {
			const message = `Refused to build a request path: a segment is not valid (${problem})`;
			throw new NodeOperationError(node, message, { itemIndex });
		}
		return encodeURIComponent(id as string);
	});
	return segments.join('/');
}

type Outcome =
	| { kind: 'answer'; status: number; headers: Record<string, unknown>; body: unknown }
	| { kind: 'failure'; code: string }
	| { kind: 'cancelled' };

interface BodyStream extends AsyncIterable<Uint8Array | string> {
	destroy(error?: Error): void;
}

const isStream = (value: unknown): value is BodyStream =>
	typeof (value as BodyStream | undefined)?.[Symbol.asyncIterator] === 'function' &&
	typeof (value as BodyStream).destroy === 'function';

const coded = (code: string) => Object.assign(new Error(code), { code });

/** Resolves with the promise, or rejects with ETIMEDOUT when the deadline passes first. */
async function beforeDeadline<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
	let onAbort = () => {};
	const expired = new Promise<never>((_, reject) => {
		onAbort = () => reject(coded('ETIMEDOUT'));
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
	const onAbort = () => body.destroy(coded('ETIMEDOUT'));
	deadline.addEventListener('abort', onAbort, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		if (deadline.aborted) onAbort();
		for await (const chunk of body) {
			const bytes = Buffer.from(chunk);
			size += bytes.length;
			if (size > MAX_ANSWER_BYTES) {
				body.destroy();
				throw coded('EANSWERTOOLARGE');
			}
			chunks.push(bytes);
		}
	} finally {
		deadline.removeEventListener('abort', onAbort);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** JSON, or the text when it is not JSON, or undefined when empty. */
function parsed(text: string): unknown {
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/** One attempt: never throws for a network problem, the outcome says what happened; the key redacted from the body. */
async function sendOnce(
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
	}) as Promise<{ statusCode: number; headers?: Record<string, unknown>; body: unknown }>;
	// An answer that arrives after the deadline is dropped unread.
	request.then(
		(late) => deadline.aborted && isStream(late.body) && late.body.destroy(),
		() => {},
	);
	try {
		const response = await beforeDeadline(request, deadline);
		const body = parsed(redact(await readBody(response.body, deadline), secret));
		return { kind: 'answer', status: response.statusCode, headers: response.headers ?? {}, body };
	} catch (error) {
		// The caught error may carry the request with its Authorization header: only its code is kept.
		const code = failureCode(error);
		const cancelled =
			code === 'ERR_CANCELED' || /cancel/i.test(String((error as Error)?.name ?? ''));
		return cancelled ? { kind: 'cancelled' } : { kind: 'failure', code };
	}
}

/** One call being sent: what it needs across attempts. */
interface Run {
	node: INode;
	call: AdminApiCall;
	settings: RequestSettings;
	governor: RateGovernor;
	apiKey: string;
	/** Whether an earlier attempt may have reached the server although no answer came back. */
	mayHaveLanded: boolean;
}

/** What an attempt's outcome means: the call's result, or a failure (perhaps worth repeating). */
function verdictOf(run: Run, outcome: Exclude<Outcome, { kind: 'cancelled' }>, attempts: number) {
	const { call } = run;
	if (outcome.kind === 'failure')
		return { failure: { code: outcome.code, attempts } as FailedCall };
	const { status, body, headers } = outcome;
	const requestId = headerValue(headers, 'x-request-id');
	const failure: FailedCall = { status, body, headers, attempts, requestId };
	if (status >= 200 && status < 300) {
		const problem = answerProblem(call.endpoint, body, call.ids as Record<string, string>);
		return problem === undefined
			? { value: body }
			: { failure: { ...failure, invalidAnswer: problem } };
	}
	// A repeated DELETE that finds nothing: the earlier attempt, whose answer was lost, did the work.
	if (status === 404 && call.endpoint.method === 'DELETE' && run.mayHaveLanded)
		return { value: undefined };
	return { failure: { ...failure, path: call.endpoint.path } };
}

/**
 * After a failed attempt: undefined to repeat it (after the pause), what a looked-up write made, or
 * the call's final error. A 429 pauses every request of the run (the governor); any other failure waits on its own.
 */
async function afterFailure(
	run: Run,
	failure: FailedCall,
): Promise<{ found: unknown } | undefined> {
	const { call, settings, governor } = run;
	if (failure.status !== 429) governor.accepted();
	const unclear = mayHaveActed(failure);
	run.mayHaveLanded ||= unclear;
	const lookUp = unclear ? call.lookUp : undefined;
	const request = {
		idempotent: call.endpoint.idempotent ?? true,
		attemptsMade: failure.attempts,
		maxRetries: settings.maxRetries,
		reconciled: lookUp !== undefined,
	};
	const decision = retryDecision(failure, request, Date.now());
	// A lookup comes after the retry pause: the API may still be finishing the write.
	if (decision.retry && failure.status === 429)
		governor.throttled(decision.requestedMs, (n) =>
			backoffDelayMs(n, Math.random(), settings.retryDelay),
		);
	else if (decision.retry)
		await sleep(
			decision.requestedMs ??
				backoffDelayMs(failure.attempts - 1, Math.random(), settings.retryDelay),
		);
	if (lookUp) {
		const found = await lookUp(apiError(run.node, failure, run.apiKey));
		if (found !== undefined) return { found };
		// An answer that came (5xx, a garbled 2xx) means the API finished: not there, not done. A lost
		// connection or a timeout may leave it still working: not there yet, so still unknown.
		failure.lookedUp = failure.status === undefined ? 'not yet' : 'absent';
		run.mayHaveLanded &&= failure.status === undefined;
	}
	if (decision.retry) return undefined;
	if (decision.why === 'too long') failure.retryAfterMs = decision.requestedMs;
	const error = apiError(run.node, failure, run.apiKey);
	if (call.endpoint.method !== 'GET')
		error.context.outcome = run.mayHaveLanded ? 'unknown' : 'not done';
	throw error;
}

export async function adminApiRequest<E extends Endpoint<unknown>>(
	context: AdminApiContext,
	call: AdminApiCall<E>,
	settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
): Promise<AnswerOf<E>> {
	const node = context.getNode();
	const { itemIndex } = settings;
	const path = pathOf(node, call as AdminApiCall, itemIndex);
	const { baseUrl, apiKey } = await adminConnection(context);
	const options: IHttpRequestOptions = {
		method: call.endpoint.method,
		url: `${baseUrl}/${path}`,
		json: true,
		timeout: settings.timeout,
	};
	if (call.qs && Object.keys(call.qs).length > 0) {
		options.qs = call.qs;
		// A list is sent as OpenAI's SDKs send it: the key (named with its brackets, `event_types[]`) repeated.
		options.arrayFormat = 'repeat';
	}
	if (call.body !== undefined) options.body = call.body;
	const governor = RateGovernor.of(context);
	const run: Run = {
		node,
		call: call as AdminApiCall,
		settings,
		governor,
		apiKey,
		mayHaveLanded: false,
	};
	const ticket = governor.ticket();
	for (let attempts = 1; ; attempts++) {
		await governor.beforeAttempt(ticket);
		const outcome = await sendOnce(context, options, apiKey);
		if (outcome.kind === 'cancelled') {
			const cancelled = new NodeOperationError(node, 'The execution was cancelled', { itemIndex });
			if (call.endpoint.method !== 'GET') cancelled.context.outcome = 'unknown';
			throw cancelled;
		}
		const verdict = verdictOf(run, outcome, attempts);
		if ('value' in verdict) {
			governor.succeeded();
			return verdict.value as AnswerOf<E>;
		}
		verdict.failure.itemIndex = itemIndex;
		const settled = await afterFailure(run, verdict.failure);
		if (settled) return settled.found as AnswerOf<E>;
	}
}
