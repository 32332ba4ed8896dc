import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

describe('Certificate › Get Many › where a certificate is active', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	/** Organization-only, project-only (one in an archived project), both, and nowhere. */
	function seed() {
		const organization = fake.api.organization;
		organization.addProject({ id: 'proj_web' });
		organization.addProject({ id: 'proj_batch' });
		organization.addProject({ id: 'proj_old', archived: true });
		return {
			organizationOnly: organization.addCertificate({
				name: 'org only',
				activeInOrganization: true,
				expires_at: now() + 10 * DAY,
			}),
			projectOnly: organization.addCertificate({
				name: 'project only',
				activeInProjects: ['proj_batch'],
				expires_at: now() + 10 * DAY,
			}),
			archivedOnly: organization.addCertificate({
				name: 'archived project only',
				activeInProjects: ['proj_old'],
				expires_at: now() + 400 * DAY,
			}),
			both: organization.addCertificate({
				name: 'both',
				activeInOrganization: true,
				activeInProjects: ['proj_web', 'proj_batch'],
				expires_at: now() + 400 * DAY,
			}),
			nowhere: organization.addCertificate({ name: 'nowhere', expires_at: now() + 10 * DAY }),
		};
	}
	const getMany = (filters: Record<string, unknown>, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters,
				options,
			},
		});
	const activeInOf = (items: { json: Record<string, unknown> }[]) =>
		Object.fromEntries(items.map((item) => [item.json.name, item.json.activeIn]));

	it('Active In Anywhere keeps certificates active for the organization or any project (archived ones included), with activeIn listing the places', async () => {
		seed();
		const { items, error } = await getMany({ activeIn: 'anywhere' });
		expect(error).toBeUndefined();
		expect(activeInOf(items)).toEqual({
			both: ['organization', 'proj_web', 'proj_batch'],
			'archived project only': ['proj_old'],
			'project only': ['proj_batch'],
			'org only': ['organization'],
		});
	});

	it('Active In Nowhere keeps only certificates inactive everywhere; Organization only those active for it', async () => {
		seed();
		expect(activeInOf((await getMany({ activeIn: 'nowhere' })).items)).toEqual({ nowhere: [] });
		expect(activeInOf((await getMany({ activeIn: 'organization' })).items)).toEqual({
			both: ['organization', 'proj_web', 'proj_batch'],
			'org only': ['organization'],
		});
	});

	it('Active In Project keeps certificates active for that project, from the list or by ID', async () => {
		seed();
		expect(
			activeInOf(
				(
					await getMany({
						activeIn: 'project',
						activeInProject: certificateLocator('proj_batch', 'list'),
					})
				).items,
			),
		).toEqual({
			both: ['organization', 'proj_web', 'proj_batch'],
			'project only': ['proj_batch'],
		});
		expect(
			activeInOf((await getMany({ activeIn: 'project', activeInProject: 'proj_web' })).items),
		).toEqual({
			both: ['organization', 'proj_web', 'proj_batch'],
		});
	});

	it('reads no project and adds no activeIn without Active In or Include Where Active', async () => {
		const seeded = seed();
		const { items } = await getMany({});
		expect(items.map((item) => item.json.id)).toContain(seeded.projectOnly.id);
		expect(fake.api.log.map((request) => request.path)).toEqual(['/v1/organization/certificates']);
		expect(items.every((item) => item.json.activeIn === undefined)).toBe(true);
	});

	it('costs the certificate list, the project list and one request per project, read once', async () => {
		seed();
		const { items } = await getMany({}, { includeActiveIn: true });
		expect(items).toHaveLength(5);
		expect(
			fake.api.log.map(
				(request) =>
					`${request.path}?${new URLSearchParams(request.query as Record<string, string>)}`,
			),
		).toEqual([
			'/v1/organization/certificates?order=desc&limit=100',
			'/v1/organization/projects?include_archived=true&limit=100',
			'/v1/organization/projects/proj_web/certificates?limit=100',
			'/v1/organization/projects/proj_batch/certificates?limit=100',
			'/v1/organization/projects/proj_old/certificates?limit=100',
		]);
	});

	it('reads no project when no certificate gets past the cheaper filters', async () => {
		seed();
		const { items } = await getMany({ activeIn: 'anywhere', expired: true });
		expect(items).toEqual([]);
		expect(fake.api.log).toHaveLength(1);
	});

	it('combines with the other filters: active anywhere and expiring within 30 days', async () => {
		seed();
		const { items } = await getMany({ activeIn: 'anywhere', expiringWithinDays: 30 });
		expect(activeInOf(items)).toEqual({
			'project only': ['proj_batch'],
			'org only': ['organization'],
		});
	});

	it('refuses a bad Active In Project or Active In value before any request', async () => {
		seed();
		const badProject = await getMany({
			activeIn: 'project',
			activeInProject: certificateLocator('', 'list'),
		});
		expect(badProject.error?.message).toMatch(
			/Active In Project of item 0 is not a valid project ID: it is empty/,
		);
		const badPlace = await getMany({ activeIn: 'proj_web' });
		expect(badPlace.error?.message).toMatch(
			/Active In must be anywhere, nowhere, organization or project, got proj_web/,
		);
		expect(fake.api.log).toHaveLength(0);
	});
});
