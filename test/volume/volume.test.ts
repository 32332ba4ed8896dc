import type { Fault } from '../../sandbox/server';
import { deleteEach, useFakeAdminApi } from '../support/fakeApi';
import { watchClient } from './client';

describe('Faults at volume', () => {
	const fake = useFakeAdminApi();
	// A harness limit only, not a speed check (speed lives in npm run bench). It is generous: at concurrency 1
	// with 30% faults, a governor that mistakes the random 429s for a limit slows its pace without end, and a
	// loaded machine slows every run.
	jest.setTimeout(1_500_000);

	/** The transient faults, with a slow answer that comes `slowMs` after the request: well past the Timeout. */
	const transient = (slowMs: number): Fault[] => [
		{ kind: '429' },
		{ kind: '429-retry-after-ms', retryAfterMs: 20 },
		{ kind: '500' },
		{ kind: '502' },
		{ kind: '503' },
		{ kind: 'drop' },
		{ kind: 'slow', delayMs: slowMs },
	];

	// At concurrency 1 the run waits out every slow answer, one after the other: there the Timeout and the slow
	// answer are a sixth of the real-time run's (the 600 ms Timeout at concurrency 8), the same faults in the
	// same order. What the node received and sent is what its HTTP client did (watchClient), not a guess from
	// the delays or the fake's log: a loaded machine can make even a normal answer come after a 100 ms Timeout.
	it.each([
		{ concurrency: 1, timeout: 100, slowMs: 150 },
		{ concurrency: 8, timeout: 600, slowMs: 900 },
	])(
		'1000 deletes with 30%% transient faults at concurrency $concurrency (Timeout $timeout ms): all succeed once, in order',
		async ({ concurrency, timeout, slowMs }) => {
			fake.api.organization.maxCertificates = 2000;
			const ids = Array.from({ length: 1000 }, () => fake.api.organization.addCertificate().id);
			fake.api.setFaultRate(0.3, transient(slowMs), 7 + concurrency);
			const watch = watchClient(timeout);
			const { items, error } = await fake
				.run({
					items: ids.map((id) => ({ id })),
					parameters: deleteEach({ concurrency, maxRetries: 10, retryDelay: 5, timeout }),
				})
				.finally(watch.stop);
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1000);
			items.forEach((item, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json).toMatchObject({ object: 'certificate.deleted', id: ids[index] });
			});
			expect(fake.api.organization.certificates.size).toBe(0);
			const faulted = fake.api.log.filter((request) => request.fault).length;
			expect(faulted).toBeGreaterThan(200);

			// Each certificate was deleted by exactly one request; the node decided on an answer it received (that
			// success, or a 404 after an attempt whose answer it never got) and sent nothing for the certificate
			// once it had received a success within its Timeout. (A success that came after the Timeout, `late`, may
			// have come after the node gave up on it: on a loaded machine even a normal answer can.)
			for (const id of ids) {
				const requests = fake.api.log.filter((request) => request.path.endsWith(`/${id}`));
				expect(requests.filter((request) => request.status === 200)).toHaveLength(1);
				const client = watch.events(requests[0].path);
				expect(['got 200', 'got 200 late', 'got 404', 'got 404 late']).toContain(
					client[client.length - 1],
				);
				const seen = client.indexOf('got 200');
				expect(seen === -1 ? [] : client.slice(seen + 1)).toEqual([]);
			}
		},
	);

	it('with faults that never clear: exactly Max Retries + 1 attempts per item, then an error item each', async () => {
		const ids = Array.from({ length: 5 }, () => fake.api.organization.addCertificate().id);
		fake.api.setFaultRate(1, [{ kind: '503' }, { kind: 'drop' }, { kind: '429' }]);
		const { items } = await fake.run({
			continueOnFail: true,
			items: ids.map((id) => ({ id })),
			parameters: deleteEach({ concurrency: 2, maxRetries: 3, retryDelay: 5 }),
		});
		expect(items.map((item) => item.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
		expect(items.every((item) => typeof item.json.error === 'string')).toBe(true);
		for (const id of ids)
			expect(fake.api.log.filter((request) => request.path.endsWith(`/${id}`))).toHaveLength(4);
		expect(fake.api.organization.certificates.size).toBe(5);
	});
});

describe('Get Many at volume', () => {
	const fake = useFakeAdminApi();

	it('returns 10,000 certificates in exactly 100 requests', async () => {
		fake.api.organization.maxCertificates = 20_000;
		for (let index = 0; index < 10_000; index++) fake.api.organization.addCertificate();
		const { items } = await fake.run({
			parameters: { resource: 'certificate', operation: 'getAll', returnAll: true },
		});
		expect(items).toHaveLength(10_000);
		expect(new Set(items.map((item) => item.json.id)).size).toBe(10_000);
		expect(fake.api.log).toHaveLength(100);
	});
});
