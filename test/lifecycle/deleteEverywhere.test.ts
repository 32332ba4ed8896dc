import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

describe('Certificate › Delete › Deactivate Everywhere First', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	function seedOrganization() {
		const organization = fake.api.organization;
		organization.maxCertificates = 1000;
		// 130 projects so the project list pages; a few certificates so each project's list has content.
		for (let index = 0; index < 130; index++)
			organization.addProject({ id: `proj_${String(index).padStart(3, '0')}` });
		organization.addProject({ id: 'proj_archived', archived: true });
		const others = Array.from({ length: 5 }, () =>
			organization.addCertificate({ activeInOrganization: true, activeInProjects: ['proj_001'] }),
		);
		const target = organization.addCertificate({
			activeInOrganization: true,
			activeInProjects: ['proj_003', 'proj_120', 'proj_archived'],
		});
		return { target, others };
	}

	/** A second cleanup job finishes first: when our deactivation reaches that project, the certificate is gone. */
	function deletedByAnotherRunAt(projectId: string, certificateId: string) {
		const organization = fake.api.organization;
		fake.api.onRequest = (request) => {
			if (!request.path.includes(`${projectId}/certificates/deactivate`)) return;
			organization.activeInOrganization.delete(certificateId);
			for (const active of organization.activeInProject.values()) active.delete(certificateId);
			organization.certificates.delete(certificateId);
		};
	}

	it('deactivates it in the organization and every project where it is active (not elsewhere), then deletes it', async () => {
		const { target, others } = seedOrganization();
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { deactivateFirst: true },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			object: 'certificate.deleted',
			id: target.id,
			deleted: true,
			deactivatedIn: ['organization', 'proj_003', 'proj_120', 'proj_archived'],
		});
		const writes = fake.api.log.filter((request) => request.method !== 'GET');
		expect(writes.map((request) => [request.method, request.path])).toEqual([
			['POST', '/v1/organization/certificates/deactivate'],
			['POST', '/v1/organization/projects/proj_003/certificates/deactivate'],
			['POST', '/v1/organization/projects/proj_120/certificates/deactivate'],
			['POST', '/v1/organization/projects/proj_archived/certificates/deactivate'],
			['DELETE', `/v1/organization/certificates/${target.id}`],
		]);
		expect(
			writes
				.slice(0, 4)
				.every(
					(request) =>
						JSON.stringify(request.body) === JSON.stringify({ certificate_ids: [target.id] }),
				),
		).toBe(true);
		// It paged through the projects, archived ones included.
		expect(
			fake.api.log
				.filter((request) => request.path === '/v1/organization/projects')
				.map((request) => request.query),
		).toEqual([
			{ include_archived: 'true', limit: '100' },
			{ include_archived: 'true', limit: '100', after: 'proj_099' },
		]);
		expect(fake.api.organization.certificates.has(target.id)).toBe(false);
		// Other certificates are untouched.
		expect(
			others.every(
				(other) => fake.api.organization.whereActive(other.id).join() === 'organization,proj_001',
			),
		).toBe(true);
	});

	it('a dry run reads where it is active and sends no write', async () => {
		const { target } = seedOrganization();
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { deactivateFirst: true, dryRun: true },
			},
		});
		expect(items[0].json).toEqual({
			dryRun: true,
			wouldDeactivate: ['organization', 'proj_003', 'proj_120', 'proj_archived'],
			wouldDelete: target.id,
			activeIn: ['organization', 'proj_003', 'proj_120', 'proj_archived'],
		});
		expect(fake.api.log.every((request) => request.method === 'GET')).toBe(true);
		expect(fake.api.organization.whereActive(target.id)).toHaveLength(4);
	});

	it('a dry run without the option says the delete would be refused', async () => {
		const { target } = seedOrganization();
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { dryRun: true },
			},
		});
		expect(items[0].json).toMatchObject({
			dryRun: true,
			wouldDeactivate: [],
			wouldDelete: target.id,
			wouldFail: expect.stringMatching(/refuses/),
		});
		expect(fake.api.log.every((request) => request.method === 'GET')).toBe(true);
	});

	it('reports exactly where it was and was not deactivated when a step fails', async () => {
		const { target } = seedOrganization();
		fake.api.faults.push({
			kind: 'error',
			status: 400,
			message: 'Project is locked',
			match: (request) => request.path.includes('proj_120/certificates/deactivate'),
		});
		const { items } = await fake.run({
			continueOnFail: true,
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { deactivateFirst: true },
			},
		});
		expect(items[0].json.error).toBe('Project is locked');
		expect(items[0].json.description).toMatch(
			/deactivated in organization, proj_003 and is still active in proj_120, proj_archived\. It was not deleted\./,
		);
		expect(items[0].json.report).toEqual({
			done: [
				{ step: 'deactivate', place: 'organization', certificateId: target.id },
				{ step: 'deactivate', place: 'proj_003', certificateId: target.id },
			],
			failed: {
				step: 'deactivate',
				place: 'proj_120',
				certificateId: target.id,
				status: 'not done',
			},
			notDone: [
				{ step: 'deactivate', place: 'proj_archived', certificateId: target.id },
				{ step: 'delete', certificateId: target.id },
			],
			rerun: expect.stringMatching(
				/^Running the same Delete again deactivates it where it is still active/,
			),
		});
		expect(fake.api.organization.whereActive(target.id)).toEqual(['proj_120', 'proj_archived']);
	});

	it('with Ignore Not Found, a certificate already gone is reported as deleted', async () => {
		seedOrganization();
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator('cert_gone'),
				options: { deactivateFirst: true, ignoreNotFound: true },
			},
		});
		expect(items[0].json).toEqual({
			object: 'certificate.deleted',
			id: 'cert_gone',
			alreadyDeleted: true,
			deleted: true,
			deactivatedIn: [],
		});
	});

	it('with Ignore Not Found, a certificate another run deletes while this one deactivates it is reported as deleted', async () => {
		const { target } = seedOrganization();
		deletedByAnotherRunAt('proj_120', target.id);
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { deactivateFirst: true, ignoreNotFound: true },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			object: 'certificate.deleted',
			id: target.id,
			alreadyDeleted: true,
			deleted: true,
			deactivatedIn: ['organization', 'proj_003'],
		});
		// It checked that the certificate is really gone, and sent nothing after.
		const afterRefusal = fake.api.log.slice(
			fake.api.log.findIndex((request) => request.status === 404) + 1,
		);
		expect(afterRefusal.map((request) => [request.method, request.path, request.status])).toEqual([
			['GET', `/v1/organization/certificates/${target.id}`, 404],
		]);
	});

	it('without Ignore Not Found, that race fails with the deactivation report', async () => {
		const { target } = seedOrganization();
		deletedByAnotherRunAt('proj_120', target.id);
		const { items } = await fake.run({
			continueOnFail: true,
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(target.id),
				options: { deactivateFirst: true },
			},
		});
		expect(items[0].json.error).toMatch(/No certificate found/);
		expect((items[0].json.report as { failed: unknown }).failed).toEqual({
			step: 'deactivate',
			place: 'proj_120',
			certificateId: target.id,
			status: 'not done',
		});
	});
});
