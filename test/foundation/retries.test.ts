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
			// A 10 ms first pause instead of the default second: what is asserted is what was sent, not the wait.
			const { items, error } = await fake.run({
				parameters: deleteParameters(certificate.id, { retryDelay: 10 }),
			});
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({
				object: 'certificate.deleted',
				id: certificate.id,
				deleted: true,
			});
			expect(
				fake.api.log.map((request) => [request.method, request.fault ?? request.status]),
			).toEqual([
				['DELETE', kind],
				['DELETE', 200],
			]);
		},
	);

	it('gives up a slow attempt at the timeout and repeats it', async () => {
		const certificate = fake.api.organization.addCertificate();
		fake.api.faults.push({
			kind: 'slow',
			delayMs: 3000,
			match: (request) => request.method === 'DELETE',
		});
		const { items, error } = await fake.run({
			parameters: deleteParameters(certificate.id, { timeout: 500, retryDelay: 10 }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.id).toBe(certificate.id);
		expect(fake.api.log.filter((request) => request.method === 'DELETE')).toHaveLength(2);
	});

	// How long it waits is transport/retry.ts's and the bench's business; here: it waits, then sends the same request once more.
	it.each(['429-retry-after', '429-retry-after-date'] as const)(
		'repeats after a %s answer, once',
		async (kind) => {
			const certificate = fake.api.organization.addCertificate();
			fake.api.faults.push({ kind, retryAfterSeconds: 1 });
			const { items, error } = await fake.run({ parameters: deleteParameters(certificate.id) });
			expect(error).toBeUndefined();
			expect(items[0].json).toEqual({
				object: 'certificate.deleted',
				id: certificate.id,
				deleted: true,
			});
			expect(fake.api.log.map((request) => [request.method, request.path, request.status])).toEqual(
				[
					['DELETE', `/v1/organization/certificates/${certificate.id}`, 429],
					['DELETE', `/v1/organization/certificates/${certificate.id}`, 200],
				],
			);
		},
	);

	it('never repeats another 4xx: a 400 is sent exactly once', async () => {
		fake.api.faults.push({ kind: 'error', status: 400, message: 'Invalid request.' });
		const { error } = await fake.run({
			parameters: deleteParameters('cert_any', { maxRetries: 5 }),
		});
		expect(error?.httpCode).toBe('400');
		expect(fake.api.log).toHaveLength(1);
	});

	it.each([0, 2])(
		'makes exactly Max Retries + 1 attempts when the fault never clears (Max Retries %i)',
		async (maxRetries) => {
			fake.api.setFaultRate(1, ['500']);
			const { error } = await fake.run({
				parameters: deleteParameters('cert_any', { maxRetries, retryDelay: 5 }),
			});
			expect(error?.httpCode).toBe('500');
			expect(fake.api.log).toHaveLength(maxRetries + 1);
		},
	);

	it('does not wait for a Retry-After longer than two minutes: it reports it instead', async () => {
		fake.api.faults.push({ kind: '429-retry-after', retryAfterSeconds: 3600 });
		// Waiting an hour would outlast the test's own timeout; the assertions say it reported instead.
		const { error } = await fake.run({ parameters: deleteParameters('cert_any') });
		expect(error?.httpCode).toBe('429');
		expect(error?.description).toMatch(/asked to wait 3600 seconds/);
		expect(fake.api.log).toHaveLength(1);
	});

	it('refuses bad retry settings before any request', async () => {
		const { error } = await fake.run({
			parameters: deleteParameters('cert_any', { maxRetries: -1 }),
		});
		expect(error?.message).toMatch(/Max Retries must be a whole number/);
		expect(fake.api.log).toHaveLength(0);
	});
});
