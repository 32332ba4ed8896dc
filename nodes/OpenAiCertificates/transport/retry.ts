/** When and how long to wait before repeating a failed request. Pure: no clock or randomness of its own. */

export const RETRYABLE_STATUS_CODES = [429, 500, 502, 503, 504];

/** Connection failures worth repeating: the request may never have reached the server, or its answer was lost. */
export const RETRYABLE_CONNECTION_CODES = [
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
];

/**
 * Failures after which a request certainly did not take effect. A request that is not idempotent
 * (an upload) is repeated only after these, so a retry can never create a second certificate.
 */
export const NOT_PROCESSED_STATUS_CODES = [429];
export const NOT_PROCESSED_CONNECTION_CODES = ['ECONNREFUSED', 'EAI_AGAIN'];

export const BACKOFF_CAP_MS = 30_000;
/** A server that asks for a longer pause than this wants a person, not a retry. */
export const MAX_HONOURED_RETRY_AFTER_MS = 120_000;

export function isRetryable(
	failure: { status?: number; code?: string },
	idempotent: boolean,
): boolean {
	if (failure.status !== undefined) {
		return (idempotent ? RETRYABLE_STATUS_CODES : NOT_PROCESSED_STATUS_CODES).includes(
			failure.status,
		);
	}
	if (failure.code !== undefined) {
		return (idempotent ? RETRYABLE_CONNECTION_CODES : NOT_PROCESSED_CONNECTION_CODES).includes(
			failure.code,
		);
	}
	return false;
}

function headerValue(
	headers: Record<string, unknown> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/**
 * The pause the server asked for, in milliseconds: `retry-after-ms`, or `Retry-After` as seconds or as
 * an HTTP date. Undefined when the server said nothing usable.
 */
export function serverRequestedDelayMs(
	headers: Record<string, unknown> | undefined,
	nowMs: number,
): number | undefined {
	const milliseconds = headerValue(headers, 'retry-after-ms');
	if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds.trim())) {
		return Math.ceil(Number(milliseconds));
	}
	const retryAfter = headerValue(headers, 'retry-after')?.trim();
	if (retryAfter === undefined || retryAfter === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
	const date = Date.parse(retryAfter);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

/** Exponential backoff from `baseMs` with jitter: half the step fixed, half random, capped. `random` is in [0, 1). */
export function backoffDelayMs(retryNumber: number, random: number, baseMs: number): number {
	const step = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** retryNumber);
	return Math.round(step / 2 + (step / 2) * random);
}
