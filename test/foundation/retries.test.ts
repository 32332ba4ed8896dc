import type { FaultKind } from '../../sandbox/server';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

const deleteParameters = (id: string, options: Record<string, unknown> = {}) => ({
	resource: 'certificate',
	operation: 'delete',
	certificateId: certificateLocator(id),
	options,
});

describe('Transport › retries', () => {
	const fake = useFakeAdminApi();

	it.each<[FaultKind]>([['500'], ['502'], ['503'], ['504'], ['drop'], ['429']])(
		'repeats after a transient %s and succeeds, sending the delete until it works',
		async (kind) => {
			const certificate = fake.api.organization.addCertificate();
			fake.api.faults.push({ kind });
			const { items, error } = await fake.run({ parameters: deleteParameters(certificate.id) });
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({ object: 'certificate.deleted', id: certificate.id, deleted: true });
			expect(fake.api.log.map((request) => [request.method, request.fault ?? request.status])).toEqual([
				['DELETE', kind],
				['DELETE', 200],
			]);
		},
	);

	it('gives up a slow attempt at the timeout and repeats it', async () => {
		const certificate = fake.api.organization.addCertificate();
		fake.api.faults.push({ kind: 'slow', delayMs: 3000, match: (request) => request.method === 'DELETE' });
		const { items, error } = await fake.run({ parameters: deleteParameters(certificate.id, { timeout: 500 }) });
		expect(error).toBeUndefined();
		expect(items[0].json.id).toBe(certificate.id);
		expect(fake.api.log.filter((request) => request.method === 'DELETE')).toHaveLength(2);
	});

	it('honours Retry-After in seconds and as an HTTP date', async () => {
		for (const kind of ['429-retry-after', '429-retry-after-date'] as const) {
			fake.api.log.length = 0;
			const certificate = fake.api.organization.addCertificate();
			fake.api.faults.push({ kind, retryAfterSeconds: 2 });
			const { error } = await fake.run({ parameters: deleteParameters(certificate.id) });
			expect(error).toBeUndefined();
			const [throttled, retried] = fake.api.log;
			// An HTTP date has whole-second precision: at least one second, whatever the rounding.
			expect(retried.at - throttled.at).toBeGreaterThanOrEqual(kind === '429-retry-after' ? 1950 : 950);
		}
	});

	it('never repeats another 4xx: a 400 is sent exactly once', async () => {
		fake.api.faults.push({ kind: 'error', status: 400, message: 'Invalid request.' });
		const { error } = await fake.run({ parameters: deleteParameters('cert_any', { maxRetries: 5 }) });
		expect(error?.httpCode).toBe('400');
		expect(fake.api.log).toHaveLength(1);
	});

	it('makes exactly Max Retries + 1 attempts when the fault never clears', async () => {
		for (const maxRetries of [0, 2]) {
			fake.api.log.length = 0;
			fake.api.setFaultRate(1, ['500']);
			const { error } = await fake.run({ parameters: deleteParameters('cert_any', { maxRetries }) });
			expect(error?.httpCode).toBe('500');
			expect(fake.api.log).toHaveLength(maxRetries + 1);
		}
	});

	it('does not wait for a Retry-After longer than two minutes: it reports it instead', async () => {
		fake.api.faults.push({ kind: '429-retry-after', retryAfterSeconds: 3600 });
		const started = Date.now();
		const { error } = await fake.run({ parameters: deleteParameters('cert_any') });
		expect(Date.now() - started).toBeLessThan(30_000);
		expect(error?.httpCode).toBe('429');
		expect(error?.description).toMatch(/asked to wait 3600 seconds/);
		expect(fake.api.log).toHaveLength(1);
	});

	it('refuses bad retry settings before any request', async () => {
		const { error } = await fake.run({ parameters: deleteParameters('cert_any', { maxRetries: -1 }) });
		expect(error?.message).toMatch(/Max Retries must be a whole number/);
		expect(fake.api.log).toHaveLength(0);
	});
});
