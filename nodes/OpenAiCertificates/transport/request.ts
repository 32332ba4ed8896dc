import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { idProblem } from '../helpers/ids';
import { credentialBaseUrl } from './baseUrl';
import { apiError } from './errors';
import { RateGovernor } from './governor';
import {
	MAX_HONOURED_RETRY_AFTER_MS,
	backoffDelayMs,
	isRetryable,
	serverRequestedDelayMs,
} from './retry';

export const CREDENTIAL_TYPE = 'openAiAdminApi';

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
}

export interface RequestSettings {
	/** Repeats after a transient failure; 0 sends each request once. */
	maxRetries: number;
	/** Milliseconds before one attempt is given up. */
	timeout: number;
	/** First pause before a retry when the API names none, in ms; doubles each retry (capped at 30 s). */
	retryDelay: number;
	/** The input item the call serves, for error messages. */
	itemIndex?: number;
}

/** However a request is paced, it is never sent more often than this. */
export const MAX_ATTEMPTS_PER_REQUEST = 100;

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

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function connectionCode(error: unknown): string {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const candidate of candidates) {
		const code = (candidate as { code?: unknown } | undefined)?.code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
	}
	const message = String((error as { message?: unknown })?.message ?? '');
	if (/timeout/i.test(message)) return 'ECONNABORTED';
	if (/socket hang up/i.test(message)) return 'ECONNRESET';
	return 'UNKNOWN';
}

/**
 * The one way this package talks to the Admin API: builds the URL from checked segments, sends the
 * request with the credential's bearer key through n8n's HTTP helper, repeats transient failures with
 * backoff (honouring Retry-After) and turns a final failure into a NodeApiError that never shows the key.
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
	for (const segment of call.path) {
		const problem = idProblem(segment);
		if (problem !== undefined) {
			throw new NodeOperationError(
				node,
				`Refused to build a request path: a segment is not valid (${problem})`,
				{
					itemIndex: settings.itemIndex,
				},
			);
		}
	}
	const { baseUrl, apiKey } = await connectionOf(context);
	const governor = RateGovernor.of(context);
	const options: IHttpRequestOptions = {
		method: call.method,
		url: buildUrl(baseUrl, call.path),
		json: true,
		timeout: settings.timeout,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};
	if (call.qs && Object.keys(call.qs).length > 0) options.qs = call.qs;
	if (call.body !== undefined) options.body = call.body;
	const idempotent = call.idempotent ?? true;
	// Whether an earlier attempt may have reached the server although no answer came back.
	let mayHaveLanded = false;
	let retriesUsed = 0;

	for (let attempt = 1; ; attempt++) {
		await governor.beforeAttempt();
		const successesBefore = governor.successes;
		let failure: {
			status?: number;
			code?: string;
			body?: unknown;
			headers?: Record<string, unknown>;
		};
		try {
			const response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				CREDENTIAL_TYPE,
				{ ...options },
			)) as FullResponse;
			if (response.statusCode >= 200 && response.statusCode < 300) {
				governor.succeeded();
				return response.body as T;
			}
			// A repeated DELETE that finds nothing: the earlier attempt, whose answer was lost, did the work.
			if (
				response.statusCode === 404 &&
				(call.notFoundIsUndefined || (call.method === 'DELETE' && mayHaveLanded))
			) {
				return undefined;
			}
			failure = { status: response.statusCode, body: response.body, headers: response.headers };
		} catch (error) {
			// The caught error may carry the request with its Authorization header: only its code is kept.
			const code = connectionCode(error);
			const cancelled =
				code === 'ERR_CANCELED' || /cancel|abort/i.test(String((error as Error)?.name ?? ''));
			if (cancelled) {
				throw new NodeOperationError(node, 'The execution was cancelled', {
					itemIndex: settings.itemIndex,
				});
			}
			failure = { code };
		}

		if (failure.status === undefined ? failure.code !== 'ECONNREFUSED' : failure.status >= 500)
			mayHaveLanded = true;
		const requestedMs = serverRequestedDelayMs(failure.headers, Date.now());
		const tooLong = requestedMs !== undefined && requestedMs > MAX_HONOURED_RETRY_AFTER_MS;
		// Being paced while other requests of the run get through is waiting in line, not failing:
		// such a 429 does not use up a retry. Without progress it does, and attempts stay bounded.
		const waitingInLine = failure.status === 429 && governor.successes > successesBefore;
		if (!waitingInLine) retriesUsed += 1;
		const exhausted = retriesUsed > settings.maxRetries || attempt >= MAX_ATTEMPTS_PER_REQUEST;
		if (exhausted || tooLong || !isRetryable(failure, idempotent)) {
			throw apiError(
				node,
				{
					status: failure.status,
					code: failure.code,
					body: failure.body,
					attempts: attempt,
					itemIndex: settings.itemIndex,
					retryAfterMs: tooLong ? requestedMs : undefined,
				},
				apiKey,
			);
		}
		if (failure.status === 429) {
			governor.throttled(requestedMs, (consecutive) =>
				backoffDelayMs(consecutive, Math.random(), settings.retryDelay),
			);
		} else {
			await sleep(requestedMs ?? backoffDelayMs(attempt - 1, Math.random(), settings.retryDelay));
		}
	}
}
