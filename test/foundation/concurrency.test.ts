import type { LoggedRequest } from '../../sandbox/server';
import { deleteEach, useFakeAdminApi } from '../support/fakeApi';

describe('Concurrency', () => {
	const fake = useFakeAdminApi({ latencyMs: 30 });

	it('keeps several requests in flight, and output order and pairing exactly the input order', async () => {
		const ids = Array.from({ length: 40 }, () => fake.api.organization.addCertificate().id);
		const { items, error } = await fake.run({
			items: ids.map((id) => ({ id })),
			parameters: deleteEach({ concurrency: 8 }),
		});
		expect(error).toBeUndefined();
		expect(fake.api.maxInFlight).toBeGreaterThan(1);
		expect(fake.api.maxInFlight).toBeLessThanOrEqual(8);
		expect(items.map((item) => [item.json.id, item.pairedItem])).toEqual(
			ids.map((id, item) => [id, { item }]),
		);
	});

	it('sends one request at a time by default', async () => {
		const ids = Array.from({ length: 10 }, () => fake.api.organization.addCertificate().id);
		await fake.run({ items: ids.map((id) => ({ id })), parameters: deleteEach({}) });
		expect(fake.api.maxInFlight).toBe(1);
		expect(fake.api.log.map((request) => request.path.split('/').pop())).toEqual(ids);
	});

	it('under Continue On Fail, pairs each error item to its input at any concurrency', async () => {
		const ids = Array.from({ length: 20 }, (_, index) =>
			index % 5 === 2 ? `cert_missing_${index}` : fake.api.organization.addCertificate().id,
		);
		const { items } = await fake.run({
			continueOnFail: true,
			items: ids.map((id) => ({ id })),
			parameters: deleteEach({ concurrency: 6 }),
		});
		expect(items.map((item) => [item.pairedItem, item.json.httpCode ?? item.json.id])).toEqual(
			ids.map((id, index) => [{ item: index }, id.startsWith('cert_missing') ? '404' : id]),
		);
	});

	it('without Continue On Fail, reports the first failing item in input order and starts no new item', async () => {
		const ids = Array.from({ length: 30 }, (_, index) =>
			index === 3 ? 'cert_missing' : fake.api.organization.addCertificate().id,
		);
		const { error } = await fake.run({
			items: ids.map((id) => ({ id })),
			parameters: deleteEach({ concurrency: 4 }),
		});
		expect(error?.context?.itemIndex).toBe(3);
		// At most the items in flight with item 3 were sent after it.
		expect(fake.api.log.length).toBeLessThanOrEqual(3 + 1 + 4);
	});

	it('refuses a concurrency outside 1–20', async () => {
		const { error } = await fake.run({
			items: [{ id: 'cert_a' }],
			parameters: deleteEach({ concurrency: 0 }),
		});
		expect(error?.message).toMatch(/Concurrency must be a whole number from 1 to 20/);
		expect(fake.api.log).toHaveLength(0);
	});
});

