import fc from 'fast-check';

import { idProblem, parseId } from '../../nodes/OpenAiCertificates/helpers/ids';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

const HOSTILE_IDS = [
	'',
	'   ',
	'.',
	'..',
	' .. ',
	'%2e',
	'%2E%2E',
	'.%2e',
	'cert/../../admin',
	'../projects',
	'cert_a/activate',
	'cert_a?include[]=content',
	'cert_a#fragment',
	'cert_a%2Factivate',
	'cert a',
	'cert\ta',
	'cert\u0000a',
	'cert\u001fa',
	'cert\u007fa',
	'cert\u0085a',
	'cert\u2028a',
	'cert\u00a0a',
	'cert\\..\\x',
	'https://evil.example/x',
	'//evil.example',
	'x'.repeat(201),
];

describe('IDs › refused before any request', () => {
	const fake = useFakeAdminApi();

	it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id), id]))('refuses %s', async (_shown, id) => {
		const { error, items } = await fake.run({
			items: [{ id }],
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator('={{ $json.id }}'),
			},
		});
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/^The certificate ID ".*" of item 0 is not valid: /);
		expect(error?.context?.itemIndex).toBe(0);
		expect(fake.api.log).toHaveLength(0);
	});

	it('refuses values that are not text', async () => {
		for (const value of [null, ['cert_a'], { id: 'cert_a' }, true]) {
			const { error } = await fake.run({
				items: [{ value }],
				parameters: {
					resource: 'certificate',
					operation: 'delete',
					certificateId: certificateLocator('={{ $json.value }}'),
				},
			});
			expect(error?.message).toMatch(/is not valid/);
		}
		expect(fake.api.log).toHaveLength(0);
	});

	it('property: whatever the ID, the server sees no request or exactly DELETE /v1/organization/certificates/<that id>', async () => {
		const idCharacters = fc.oneof(
			fc.constantFrom(
				'/',
				'\\',
				'?',
				'#',
				'%',
				'.',
				' ',
				'\t',
				'\n',
				'&',
				'=',
				';',
				'@',
				':',
				'+',
				'\u0000',
				'\u2028',
				'é',
				'😀',
			),
			fc.string({ minLength: 1, maxLength: 1 }),
		);
		const ids = fc.oneof(
			fc.string({ unit: idCharacters, maxLength: 20 }),
			fc.string({ maxLength: 30 }),
			fc.constantFrom('.', '..', '%2e%2e', 'cert_ok'),
		);
		await fc.assert(
			fc.asyncProperty(ids, async (raw) => {
				const sentBefore = fake.api.log.length;
				fake.api.organization.certificates.clear();
				const trimmed = raw.trim();
				if (idProblem(trimmed) === undefined) fake.api.organization.addCertificate({ id: trimmed });
				await fake.run({
					items: [{ raw }],
					parameters: {
						resource: 'certificate',
						operation: 'delete',
						certificateId: certificateLocator('={{ $json.raw }}'),
					},
				});
				const parsed = parseId(raw);
				const sent = fake.api.log.slice(sentBefore);
				// A refused ID sends nothing; a valid one exactly one DELETE whose one segment decodes back to it.
				const expected =
					'problem' in parsed
						? []
						: [
								[
									'DELETE',
									`/v1/organization/certificates/${encodeURIComponent(parsed.id)}`,
									{},
									parsed.id,
								],
							];
				expect(
					sent.map((request) => [
						request.method,
						request.path,
						request.query,
						decodeURIComponent(request.path.split('/').pop() ?? ''),
					]),
				).toEqual(expected);
				// Whatever was sent, no certificate with a valid ID is left behind.
				expect('id' in parsed && fake.api.organization.certificates.has(parsed.id)).toBe(false);
			}),
			{ numRuns: 150 },
		);
	});
});
