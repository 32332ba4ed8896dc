import fc from 'fast-check';

import {
	BACKOFF_CAP_MS,
	MAX_HONOURED_RETRY_AFTER_MS,
	backoffDelayMs,
	headerValue,
	isRetryable,
	mayHaveActed,
	retryDecision,
	serverRequestedDelayMs,
} from '../../nodes/OpenAiCertificates/transport/retry';

/** transport/retry.ts on its own: it is pure, so every rule is checked directly (and by property). */
describe('Retry rules', () => {
	const NOW = Date.parse('2026-11-29T08:00:00Z');

	describe('isRetryable', () => {
		it.each([408, 409, 429, 500, 502, 503, 504])('repeats %i for an idempotent request', (status) =>
			expect(isRetryable({ status }, true)).toBe(true),
		);
		it.each([400, 401, 403, 404, 410, 422, 501])('never repeats %i', (status) =>
			expect(isRetryable({ status }, true)).toBe(false),
		);
		it('repeats an upload (not idempotent) only when it surely was not processed', () => {
			expect(
				[408, 409, 429, 500, 502, 503].filter((status) => isRetryable({ status }, false)),
			).toEqual([408, 429]);
			expect(isRetryable({ code: 'ECONNREFUSED' }, false)).toBe(true);
			expect(isRetryable({ code: 'ECONNRESET' }, false)).toBe(false);
			expect(isRetryable({ code: 'ECONNRESET' }, true)).toBe(true);
			expect(isRetryable({ code: 'CERT_HAS_EXPIRED' }, true)).toBe(false);
		});
		it('x-should-retry decides when present, in any case and spacing, whatever the status', () => {
			expect(isRetryable({ status: 400, headers: { 'X-Should-Retry': ' TRUE ' } }, true)).toBe(
				true,
			);
			expect(isRetryable({ status: 503, headers: { 'x-should-retry': 'false' } }, true)).toBe(
				false,
			);
			expect(isRetryable({ status: 500, headers: { 'x-should-retry': ['false'] } }, false)).toBe(
				false,
			);
			// Anything but true/false is no instruction: the status decides.
			expect(isRetryable({ status: 503, headers: { 'x-should-retry': 'maybe' } }, true)).toBe(true);
			expect(isRetryable({ status: 400, headers: { 'x-should-retry': '1' } }, true)).toBe(false);
		});
	});

	it('property: x-should-retry is honoured whatever the case of its name and the spacing of its value', () => {
		const casing = (name: string) =>
			fc
				.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
				.map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
		fc.assert(
			fc.property(
				casing('x-should-retry'),
				fc.constantFrom('true', 'false'),
				fc.constantFrom('', ' ', '\t'),
				fc.constantFrom(400, 409, 429, 503),
				fc.boolean(),
				(name, value, space, status, idempotent) =>
					isRetryable(
						{ status, headers: { [name]: `${space}${value.toUpperCase()}${space}` } },
						idempotent,
					) ===
					(value === 'true'),
			),
		);
	});

	it('headerValue finds a header in any case, the first of a list, nothing for null', () => {
		expect(headerValue({ 'Retry-After': '5' }, 'retry-after')).toBe('5');
		expect(headerValue({ 'retry-after': ['7', '8'] }, 'retry-after')).toBe('7');
		expect(headerValue({ 'retry-after': [] }, 'retry-after')).toBeUndefined();
		expect(headerValue({ 'retry-after': null }, 'retry-after')).toBeUndefined();
		expect(headerValue(undefined, 'retry-after')).toBeUndefined();
	});

	describe('serverRequestedDelayMs', () => {
		it.each<[Record<string, string>, number | undefined]>([
			[{ 'retry-after': '5' }, 5000],
			[{ 'retry-after': '0.25' }, 250],
			[{ 'retry-after': ' 2 ' }, 2000],
			[{ 'retry-after-ms': '20', 'retry-after': '5' }, 20],
			[{ 'retry-after-ms': '-1', 'retry-after': '5' }, 5000],
			[{ 'retry-after': 'Sun, 29 Nov 2026 08:00:30 GMT' }, 30_000],
			[{ 'retry-after': 'Sun, 29 Nov 2026 07:59:00 GMT' }, 0],
			[{ 'retry-after': '-5' }, undefined],
			[{ 'retry-after': '5, 6' }, undefined],
			[{ 'retry-after': '1 2 3' }, undefined],
			[{ 'retry-after': 'soon' }, undefined],
			[{ 'retry-after': '1e3' }, undefined],
			[{ 'retry-after': 'Sunday, 29-Nov-26 08:00:30 GMT' }, undefined],
			[{}, undefined],
		])('%j → %s', (headers, expected) => {
			expect(serverRequestedDelayMs(headers, NOW)).toBe(expected);
		});

		it('property: whatever the header says, the answer is undefined or a finite delay of 0 or more', () => {
			fc.assert(
				fc.property(fc.string(), fc.string(), (retryAfter, retryAfterMs) => {
					const delay = serverRequestedDelayMs(
						{ 'retry-after': retryAfter, 'retry-after-ms': retryAfterMs },
						NOW,
					);
					return delay === undefined || (Number.isFinite(delay) && delay >= 0);
				}),
				{ numRuns: 2000 },
			);
		});

		it('property: a Retry-After with a sign, a comma or inner space is never honoured', () => {
			fc.assert(
				fc.property(
					fc.integer({ min: 0, max: 10_000 }),
					fc.constantFrom('-', '+'),
					fc.constantFrom(', 1', ' 1', ',1'),
					(seconds, sign, tail) =>
						serverRequestedDelayMs({ 'retry-after': `${sign}${seconds}` }, NOW) === undefined &&
						serverRequestedDelayMs({ 'retry-after': `${seconds}${tail}` }, NOW) === undefined,
				),
			);
		});
	});

	describe('retryDecision', () => {
		const request = (attemptsMade: number, maxRetries: number, idempotent = true) => ({
			idempotent,
			attemptsMade,
			maxRetries,
		});

		it('property: with Max Retries N a request is sent at most N + 1 times, whatever failed', () => {
			fc.assert(
				fc.property(
					fc.integer({ min: 0, max: 10 }),
					fc.constantFrom(408, 409, 429, 500, 502, 503, 504),
					fc.option(fc.constantFrom('0', '1', '3'), { nil: undefined }),
					(maxRetries, status, retryAfter) => {
						const failure = {
							status,
							headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
						};
						let attempts = 1;
						while (retryDecision(failure, request(attempts, maxRetries), NOW).retry) attempts++;
						return attempts === maxRetries + 1;
					},
				),
			);
		});

		it('gives up at once on a wait longer than it honours, and says so', () => {
			const seconds = String(MAX_HONOURED_RETRY_AFTER_MS / 1000 + 1);
			expect(
				retryDecision({ status: 429, headers: { 'retry-after': seconds } }, request(1, 5), NOW),
			).toEqual({ retry: false, requestedMs: MAX_HONOURED_RETRY_AFTER_MS + 1000, why: 'too long' });
			expect(
				retryDecision({ status: 429, headers: { 'retry-after': '120' } }, request(1, 5), NOW),
			).toEqual({ retry: true, requestedMs: 120_000 });
		});

		it('says why it stops: not retryable before exhausted', () => {
			expect(retryDecision({ status: 400 }, request(9, 1), NOW)).toMatchObject({
				retry: false,
				why: 'not retryable',
			});
			expect(retryDecision({ status: 503 }, request(2, 1), NOW)).toMatchObject({
				retry: false,
				why: 'exhausted',
			});
		});
	});

	it('property: the backoff lies between half and all of base × 2^n, capped, and grows with n', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 40 }),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				fc.integer({ min: 1, max: 60_000 }),
				(retry, random, base) => {
					const step = Math.min(BACKOFF_CAP_MS, base * 2 ** retry);
					const delay = backoffDelayMs(retry, random, base);
					return (
						delay >= Math.floor(step / 2) &&
						delay <= Math.ceil(step) &&
						backoffDelayMs(retry, 0, base) <= backoffDelayMs(retry + 1, 0, base)
					);
				},
			),
		);
	});

	it('a request that never left this machine did not act; a lost connection, a timeout, a 5xx or a garbled 2xx may have', () => {
		for (const code of ['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH'])
			expect(mayHaveActed({ code })).toBe(false);
		for (const code of [
			'CERT_HAS_EXPIRED',
			'ERR_TLS_CERT_ALTNAME_INVALID',
			'SELF_SIGNED_CERT_IN_CHAIN',
		])
			expect(mayHaveActed({ code })).toBe(false);
		for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'UNKNOWN'])
			expect(mayHaveActed({ code })).toBe(true);
		expect(mayHaveActed({ status: 502 })).toBe(true);
		expect(mayHaveActed({ status: 200, invalidAnswer: 'no id' })).toBe(true);
		expect(mayHaveActed({ status: 400 })).toBe(false);
		expect(mayHaveActed({ status: 429 })).toBe(false);
	});
});