describe('One rate governor per execution', () => {
	const fake = useFakeAdminApi();

	it('a 429 pauses every in-flight worker for the cool-down, not just the request that got it', async () => {
		const ids = Array.from({ length: 24 }, () => fake.api.organization.addCertificate().id);
		fake.api.faults.push({
			kind: '429-retry-after',
			retryAfterSeconds: 1,
			match: (request) => request.path.endsWith(ids[5]),
		});
		const { items, error } = await fake.run({
			items: ids.map((id) => ({ id })),
			parameters: deleteEach({ concurrency: 4 }),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(24);
		expect(fake.api.log).toHaveLength(25);
		const throttled = fake.api.log.findIndex((request) => request.status === 429);
		const retried = fake.api.log.findIndex(
			(request, index) => index > throttled && request.path.endsWith(ids[5]),
		);
		// Only what the workers had under way when the 429 came goes out before the retry; unpaced, the
		// other workers would have sent all the rest during the cool-down.
		const before = retried - throttled - 1;
		const after = fake.api.log.length - retried - 1;
		expect(after).toBeGreaterThan(before);
	});

	it('under a server limit, slows to the rate the server sustains instead of a storm of 429s', async () => {
		await fake.api.close();
		const { startFakeAdminApi } = await import('../../sandbox/server');
		fake.api = await startFakeAdminApi({
			rateLimit: { perMinute: 600, retryAfter: false, burst: 5 },
		});
		fake.credentials = { apiKey: fake.api.apiKey, baseUrl: fake.api.baseUrl };
		const ids = Array.from({ length: 120 }, () => fake.api.organization.addCertificate().id);
		const { items, error } = await fake.run({
			items: ids.map((id) => ({ id })),
			credentials: fake.credentials,
			// Max Retries is a hard cap (N + 1 sends per request): while the governor is still learning the
			// limit, one item can meet six 429s in a row, so this pacing test allows the most retries there are.
			parameters: deleteEach({ concurrency: 4, retryDelay: 100, maxRetries: 10 }),
		});
		expect(error).toBeUndefined();
		expect(items.every((item) => item.json.object === 'certificate.deleted')).toBe(true);
		// Once it has learnt the limit (after the first second or so), few requests are refused:
		// unpaced, 4 workers against 10 requests/second would be refused most of the time.
		// Once it has learnt the limit, refusals become rare: unpaced, 4 workers against 10 requests a
		// second would be refused as often at the end as at the start.
		const third = Math.floor(fake.api.log.length / 3);
		const refusedIn = (requests: LoggedRequest[]) =>
			requests.filter((request) => request.status === 429).length;
		expect(refusedIn(fake.api.log.slice(-third))).toBeLessThan(
			refusedIn(fake.api.log.slice(0, third)) / 2,
		);
		// Each certificate was deleted by exactly one successful request (throughput is the bench's business).
		const deleted = fake.api.log
			.filter((request) => request.status === 200)
			.map((request) => request.path.split('/').pop());
		expect(deleted.sort()).toEqual([...ids].sort());
	});

	it('8 in flight against a limit whose 429s do not cluster (Retry-After 1 s each): learns the pace after its second 429', async () => {
		await fake.api.close();
		const { startFakeAdminApi } = await import('../../sandbox/server');
		// 3,000 a minute, burst 10 (bench case 9's limit): 8 deletes in flight at 100 ms spend the burst in
		// a third of a second, then a 429 with Retry-After 1 (whole seconds, as OpenAI's) pauses everything.
		// A few 429s in every thirty answers, never a quarter of the last 20: before, never paced, the run
		// met such a pause every thirty requests to the end.
		fake.api = await startFakeAdminApi({
			latencyMs: 100,
			rateLimit: { perMinute: 3000, retryAfter: true, burst: 10 },
		});
		fake.credentials = { apiKey: fake.api.apiKey, baseUrl: fake.api.baseUrl };
		const ids = Array.from({ length: 300 }, () => fake.api.organization.addCertificate().id);
		const { items, error } = await fake.run({
			items: ids.map((id) => ({ id })),
			credentials: fake.credentials,
			parameters: deleteEach({ concurrency: 8, maxRetries: 10 }),
		});
		expect(error).toBeUndefined();
		expect(items.every((item) => item.json.object === 'certificate.deleted')).toBe(true);
		const refused = fake.api.log.filter((request) => request.status === 429);
		// Refusal episodes: a 429 and those in flight with it (arrived within a round trip of it), one
		// pause each. The first never teaches anything (the run's start may have had any allowance), the
		// second brackets the limit; after it, hardly another. Before: one every thirty requests to the end
		// (8 more episodes in a run measured at load 2-6, where the learning governor had 0 to 2).
		const episodes = refused.reduce<number[]>(
			(starts, request) =>
				starts.length > 0 && request.at - starts[starts.length - 1] < 200
					? starts
					: [...starts, request.at],
			[],
		);
		// (On a machine loaded enough that the run never reaches 50 a second there is no episode at all.)
		expect(episodes.slice(2).length).toBeLessThanOrEqual(2);
		const deleted = fake.api.log
			.filter((request) => request.status === 200)
			.map((request) => request.path.split('/').pop());
		expect(deleted.sort()).toEqual([...ids].sort());
	});
});
