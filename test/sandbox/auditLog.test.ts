import { auditLogOf } from '../../sandbox/auditLog';
import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import { fakeCaller } from '../support/fakeApi';
import { auditOperations, responseProblems } from '../support/spec';

describe('The fake Admin API keeps an audit log as the spec describes', () => {
	let api: FakeAdminApi;
	const OTHER_KEY = 'sk-admin-other-0123456789abcdefSECRET';
	const call = fakeCaller(() => api);
	const audit = () => auditLogOf(api.organization);

	beforeEach(async () => {
		api = await startFakeAdminApi({ adminMtls: false });
	});
	afterEach(async () => {
		await api.close();
		expect(api.log.flatMap(responseProblems)).toEqual([]);
	});

	it('records every certificate write it serves, as the actor of the key used, and lists them newest first', async () => {
		const other = audit().addKey(OTHER_KEY);
		// The oldest project is the default one: admin-key actions not scoped to a project are recorded under it.
		api.organization.addProject({ id: 'proj_default', name: 'Default project' });
		api.organization.addProject({ id: 'proj_a', name: 'A' });
		const pem = makeCertificate({ ca: true }).pem;
		const id = (await call('POST', '/organization/certificates', { certificate: pem, name: 'CA' }))
			.body.id as string;
		await call('POST', `/organization/certificates/${id}`, { name: 'CA 2' }, OTHER_KEY);
		await call('POST', '/organization/certificates/activate', { certificate_ids: [id] });
		await call(
			'POST',
			'/organization/projects/proj_a/certificates/activate',
			{ certificate_ids: [id] },
			OTHER_KEY,
		);
		await call('POST', '/organization/projects/proj_a/certificates/deactivate', {
			certificate_ids: [id],
		});
		await call('POST', '/organization/certificates/deactivate', { certificate_ids: [id] });
		await call('DELETE', `/organization/certificates/${id}`, undefined, OTHER_KEY);
		// Refused and read-only requests record nothing.
		await call('DELETE', `/organization/certificates/${id}`);
		await call('GET', '/organization/certificates');

		const { status, body } = await call('GET', '/organization/audit_logs?limit=100');
		expect(status).toBe(200);
		const own = audit().actorOf(`Bearer ${api.apiKey}`);
		expect(
			body.data.map((event: Record<string, any>) => [event.type, event.project?.id, event.actor]),
		).toEqual([
			['certificate.deleted', 'proj_default', other],
			['certificates.deactivated', 'proj_default', own],
			['certificates.deactivated', 'proj_a', own],
			['certificates.activated', 'proj_a', other],
			['certificates.activated', 'proj_default', own],
			['certificate.updated', 'proj_default', other],
			['certificate.created', 'proj_default', own],
		]);
		expect(body.data[6].project).toEqual({ id: 'proj_default', name: 'Default project' });
		expect(body.data[0]['certificate.deleted']).toEqual({ id, name: 'CA 2', certificate: pem });
		expect(body.data[3]['certificates.activated']).toEqual({
			certificates: [{ id, name: 'CA 2' }],
		});
		expect(body.data[3].project).toEqual({ id: 'proj_a', name: 'A' });
		expect(auditOperations.map((operation) => operation.operationId)).toEqual(['list-audit-logs']);
	});

	it('filters by time, type, project, actor and resource, and pages with after and before', async () => {
		let second = 1000;
		audit().clock = () => second++;
		const own = audit().actorOf(`Bearer ${api.apiKey}`)!;
		const other = audit().addKey(OTHER_KEY);
		const ids = Array.from(
			{ length: 5 },
			(_, index) =>
				audit().record(
					index % 2 ? 'certificate.updated' : 'certificate.created',
					index < 3 ? own : other,
					{ id: `cert_${index}`, name: 'x' },
				).id,
		);
		audit().record(
			'certificates.activated',
			other,
			{ certificates: [{ id: 'cert_9', name: 'y' }] },
			{ id: 'proj_a', name: 'A' },
		);
		const idsOf = async (query: string) =>
			(await call('GET', `/organization/audit_logs?${query}`)).body.data.map(
				(event: { id: string }) => event.id,
			);
		expect(await idsOf('effective_at[gte]=1001&effective_at[lt]=1003')).toEqual([ids[2], ids[1]]);
		expect(await idsOf('effective_at[gt]=1003&effective_at[lte]=1004')).toEqual([ids[4]]);
		expect(await idsOf('event_types[]=certificate.updated')).toEqual([ids[3], ids[1]]);
		expect(
			await idsOf(
				'event_types[]=certificate.updated&event_types[]=certificate.created&actor_ids[]=key_sandbox1',
			),
		).toEqual([ids[2], ids[1], ids[0]]);
		expect(
			await idsOf(`actor_emails[]=${other.api_key!.user!.email}&resource_ids[]=cert_4`),
		).toEqual([ids[4]]);
		expect((await idsOf('project_ids[]=proj_a')).length).toBe(1);
		expect((await idsOf('resource_ids[]=cert_9')).length).toBe(1);
		const first = await call('GET', '/organization/audit_logs?limit=2');
		expect(first.body).toMatchObject({ has_more: true, last_id: ids[4] });
		expect(await idsOf(`limit=2&after=${ids[4]}`)).toEqual([ids[3], ids[2]]);
		expect(await idsOf(`limit=2&before=${ids[1]}`)).toEqual([ids[3], ids[2]]);
		expect(
			(await call('GET', '/organization/audit_logs?event_types[]=project.created')).status,
		).toBe(400);
		expect((await call('GET', '/organization/audit_logs?limit=101')).status).toBe(400);
		expect((await call('GET', '/organization/audit_logs?effective_at[gte]=soon')).status).toBe(400);
	});

	it('answers with an OpenAI error while audit logging is off (spec/NOTES.md), and accepts only known keys', async () => {
		audit().enabled = false;
		const { status, body } = await call('GET', '/organization/audit_logs');
		expect(status).toBe(403);
		expect(body.error).toMatchObject({
			code: 'audit_logging_not_enabled',
			message: expect.stringMatching(/Audit logging is not enabled/),
		});
		expect((await call('GET', '/organization/certificates', undefined, OTHER_KEY)).status).toBe(
			401,
		);
		audit().addKey(OTHER_KEY);
		expect((await call('GET', '/organization/certificates', undefined, OTHER_KEY)).status).toBe(
			200,
		);
	});
});
