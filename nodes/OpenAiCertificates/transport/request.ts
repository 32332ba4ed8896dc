import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { idProblem } from '../helpers/ids';
import { credentialBaseUrl } from '../../../credentials/shared/baseUrl';
import {
	clientCertificateProblem,
	hasClientCertificate,
} from '../../../credentials/shared/clientTls';
import type { FailedCall } from './errors';
import { apiError } from './errors';
import { RateGovernor } from './governor';
import type { Reconcile } from './reconcile';
import { reconciled } from './reconcile';
import { backoffDelayMs, headerValue, mayHaveActed, retryDecision } from './retry';
import type { Outcome } from './send';
import { CREDENTIAL_TYPE, sendOnce } from './send';
import { answerShape } from './shapes';

export type AdminApiContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface AdminApiCall {
	method: IHttpRequestMethods;
	/** Path segments below the base URL; IDs among them must pass the ID rule. Each is encoded. */
	path: readonly string[];
	qs?: IDataObject;
	body?: IDataObject;
	/** False for requests that must never be sent twice (upload): they are repeated only when surely not processed. */
	idempotent?: boolean;
	/**
	 * Resolve a 404 to undefined instead of failing (the caller treats "not found" as an answer).
	 * A DELETE also resolves to undefined when a repeat finds nothing after an attempt that may have landed.
	 */
	notFoundIsUndefined?: boolean;
	/** For a write that is not idempotent: how to tell whether an attempt with an unclear outcome took effect. */
	reconcile?: Reconcile;
}

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

interface Connection {
	baseUrl: string;
	apiKey: string;
}

/** The base URL and key, read once per node run. */
const connections = new WeakMap<object, Promise<Connection>>();

async function readConnection(context: AdminApiContext): Promise<Connection> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const base = credentialBaseUrl(credentials);
	if ('problem' in base) throw new NodeOperationError(context.getNode(), base.problem);
	if (hasClientCertificate(credentials)) {
		const problem = await clientCertificateProblem(context, base.url);
		if (problem) throw new NodeOperationError(context.getNode(), problem.message, problem);
	}
	return { baseUrl: base.url, apiKey: String(credentials.apiKey ?? '') };
}

function connectionOf(context: AdminApiContext): Promise<Connection> {
	let connection = connections.get(context);
	if (!connection) {
		connection = readConnection(context);
		connections.set(context, connection);
		// A failed read (say, a refused base URL) is not remembered: the next item reports it too.
		connection.catch(() => connections.delete(context));
	}
	return connection;
}

export function buildUrl(baseUrl: string, path: readonly string[]): string {
	return `${baseUrl}/${path.map((segment) => encodeURIComponent(segment)).join('/')}`;
}

function checkPath(context: AdminApiContext, path: readonly string[], itemIndex?: number): void {
	for (const segment of path) {
		const problem = idProblem(segment);
		if (problem === undefined) continue;
		throw new NodeOperationError(
			context.getNode(),
			`Refused to build a request path: a segment is not valid (${problem})`,
			{ itemIndex },
		);
	}
}

/** The HTTP request of a call: its checked URL, JSON, the timeout, the query and the body. */
function httpRequestOf(call: AdminApiCall, baseUrl: string, timeout: number): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: call.method,
		url: buildUrl(baseUrl, call.path),
		json: true,
		timeout,
	};
	if (call.qs && Object.keys(call.qs).length > 0) {
		options.qs = call.qs;
		// A list is sent as OpenAI's SDKs send it: the key (named with its brackets, `event_types[]`) repeated.
		options.arrayFormat = 'repeat';
	}
	if (call.body !== undefined) options.body = call.body;
	return options;
}

/**
 * The wait before repeating a failed attempt: a 429 pauses every request of the run through the
 * governor (the next attempt waits in `beforeAttempt`); any other failure waits on its own.
 */
async function pauseBeforeRetry(
	governor: RateGovernor,
	failure: FailedCall,
	requestedMs: number | undefined,
	attempts: number,
	settings: RequestSettings,
): Promise<void> {
	if (failure.status === 429) {
		governor.throttled(requestedMs, (consecutive) =>
			backoffDelayMs(consecutive, Math.random(), settings.retryDelay),
		);
	} else {
		await sleep(requestedMs ?? backoffDelayMs(attempts - 1, Math.random(), settings.retryDelay));
	}
}

type Verdict = { done: true; value: unknown } | { done: false; failure: FailedCall };

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

/**
 * After a failed attempt: undefined to repeat it (after the pause), the result a reconciled write
 * found, or the call's final error — a write's says whether it may have taken effect (`context.outcome`).
 */
