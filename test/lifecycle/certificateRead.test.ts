import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

describe('Certificate › Get Many', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const seed = (count: number) =>
		Array.from({ length: count }, () => fake.api.organization.addCertificate());

	it('returns all 250 certificates, one item each, paging with limit=100 and after=last_id while has_more', async () => {
		fake.api.organization.maxCertificates = 1000;
		const certificates = seed(250);
		const { items, error } = await fake.run({
			parameters: { resource: 'certificate', operation: 'getAll', returnAll: true },
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual(certificates.map((c) => c.id).reverse());
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(fake.api.log.map((request) => request.query)).toEqual([
			{ order: 'desc', limit: '100' },
			{ order: 'desc', limit: '100', after: certificates[150].id },
			{ order: 'desc', limit: '100', after: certificates[50].id },
		]);
	});

	it('pages for a limit above 100 and stops once it has enough', async () => {
		fake.api.organization.maxCertificates = 1000;
		seed(250);
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				limit: 150,
				options: { order: 'asc' },
			},
		});
		expect(items).toHaveLength(150);
		expect(items[0].json.id).toBe(fake.api.organization.certificateList()[0].id);
		expect(fake.api.log.map((request) => request.query.limit)).toEqual(['100', '100']);
	});

	it('asks for exactly the limit when it fits one page', async () => {
		seed(30);
		const { items } = await fake.run({
			parameters: { resource: 'certificate', operation: 'getAll', limit: 5 },
		});
		expect(items).toHaveLength(5);
		expect(fake.api.log).toHaveLength(1);
		expect(fake.api.log[0].query).toEqual({ order: 'desc', limit: '5' });
	});

	describe('filters, applied while paging so Limit counts matches', () => {
		beforeEach(() => {
			fake.api.organization.maxCertificates = 1000;
			for (let index = 0; index < 240; index++) {
				fake.api.organization.addCertificate({
					name: `c${index}`,
					activeInOrganization: index % 3 === 0,
					// index%4: 0 expired, 1 expires in 10 days, 2 in 60 days, 3 in 400 days
					expires_at: now() + [-5 * DAY, 10 * DAY, 60 * DAY, 400 * DAY][index % 4],
				});
			}
		});
		const names = (items: { json: Record<string, unknown> }[]) =>
			items.map((item) => Number(String(item.json.name).slice(1))).sort((a, b) => a - b);
		const all = Array.from({ length: 240 }, (_, index) => index);

		it.each([
			['active in the organization', { activeIn: 'organization' }, (i: number) => i % 3 === 0],
			['active nowhere (no project here)', { activeIn: 'nowhere' }, (i: number) => i % 3 !== 0],
			['no filter', {}, () => true],
			[
				'expiring within 30 days (expired included)',
				{ expiringWithinDays: 30 },
				(i: number) => i % 4 <= 1,
			],
			['expired', { expired: true }, (i: number) => i % 4 === 0],
			['not expired', { expired: false }, (i: number) => i % 4 !== 0],
			[
				'active and expiring within 90 days',
				{ activeIn: 'organization', expiringWithinDays: 90 },
				(i: number) => i % 3 === 0 && i % 4 <= 2,
			],
		])('%s', async (_name, filters, expected) => {
			const { items } = await fake.run({
				parameters: { resource: 'certificate', operation: 'getAll', returnAll: true, filters },
			});
			expect(names(items)).toEqual(all.filter(expected));
		});

		it('counts only matches towards the limit, reading only the pages it needs', async () => {
			const { items } = await fake.run({
				parameters: {
					resource: 'certificate',
					operation: 'getAll',
					limit: 30,
					filters: { expired: true },
					options: { order: 'asc' },
				},
			});
			expect(names(items)).toEqual(all.filter((i) => i % 4 === 0).slice(0, 30));
			expect(fake.api.log.map((request) => request.query.limit)).toEqual(['100', '100']);
		});
	});

	it('refuses a bad limit before any request', async () => {
		const { error } = await fake.run({
			parameters: { resource: 'certificate', operation: 'getAll', limit: 0 },
		});
		expect(error?.message).toMatch(/Limit must be a whole number/);
		expect(fake.api.log).toHaveLength(0);
	});
});

describe('Certificate › Get', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	it('gets a certificate, with its PEM only when Include Content is on (include[]=content)', async () => {
		const certificate = fake.api.organization.addCertificate({ name: 'CA' });
		const plain = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator(certificate.id),
			},
		});
		expect(plain.items[0].json).toMatchObject({
			object: 'certificate',
			id: certificate.id,
			name: 'CA',
		});
		expect(
			(plain.items[0].json.certificate_details as Record<string, unknown>).content,
		).toBeUndefined();
		expect(fake.api.log[0]).toMatchObject({
			method: 'GET',
			path: `/v1/organization/certificates/${certificate.id}`,
			query: {},
		});

		const withContent = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator(certificate.id),
				options: { includeContent: true },
			},
		});
		expect((withContent.items[0].json.certificate_details as Record<string, unknown>).content).toBe(
			certificate.content,
		);
		expect(fake.api.log[1].query).toEqual({ 'include[]': 'content' });
	});

	it('continues on fail with an error item per missing certificate', async () => {
		const certificate = fake.api.organization.addCertificate();
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ id: 'cert_nope' }, { id: certificate.id }],
			parameters: {
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator('={{ $json.id }}'),
			},
		});
		expect(items.map((item) => [item.json.error ?? item.json.id, item.pairedItem])).toEqual([
			["No certificate found with id 'cert_nope'.", { item: 0 }],
			[certificate.id, { item: 1 }],
		]);
	});
});

describe('Project Certificate › Get Many', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	it("lists a project's certificates with their project-level state, paging", async () => {
		fake.api.organization.maxCertificates = 1000;
		fake.api.organization.addProject({ id: 'proj_a' });
		const certificates = Array.from({ length: 120 }, (_, i) =>
			fake.api.organization.addCertificate({ activeInProjects: i % 2 ? ['proj_a'] : [] }),
		);
		const { items } = await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'getAll',
				projectId: certificateLocator('proj_a'),
				returnAll: true,
				options: { order: 'asc' },
			},
		});
		expect(items.map((item) => [item.json.id, item.json.active])).toEqual(
			certificates.map((c, i) => [c.id, i % 2 === 1]),
		);
		expect(fake.api.log.map((request) => [request.path, request.query.after ?? null])).toEqual([
			['/v1/organization/projects/proj_a/certificates', null],
			['/v1/organization/projects/proj_a/certificates', certificates[99].id],
		]);
	});

	it('reports an unknown project, or continues on fail', async () => {
		fake.api.organization.addProject({ id: 'proj_a' });
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ project: 'proj_missing' }, { project: 'proj_a' }],
			parameters: {
				resource: 'projectCertificate',
				operation: 'getAll',
				projectId: certificateLocator('={{ $json.project }}'),
				limit: 10,
			},
		});
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ json: { httpCode: '404' }, pairedItem: { item: 0 } });
	});
});
