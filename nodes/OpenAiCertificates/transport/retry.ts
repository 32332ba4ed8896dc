/**
 * When to repeat a failed Admin API attempt and after how long. Pure: no clock or randomness of its own.
 * What each failure says about its request (sent or not, worth repeating) is helpers/apiErrors.ts's.
 */
import type { Failure } from '../helpers/apiErrors';
import { failureKind } from '../helpers/apiErrors';

export const BACKOFF_CAP_MS = 30_000;
/** A server that asks for a longer pause than this wants a person, not a retry. */
export const MAX_HONOURED_RETRY_AFTER_MS = 120_000;

/**
 * Whether the API may have acted on an attempt that failed: anything but a refusal before or on
 * arrival (a connection refused, a name not resolved, a 4xx). A 2xx of the wrong shape may have.
 */
export function mayHaveActed(failure: Failure): boolean {
	if (failure.status !== undefined)
		return failure.invalidAnswer !== undefined || failure.status >= 500;
	const kind = failureKind(failure);
	return kind !== 'not processed' && kind !== 'never sent';
}

/**
 * Whether a failure is worth repeating. The server's `x-should-retry: true|false` decides when present
 * (as in the official SDK); else the status or connection code, narrower for a request that is not idempotent.
 */
export function isRetryable(failure: Failure, idempotent: boolean): boolean {
	const shouldRetry = headerValue(failure.headers, 'x-should-retry')?.trim().toLowerCase();
	if (shouldRetry === 'true' || shouldRetry === 'false') return shouldRetry === 'true';
	const kind = failureKind(failure);
	return kind === 'not processed' || (idempotent && kind === 'retry');
}

export function headerValue(
	headers: Record<string, unknown> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/** Retry-After as an HTTP date (IMF-fixdate, the form servers must send): "Sun, 06 Nov 1994 08:49:37 GMT". */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const NON_NEGATIVE_NUMBER = /^\d+(\.\d+)?$/;

/**
 * The pause the server asked for, in milliseconds: `retry-after-ms`, or `Retry-After` as seconds or as
 * an HTTP date. Undefined when the server said nothing usable: negative numbers, lists ("5, 6"),
 * words or any other date form are ignored, and the usual backoff applies.
 */
export function serverRequestedDelayMs(
	headers: Record<string, unknown> | undefined,
	nowMs: number,
): number | undefined {
	const milliseconds = headerValue(headers, 'retry-after-ms')?.trim();
	if (milliseconds !== undefined && NON_NEGATIVE_NUMBER.test(milliseconds)) {
		return Math.ceil(Number(milliseconds));
	}
	const retryAfter = headerValue(headers, 'retry-after')?.trim();
	if (retryAfter === undefined) return undefined;
	if (NON_NEGATIVE_NUMBER.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
	if (!HTTP_DATE.test(retryAfter)) return undefined;
	const date = Date.parse(retryAfter);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export type RetryDecision =
	| { retry: true; requestedMs: number | undefined }
	| {
			retry: false;
			requestedMs: number | undefined;
			why: 'not retryable' | 'exhausted' | 'too long';
	  };

/**
 * After a failed attempt: repeat or give up. Max Retries is a cap: with `maxRetries` N a request is sent
 * at most N + 1 times, whatever failed (a 429 counts like any other failure). A write that is not
 * idempotent is `reconciled` when a lookup showed the failed attempt did not take effect: it is then
 * repeated like an idempotent one, even after a 2xx of the wrong shape (never repeated otherwise). Pure.
 */
export function retryDecision(
	failure: Failure,
	request: { idempotent: boolean; attemptsMade: number; maxRetries: number; reconciled?: boolean },
	nowMs: number,
): RetryDecision {
	const requestedMs = serverRequestedDelayMs(failure.headers, nowMs);
	const reconciled = request.reconciled === true;
	const retryable =
		failure.invalidAnswer === undefined
			? isRetryable(failure, request.idempotent || reconciled)
			: reconciled;
	if (!retryable) return { retry: false, requestedMs, why: 'not retryable' };
	if (request.attemptsMade > request.maxRetries)
		return { retry: false, requestedMs, why: 'exhausted' };
	if (requestedMs !== undefined && requestedMs > MAX_HONOURED_RETRY_AFTER_MS)
		return { retry: false, requestedMs, why: 'too long' };
	return { retry: true, requestedMs };
}

/** Exponential backoff from `baseMs` with jitter: half the step fixed, half random, capped. `random` is in [0, 1). */
export function backoffDelayMs(retryNumber: number, random: number, baseMs: number): number {
	const step = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** retryNumber);
	return Math.round(step / 2 + (step / 2) * random);
}
