import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

const deleteParameters = (certificateId: unknown, options: Record<string, unknown> = {}) => ({
	resource: 'certificate',
	operation: 'delete',
	certificateId,
	options,
});

describe('Certificate › Delete', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	it('sends one DELETE with the bearer key and outputs the API response paired to its item', async () => {
		const certificate = fake.api.organization.addCertificate();
		const { items, error } = await fake.run({
			parameters: deleteParameters(certificateLocator(certificate.id)),
		});

		expect(error).toBeUndefined();
		expect(fake.api.log).toHaveLength(1);
		expect(fake.api.log[0]).toMatchObject({
			method: 'DELETE',
			path: `/v1/organization/certificates/${certificate.id}`,
			authorization: `Bearer ${fake.api.apiKey}`,
		});
		expect(items).toEqual([
			{
				json: { object: 'certificate.deleted', id: certificate.id, deleted: true },
				pairedItem: { item: 0 },
			},
		]);
		expect(fake.api.organization.certificates.has(certificate.id)).toBe(false);
	});

	it.each(['id', 'list'] as const)(
		"deletes each input item's certificate once, in order, from an expression in locator mode %s",
		async (mode) => {
			const certificates = [1, 2, 3].map(() => fake.api.organization.addCertificate());
			const { items } = await fake.run({
				items: certificates.map((certificate) => ({ certificate: certificate.id })),
				parameters: deleteParameters(certificateLocator('={{ $json.certificate }}', mode)),
			});
			expect(fake.api.log.map((request) => request.path)).toEqual(
				certificates.map((certificate) => `/v1/organization/certificates/${certificate.id}`),
			);
			expect(items.map((item) => [item.json.id, item.pairedItem])).toEqual(
				certificates.map((certificate, index) => [certificate.id, { item: index }]),
			);
			expect(fake.api.organization.certificates.size).toBe(0);
		},
	);

	it('trims the ID before using it', async () => {
		const certificate = fake.api.organization.addCertificate();
		const { items } = await fake.run({
			parameters: deleteParameters(certificateLocator(`  ${certificate.id}\n`)),
		});
		expect(items[0].json.id).toBe(certificate.id);
		expect(fake.api.log[0].path).toBe(`/v1/organization/certificates/${certificate.id}`);
	});

	describe('Ignore Not Found', () => {
		it('reports a missing certificate as already deleted', async () => {
			const { items, error } = await fake.run({
				parameters: deleteParameters(certificateLocator('cert_gone'), { ignoreNotFound: true }),
			});
			expect(error).toBeUndefined();
			expect(items).toEqual([
				{
					json: {
						object: 'certificate.deleted',
						id: 'cert_gone',
						alreadyDeleted: true,
						deleted: true,
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		it('is off by default: a missing certificate fails with a hint to turn it on', async () => {
			const { error } = await fake.run({
				parameters: deleteParameters(certificateLocator('cert_gone')),
			});
			expect(error?.message).toBe("No certificate found with id 'cert_gone'.");
			expect(error?.description).toMatch(/Ignore Not Found/);
			expect(error?.httpCode).toBe('404');
		});

		it('does not hide other errors', async () => {
			const certificate = fake.api.organization.addCertificate({ activeInOrganization: true });
			const { error } = await fake.run({
				parameters: deleteParameters(certificateLocator(certificate.id), { ignoreNotFound: true }),
			});
			expect(error?.httpCode).toBe('400');
			expect(fake.api.organization.certificates.has(certificate.id)).toBe(true);
		});
	});

	describe('Continue On Fail', () => {
		it('turns each failing item into an error item paired to it while the others go on', async () => {
			const [first, second] = [1, 2].map(() => fake.api.organization.addCertificate());
			const { items, error } = await fake.run({
				continueOnFail: true,
				items: [{ id: first.id }, { id: 'cert_missing' }, { id: 'bad/id' }, { id: second.id }],
				parameters: deleteParameters(certificateLocator('={{ $json.id }}')),
			});
			expect(error).toBeUndefined();
			expect(items).toHaveLength(4);
			expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
			expect(items[0].json).toEqual({ object: 'certificate.deleted', id: first.id, deleted: true });
			expect(items[1].json).toMatchObject({
				error: "No certificate found with id 'cert_missing'.",
				httpCode: '404',
			});
			expect(items[2].json.error).toMatch(/not valid.*"\/"/);
			expect(items[3].json).toEqual({
				object: 'certificate.deleted',
				id: second.id,
				deleted: true,
			});
			// The invalid ID never reached the API.
			expect(fake.api.log.map((request) => request.path)).toEqual([
				`/v1/organization/certificates/${first.id}`,
				'/v1/organization/certificates/cert_missing',
				`/v1/organization/certificates/${second.id}`,
			]);
		});

		it('without it, stops at the first failure and names the item', async () => {
			const certificate = fake.api.organization.addCertificate();
			const { error, items } = await fake.run({
				items: [{ id: 'cert_missing' }, { id: certificate.id }],
				parameters: deleteParameters(certificateLocator('={{ $json.id }}')),
			});
			expect(items).toEqual([]);
			expect(error?.context?.itemIndex).toBe(0);
			expect(fake.api.organization.certificates.has(certificate.id)).toBe(true);
		});
	});

	describe('API errors say what happened and how to fix it', () => {
		const cases: Array<{
			name: string;
			setup: (api: typeof fake.api) => void;
			status: string;
			message: RegExp;
			fix: RegExp;
		}> = [
			{
				name: '401 wrong or non-admin key',
				setup: () => {},
				status: '401',
				message: /Incorrect API key provided/,
				fix: /admin key \(sk-admin-\.\.\.\).*Project and user keys/,
			},
			{
				name: '403',
				setup: (api) =>
					api.faults.push({
						kind: 'error',
						status: 403,
						message: 'You do not have access to this organization.',
					}),
				status: '403',
				message: /You do not have access/,
				fix: /organization owner/,
			},
			{
				name: 'certificate still active (certificate_in_use): where, and Deactivate Everywhere First',
				setup: (api) =>
					api.organization.addCertificate({ id: 'cert_target', activeInProjects: ['proj_a'] }),
				status: '400',
				message: /still active/,
				fix: /^cert_target is still active in proj_a\. Turn on Deactivate Everywhere First/,
			},
			{
				name: '503 authentication_temporarily_unavailable (Mutual TLS guide: retry)',
				setup: (api) =>
					[1, 2].forEach(() =>
						api.faults.push({
							kind: 'error',
							status: 503,
							message: 'Authentication is temporarily unavailable.',
						}),
					),
				status: '503',
				message: /temporarily unavailable/,
				fix: /failed on its side\. It was tried 2 times/,
			},
			{
				name: '429 that does not clear',
				setup: (api) =>
					[1, 2].forEach(() => api.faults.push({ kind: '429-retry-after', retryAfterSeconds: 0 })),
				status: '429',
				message: /Rate limit/,
				fix: /rate limit was reached\. It was tried 2 times/,
			},
			{
				name: '5xx',
				setup: (api) => [1, 2].forEach(() => api.faults.push({ kind: '503' })),
				status: '503',
				message: /server had an error/,
				fix: /failed on its side\. It was tried 2 times/,
			},
			{
				name: 'HTML error page',
				setup: (api) => [1, 2].forEach(() => api.faults.push({ kind: 'html', status: 502 })),
				status: '502',
				message:
					/^The OpenAI Admin API answered HTTP 502 with an HTML page: "502 Bad Gateway 502 Bad Gateway"$/,
				fix: /failed on its side/,
			},
			{
				name: 'plain-text error',
				setup: (api) => api.faults.push({ kind: 'text', status: 400 }),
				status: '400',
				message: /answered HTTP 400 with a non-JSON body: "upstream connect error/,
				fix: /parameter/,
			},
			{
				name: 'empty error body',
				setup: (api) => api.faults.push({ kind: 'empty', status: 422 }),
				status: '422',
				message: /answered HTTP 422 with an empty body/,
				fix: /parameter/,
			},
		];

		it.each(cases)('$name', async ({ setup, status, message, fix, name }) => {
			setup(fake.api);
			const credentials = name.startsWith('401')
				? { ...fake.credentials, apiKey: 'sk-proj-not-an-admin-key-123456' }
				: fake.credentials;
			const { error } = await fake.run({
				credentials,
				parameters: deleteParameters(certificateLocator('cert_target'), { maxRetries: 1 }),
			});
			expect(error?.name).toBe('NodeApiError');
			expect(error?.httpCode).toBe(status);
			expect(error?.message).toMatch(message);
			expect(error?.description).toMatch(fix);
			expect(error?.context?.itemIndex).toBe(0);
		});
	});
});