async function afterFailure(
	run: Run,
	failure: FailedCall,
	attempts: number,
): Promise<{ found: unknown } | undefined> {
	const { call, settings, governor } = run;
	if (failure.status !== 429) governor.accepted();
	const unclear = mayHaveActed(failure);
	run.mayHaveLanded ||= unclear;
	const reconcile = unclear ? call.reconcile : undefined;
	const idempotent = call.idempotent ?? true;
	const { maxRetries } = settings;
	const request = { idempotent, attemptsMade: attempts, maxRetries, reconciled: !!reconcile };
	const decision = retryDecision(failure, request, Date.now());
	// A lookup comes after the retry pause: the API may still be finishing the write.
	if (decision.retry)
		await pauseBeforeRetry(governor, failure, decision.requestedMs, attempts, settings);
	if (reconcile) {
		const found = await reconciled(run.node, reconcile, failure, run.apiKey);
		if (found !== undefined) return { found };
		// An answer that came (5xx, a garbled 2xx) means the API finished: not there, not done. A lost
		// connection or a timeout may leave it still working: not there yet, so still unknown.
		failure.lookedUp = failure.status === undefined ? 'not yet' : 'absent';
		run.mayHaveLanded &&= failure.status === undefined;
	}
	if (decision.retry) return undefined;
	if (decision.why === 'too long') failure.retryAfterMs = decision.requestedMs;
	const error = apiError(run.node, failure, run.apiKey);
	if (call.method !== 'GET') error.context.outcome = run.mayHaveLanded ? 'unknown' : 'not done';
	throw error;
}

/** What one attempt's outcome means for the call: its result, or a failure (perhaps worth repeating). */
function verdictOf(
	call: AdminApiCall,
	outcome: Exclude<Outcome, { kind: 'cancelled' }>,
	mayHaveLanded: boolean,
	attempts: number,
): Verdict {
	if (outcome.kind === 'failure') return { done: false, failure: { code: outcome.code, attempts } };
	const { status, body, headers } = outcome;
	const requestId = headerValue(headers, 'x-request-id');
	if (status >= 200 && status < 300) {
		const problem = answerShape(call.method, call.path)(body);
		if (problem === undefined) return { done: true, value: body };
		return {
			done: false,
			failure: { status, body, headers, requestId, attempts, invalidAnswer: problem },
		};
	}
	// A repeated DELETE that finds nothing: the earlier attempt, whose answer was lost, did the work.
	if (status === 404 && (call.notFoundIsUndefined || (call.method === 'DELETE' && mayHaveLanded))) {
		return { done: true, value: undefined };
	}
	return { done: false, failure: { status, body, headers, requestId, attempts, path: call.path } };
}

/**
 * The one way this package talks to the Admin API: builds the URL from checked segments, sends the
 * request once at a time through the run's rate governor, checks every 2xx answer against the spec's
 * shape, decides after each failure whether to repeat it (retry.ts: Max Retries is a hard cap), and
 * turns a final failure into a NodeApiError that never shows the key.
 */
export async function adminApiRequest<T = IDataObject>(
	context: AdminApiContext,
	call: AdminApiCall & { notFoundIsUndefined: boolean },
	settings?: RequestSettings,
): Promise<T | undefined>;
export async function adminApiRequest<T = IDataObject>(
	context: AdminApiContext,
	call: AdminApiCall,
	settings?: RequestSettings,
): Promise<T>;
export async function adminApiRequest<T = IDataObject>(
	context: AdminApiContext,
	call: AdminApiCall,
	settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
): Promise<T | undefined> {
	const node = context.getNode();
	checkPath(context, call.path, settings.itemIndex);
	const { baseUrl, apiKey } = await connectionOf(context);
	const governor = RateGovernor.of(context);
	const options = httpRequestOf(call, baseUrl, settings.timeout);
	const run: Run = { node, call, settings, governor, apiKey, mayHaveLanded: false };
	for (let attempts = 1; ; attempts++) {
		await governor.beforeAttempt();
		const outcome = await sendOnce(context, options, apiKey);
		if (outcome.kind === 'cancelled') {
			const cancelled = new NodeOperationError(node, 'The execution was cancelled', {
				itemIndex: settings.itemIndex,
			});
			if (call.method !== 'GET') cancelled.context.outcome = 'unknown';
			throw cancelled;
		}
		const verdict = verdictOf(call, outcome, run.mayHaveLanded, attempts);
		if (verdict.done) {
			governor.succeeded();
			return verdict.value as T | undefined;
		}
		verdict.failure.itemIndex = settings.itemIndex;
		const settled = await afterFailure(run, verdict.failure, attempts);
		if (settled) return settled.found as T;
	}
}
