/**
 * The configured requests-per-minute limit (FakeAdminApiOptions.rateLimit): a token bucket refilled at
 * `perMinute` requests per minute holding at most `burst`; beyond it, OpenAI's 429, with or without
 * Retry-After.
 */
import type { ServerResponse } from 'node:http';

import { sendRateLimited } from './answers';
import type { FakeAdminApiOptions, LoggedRequest } from './fakeAdminApi';

/** Refuses a request over the limit: answers it and returns true. */
export type RateLimit = (response: ServerResponse, request: LoggedRequest) => boolean;

/** The limit of `options.rateLimit` (read at each request), its bucket full from now. */
export function rateLimit(options: FakeAdminApiOptions): RateLimit {
	let tokens = options.rateLimit ? (options.rateLimit.burst ?? options.rateLimit.perMinute) : 0;
	let refilledAt = Date.now();

	return (response, request) => {
		const limit = options.rateLimit;
		if (!limit) return false;
		const now = Date.now();
		const perMs = limit.perMinute / 60_000;
		tokens = Math.min(limit.burst ?? limit.perMinute, tokens + (now - refilledAt) * perMs);
		refilledAt = now;
		if (tokens < 1) {
			request.fault = limit.retryAfter ? '429-retry-after' : '429';
			request.rateLimited = true;
			const waitSeconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
			sendRateLimited(
				response,
				request,
				limit.retryAfter ? { 'Retry-After': String(waitSeconds) } : {},
			);
			return true;
		}
		tokens -= 1;
		return false;
	};
}
