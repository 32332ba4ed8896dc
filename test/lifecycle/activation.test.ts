import { adminCredential, makeAdminClient } from '../support/adminClient';
import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

/** The first certificate seeded is the CA of the node's admin client (it is activated for the organization). */
const admin = makeAdminClient();

describe('Activate and Deactivate', () => {
	const fake = useFakeAdminApi();
	const seed = (count: number) => {
		fake.credentials = adminCredential(fake.api, admin.client);
		const first = fake.api.organization.addCertificate({ content: admin.ca.pem }).id;
		const rest = Array.from({ length: count - 1 }, () => fake.api.organization.addCertificate().id);
		return [first, ...rest];
	};
	const posts = () => fake.api.log.filter((request) => request.method === 'POST');

	it('activates 23 certificates in the organization in calls of 10 + 10 + 3, emitting each response as the API gives it', async () => {
		const ids = seed(23);
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds: ids.join(', '),
				options: { confirmOrganizationEnforcement: true },
			},
		});
		expect(error).toBeUndefined();
		expect(
			posts().map((request) => [
				request.method,
				request.path,
				(request.body as { certificate_ids: string[] }).certificate_ids,
			]),
		).toEqual([
			['POST', '/v1/organization/certificates/activate', ids.slice(0, 10)],
			['POST', '/v1/organization/certificates/activate', ids.slice(10, 20)],
			['POST', '/v1/organization/certificates/activate', ids.slice(20)],
		]);
		expect(items.map((item) => item.json.object)).toEqual(
			Array(3).fill('organization.certificate.activation'),
		);
		expect(items.flatMap((item) => (item.json.data as { id: string }[]).map((c) => c.id))).toEqual(
			ids,
		);
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect([...fake.api.organization.activeInOrganization]).toEqual(ids);
	});

	it('takes an array from an expression and drops duplicates', async () => {
		const ids = seed(3);
		await fake.run({
			items: [{ ids: [ids[0], ids[1], ids[0], ` ${ids[2]} `, ids[1]] }],
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds: '={{ $json.ids }}',
				options: { confirmOrganizationEnforcement: true },
			},
		});
		expect(posts().map((request) => request.body)).toEqual([{ certificate_ids: ids }]);
	});

	it('refuses an invalid ID in the list, or an empty list, before any request', async () => {
		const ids = seed(2);
		for (const certificateIds of [`${ids[0]}, ../x`, ' , ', "={{ '' }}", '={{ [] }}']) {
			const { error } = await fake.run({
				parameters: { resource: 'certificate', operation: 'activate', certificateIds },
			});
			expect(error?.name).toBe('NodeOperationError');
		}
		expect(fake.api.log).toHaveLength(0);
	});

	it('says which calls succeeded when a later one fails, and reports it as data under Continue On Fail', async () => {
		const ids = seed(23);
		fake.api.faults.push({
			kind: 'error',
			status: 400,
			message: 'Bad chunk',
			match: (request) =>
				(request.body as { certificate_ids: string[] })?.certificate_ids?.[0] === ids[20],
		});
		const failed = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds: ids.join(','),
				options: { confirmOrganizationEnforcement: true },
			},
		});
		expect(failed.error?.message).toBe('Bad chunk');
		expect(failed.error?.description).toMatch(
			/^Call 3 of 3 to activate certificates in the organization failed; 2 call\(s\) before it succeeded \(/,
		);
		expect(failed.error?.description).toContain(ids[19]);

		fake.api.faults.push({
			kind: 'error',
			status: 400,
			message: 'Bad chunk',
			match: (request) =>
				(request.body as { certificate_ids: string[] })?.certificate_ids?.[0] === ids[10],
		});
		const reported = await fake.run({
			continueOnFail: true,
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds: ids.join(','),
				options: { confirmOrganizationEnforcement: true },
			},
		});
		expect(reported.items).toHaveLength(1);
		expect(reported.items[0].json.report).toEqual({
			done: [{ action: 'activate', place: 'organization', certificateIds: ids.slice(0, 10) }],
			failed: {
				action: 'activate',
				place: 'organization',
				certificateIds: ids.slice(10, 20),
				status: 'not done',
			},
			notDone: [{ action: 'activate', place: 'organization', certificateIds: ids.slice(20) }],
			rerun:
				'Running the same Activate again is safe: it activates all of them, whichever were done already.',
		});
	});

	it('deactivates in the organization, and a dry run writes nothing', async () => {
		const ids = seed(2);
		ids.forEach((id) => fake.api.organization.activeInOrganization.add(id));
		const dry = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: ids.join(','),
				options: { dryRun: true },
			},
		});
		expect(dry.items[0].json).toEqual({
			dryRun: true,
			wouldDeactivate: ids,
			// Deactivating both leaves nothing active: the node's admin access stays open.
			adminAccess: {
				acceptedNow: true,
				now: `accepted: the credential's client certificate chains to ${ids[0]}`,
			},
		});
		expect(posts()).toHaveLength(0);

		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: ids.join(','),
			},
		});
		expect(items[0].json).toMatchObject({
			object: 'organization.certificate.deactivation',
			data: ids.map((id) => ({ id, active: false })),
		});
		expect(fake.api.organization.activeInOrganization.size).toBe(0);
	});

	it('activates and deactivates in a project, with a dry run', async () => {
		fake.api.organization.addProject({ id: 'proj_a' });
		const ids = seed(12);
		const activated = await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: certificateLocator('proj_a'),
				certificateIds: ids.join(','),
			},
		});
		expect(fake.api.log.map((request) => request.path)).toEqual(
			Array(2).fill('/v1/organization/projects/proj_a/certificates/activate'),
		);
		expect(activated.items.map((item) => item.json.object)).toEqual(
			Array(2).fill('organization.project.certificate.activation'),
		);
		expect(fake.api.organization.activeInProject.get('proj_a')?.size).toBe(12);

		const sentBefore = fake.api.log.length;
		const dry = await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'deactivate',
				projectId: certificateLocator('proj_a'),
				certificateIds: ids[0],
				options: { dryRun: true },
			},
		});
		expect(dry.items[0].json).toEqual({
			dryRun: true,
			wouldDeactivate: [ids[0]],
			projectId: 'proj_a',
		});
		expect(fake.api.log).toHaveLength(sentBefore);

		await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'deactivate',
				projectId: certificateLocator('proj_a'),
				certificateIds: ids[0],
			},
		});
		expect(fake.api.log.slice(sentBefore)).toHaveLength(1);
		expect(fake.api.log[sentBefore]).toMatchObject({
			path: '/v1/organization/projects/proj_a/certificates/deactivate',
			body: { certificate_ids: [ids[0]] },
		});
		expect(fake.api.organization.activeInProject.get('proj_a')?.has(ids[0])).toBe(false);
	});

	it('continues on fail per item across projects', async () => {
		fake.api.organization.addProject({ id: 'proj_a' });
		const [id] = seed(1);
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ project: 'proj_missing' }, { project: 'proj_a' }],
			parameters: {
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: certificateLocator('={{ $json.project }}'),
				certificateIds: id,
			},
		});
		expect(items.map((item) => [item.json.httpCode ?? item.json.object, item.pairedItem])).toEqual([
			['404', { item: 0 }],
			['organization.project.certificate.activation', { item: 1 }],
		]);
	});
});

describe('Activation responses in the older paged-list shape', () => {
	const fake = useFakeAdminApi({ ...WITHOUT_ADMIN_MTLS, legacyToggleShape: true });

	it('are emitted as the API returned them', async () => {
		fake.credentials = adminCredential(fake.api, admin.client);
		const id = fake.api.organization.addCertificate({ content: admin.ca.pem }).id;
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds: id,
				options: { confirmOrganizationEnforcement: true },
			},
		});
		expect(items[0].json).toMatchObject({
			object: 'list',
			data: [{ id, active: true }],
			has_more: false,
		});
		// The after-each check validates it against the list schema it follows.
		const posts = fake.api.log.filter((request) => request.method === 'POST');
		expect(posts.map((request) => request.schema)).toEqual(['ListCertificatesResponse']);
	});
});
