import { X509Certificate } from 'node:crypto';

import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';

import { fakeCaller } from '../support/fakeApi';
import { operations, responseProblems } from '../support/spec';

describe('The fake Admin API follows the spec', () => {
	let api: FakeAdminApi;
	const call = fakeCaller(() => api);

	beforeEach(async () => {
		api = await startFakeAdminApi({ adminMtls: false });
	});
	afterEach(async () => {
		await api.close();
		// Every answer given in a test conforms to its schema in the spec.
		expect(api.log.flatMap(responseProblems)).toEqual([]);
	});

	it('answers every operation of the spec with a body that matches its schema', async () => {
		const project = api.organization.addProject({ id: 'proj_a' });
		api.organization.addProject({ id: 'proj_old', archived: true });
		const pem = makeCertificate({ ca: true }).pem;
		const uploaded = await call('POST', '/organization/certificates', {
			certificate: pem,
			name: 'Root CA',
		});
		expect(uploaded.status).toBe(200);
		expect(uploaded.body.certificate_details.expires_at).toBe(
			Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1000),
		);
		const id = uploaded.body.id as string;

		expect((await call('GET', '/organization/certificates?limit=1&order=asc')).status).toBe(200);
		expect(
			(await call('GET', `/organization/certificates/${id}?include[]=content`)).body
				.certificate_details.content,
		).toBe(pem);
		expect(
			(await call('GET', `/organization/certificates/${id}`)).body.certificate_details.content,
		).toBeUndefined();
		expect(
			(await call('POST', `/organization/certificates/${id}`, { name: 'Renamed' })).body.name,
		).toBe('Renamed');
		expect(
			(await call('POST', '/organization/certificates/activate', { certificate_ids: [id] })).body,
		).toMatchObject({
			object: 'organization.certificate.activation',
			data: [{ id, active: true }],
		});
		expect(
			(
				await call('POST', `/organization/projects/${project.id}/certificates/activate`, {
					certificate_ids: [id],
				})
			).body,
		).toMatchObject({
			object: 'organization.project.certificate.activation',
			data: [{ id, active: true, object: 'organization.project.certificate' }],
		});
		expect(
			(await call('GET', `/organization/projects/${project.id}/certificates`)).body.data[0],
		).toMatchObject({ id, active: true });
		expect(
			(
				await call('POST', `/organization/projects/${project.id}/certificates/deactivate`, {
					certificate_ids: [id],
				})
			).body.object,
		).toBe('organization.project.certificate.deactivation');
		expect(
			(await call('POST', '/organization/certificates/deactivate', { certificate_ids: [id] })).body
				.object,
		).toBe('organization.certificate.deactivation');
		expect(
			(await call('GET', '/organization/projects')).body.data.map((p: { id: string }) => p.id),
		).toEqual(['proj_a']);
		expect(
			(await call('GET', '/organization/projects?include_archived=true')).body.data,
		).toHaveLength(2);
		expect((await call('DELETE', `/organization/certificates/${id}`)).body).toEqual({
			object: 'certificate.deleted',
			id,
		});

		const answered = new Set(api.log.map((request) => request.operationId));
		expect(
			operations
				.map((operation) => operation.operationId)
				.filter((operationId) => !answered.has(operationId)),
		).toEqual([]);
	});

	it('reads the eleven certificate and project operations from spec/', () => {
		expect(operations.map((operation) => operation.operationId).sort()).toEqual([
			'activateOrganizationCertificates',
			'activateProjectCertificates',
			'deactivateOrganizationCertificates',
			'deactivateProjectCertificates',
			'deleteCertificate',
			'getCertificate',
			'list-projects',
			'listOrganizationCertificates',
			'listProjectCertificates',
			'modifyCertificate',
			'uploadCertificate',
		]);
	});

	it('pages exactly as the spec says: limit, after = last_id, has_more, order', async () => {
		const ids = Array.from({ length: 45 }, () => api.organization.addCertificate().id);
		const pageOne = await call('GET', '/organization/certificates?limit=20&order=asc');
		expect(pageOne.body).toMatchObject({ first_id: ids[0], last_id: ids[19], has_more: true });
		const pageThree = await call(
			'GET',
			`/organization/certificates?limit=20&order=asc&after=${ids[39]}`,
		);
		expect(pageThree.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(40));
		expect(pageThree.body.has_more).toBe(false);
		const newestFirst = await call('GET', '/organization/certificates');
		expect(newestFirst.body.data).toHaveLength(20);
		expect(newestFirst.body.first_id).toBe(ids[44]);
		const empty = await call('GET', `/organization/certificates?after=${ids[0]}`);
		expect(empty.body).toEqual({
			object: 'list',
			data: [],
			first_id: null,
			last_id: null,
			has_more: false,
		});
	});

	it('validates input with OpenAI error bodies', async () => {
		const cert = api.organization.addCertificate({ activeInProjects: ['proj_a'] });
		for (const limit of ['0', '101', 'x', '1.5']) {
			const { status, body } = await call('GET', `/organization/certificates?limit=${limit}`);
			expect([status, body.error.param]).toEqual([400, 'limit']);
		}
		expect((await call('GET', '/organization/certificates?order=sideways')).body.error.param).toBe(
			'order',
		);
		expect(
			(await call('POST', '/organization/certificates/activate', { certificate_ids: [] })).status,
		).toBe(400);
		expect(
			(
				await call('POST', '/organization/certificates/activate', {
					certificate_ids: Array(11).fill(cert.id),
				})
			).status,
		).toBe(400);
		expect(
			(
				await call('POST', '/organization/certificates/activate', {
					certificate_ids: ['cert_nope'],
				})
			).status,
		).toBe(404);
		expect(
			(await call('POST', '/organization/certificates', { certificate: 'not a pem' })).status,
		).toBe(400);
		expect((await call('POST', '/organization/certificates', {})).status).toBe(400);
		expect((await call('GET', '/organization/certificates/cert_nope')).status).toBe(404);
		expect((await call('GET', '/organization/projects/proj_nope/certificates')).status).toBe(404);
		expect((await call('GET', '/organization/certificates', undefined, 'sk-wrong')).status).toBe(
			401,
		);
		const active = await call('DELETE', `/organization/certificates/${cert.id}`);
		expect(active.status).toBe(400);
		expect(active.body.error.message).toMatch(
			/must be inactive for the organization and all projects/,
		);
		expect(api.organization.certificates.has(cert.id)).toBe(true);
	});

	it('holds at most 50 certificates', async () => {
		for (let index = 0; index < 50; index++) api.organization.addCertificate();
		const { status, body } = await call('POST', '/organization/certificates', {
			certificate: makeCertificate({ ca: true }).pem,
		});
		expect(status).toBe(400);
		expect(body.error.message).toMatch(/at most 50/);
	});

	it('can answer activation with the older paged-list shape', async () => {
		await api.close();
		api = await startFakeAdminApi({ adminMtls: false, legacyToggleShape: true });
		const cert = api.organization.addCertificate();
		const { body } = await call('POST', '/organization/certificates/activate', {
			certificate_ids: [cert.id],
		});
		expect(body).toMatchObject({
			object: 'list',
			data: [{ id: cert.id, active: true }],
			has_more: false,
		});
		// The after-each check validates it against the list schema it follows.
		expect(api.log.map((request) => request.schema)).toEqual(['ListCertificatesResponse']);
	});
});
