import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import type { AuditActor } from '../../sandbox/auditLog';
import { auditLogOf } from '../../sandbox/auditLog';
import { makeCertificate } from '../../sandbox/certificates';
import {
	certificateLocator,
	alreadyEnforcing,
	useFakeAdminApi,
	WITHOUT_ADMIN_MTLS,
} from '../support/fakeApi';
import { triggerPoller } from '../support/pollTrigger';

const PERSON_KEY = 'sk-admin-person-0123456789abcdefSECRET';
const PERSON: AuditActor = {
	type: 'api_key',
	api_key: {
		id: 'key_person',
		type: 'user',
		user: { id: 'user-alice', email: 'alice@example.com' },
	},
};
const CHANGED = { event: 'certificateChanged' };

describe('OpenAI Certificates Trigger: Certificate Changed (audit log)', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const trigger = triggerPoller(() => fake.credentials);
	const audit = () => auditLogOf(fake.api.organization);
	/** The rotation job's key is the fake's default key; the trigger reads with it too. */
	let rotationKeyId: string;

	beforeEach(() => {
		trigger.stored = '{}';
		rotationKeyId = audit().actorOf(`Bearer ${fake.api.apiKey}`)!.api_key!.id;
		audit().addKey(PERSON_KEY, PERSON);
	});

	/** Runs our action node with the rotation job's key, or with a person's. */
	const act = async (parameters: Record<string, unknown>, key = fake.api.apiKey) => {
		const { items, error } = await fake.run({
			parameters,
			credentials: { ...fake.credentials, apiKey: key },
		});
		expect(error).toBeUndefined();
		return items[0].json;
	};
	const upload = async (name: string, key?: string) =>
		(
			await act(
				{
					resource: 'certificate',
					operation: 'upload',
					certificate: makeCertificate({ ca: true }).pem,
					name,
				},
				key,
			)
		).id as string;
	const summary = (items: IDataObject[]) =>
		items.map((item) => [
			item.event,
			(item.certificates as Array<{ id: string }>).map((c) => c.id).join(','),
			item.place,
			(item.actor as IDataObject).apiKeyId,
		]);

	it('reports every change the node made, once, oldest first, with the certificates, the place, the actor and the time', async () => {
		alreadyEnforcing(fake.api);
		// The oldest project: the sandbox records admin-key actions not scoped to a project under it.
		fake.api.organization.addProject({ id: 'proj_default', name: 'Default project' });
		fake.api.organization.addProject({ id: 'proj_web', name: 'Web' });
		await upload('Before activation');
		expect(await trigger.poll(CHANGED)).toEqual([]); // the first poll records where the log stands

		const id = await upload('Root CA 2027');
		await act(
			{
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(id),
				name: 'Root CA 2027 (renamed)',
			},
			PERSON_KEY,
		);
		await act({
			resource: 'certificate',
			operation: 'activate',
			certificateIds: id,
			options: { confirmOrganizationEnforcement: true },
		});
		await act(
			{
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: certificateLocator('proj_web'),
				certificateIds: id,
			},
			PERSON_KEY,
		);
		await act({
			resource: 'projectCertificate',
			operation: 'deactivate',
			projectId: certificateLocator('proj_web'),
			certificateIds: id,
		});
		await act({ resource: 'certificate', operation: 'deactivate', certificateIds: id });
		await act(
			{ resource: 'certificate', operation: 'delete', certificateId: certificateLocator(id) },
			PERSON_KEY,
		);

		const stored = trigger.stored;
		const fired = await trigger.poll(CHANGED);
		// Every change was made with an admin key, so every one is recorded under a project; by type, a
		// creation, a rename and a deletion are the organization's; an activation may be either.
		expect(audit().events.every((event) => event.project !== undefined)).toBe(true);
		expect(summary(fired)).toEqual([
			['certificateCreated', id, 'organization', rotationKeyId],
			['certificateRenamed', id, 'organization', 'key_person'],
			['certificateActivated', id, 'organizationOrProject', rotationKeyId],
			['certificateActivated', id, 'organizationOrProject', 'key_person'],
			['certificateDeactivated', id, 'organizationOrProject', rotationKeyId],
			['certificateDeactivated', id, 'organizationOrProject', rotationKeyId],
			['certificateDeleted', id, 'organization', 'key_person'],
		]);
		const events = audit().events;
		expect(fired[1]).toEqual({
			event: 'certificateRenamed',
			certificates: [{ id, name: 'Root CA 2027 (renamed)' }],
			place: 'organization',
			project: null,
			auditLogProject: { id: 'proj_default', name: 'Default project' },
			actor: {
				type: 'apiKey',
				name: 'API key key_person of alice@example.com',
				apiKeyId: 'key_person',
				userId: 'user-alice',
				email: 'alice@example.com',
			},
			occurredAt: new Date(events[2].effective_at * 1000).toISOString(),
			effectiveAt: events[2].effective_at,
			auditLogId: events[2].id,
			auditLogType: 'certificate.updated',
		});
		expect(fired[2].project).toEqual({ id: 'proj_default', name: 'Default project' });
		expect(fired[3].project).toEqual({ id: 'proj_web', name: 'Web' });
		expect((fired[6].certificates as IDataObject[])[0].content).toMatch(
			/^-----BEGIN CERTIFICATE-----/,
		);
		expect(await trigger.poll(CHANGED)).toEqual([]);
		// The query names the chosen changes as the API expects them.
		const read = fake.api.log.filter((request) => request.path === '/v1/organization/audit_logs');
		expect(read[read.length - 1].query['event_types[]']).toEqual([
			'certificate.created',
			'certificate.updated',
			'certificate.deleted',
			'certificates.activated',
			'certificates.deactivated',
		]);

		// Told the default project, the trigger knows the changes recorded under another one are in it.
		trigger.stored = stored;
		const known = await trigger.poll({
			...CHANGED,
			auditOptions: { defaultProjectId: ' proj_default ' },
		});
		expect(summary(known).map(([event, , place]) => [event, place])).toEqual([
			['certificateCreated', 'organization'],
			['certificateRenamed', 'organization'],
			['certificateActivated', 'organizationOrProject'],
			['certificateActivated', 'project'],
			['certificateDeactivated', 'project'],
			['certificateDeactivated', 'organizationOrProject'],
			['certificateDeleted', 'organization'],
		]);
	});

	it('neither loses nor repeats events that share a second, across polls, pages and restarts', async () => {
		let second = 1_800_000_000;
		audit().clock = () => second;
		const actor = audit().actorOf(`Bearer ${fake.api.apiKey}`)!;
		const record = (name: string) =>
			audit().record('certificate.created', actor, { id: `cert_${name}`, name }).id;
		record('old');
		expect(await trigger.poll(CHANGED)).toEqual([]);
		const sameSecond = Array.from({ length: 150 }, (_, index) => record(`a${index}`));
		expect((await trigger.poll(CHANGED)).map((item) => item.auditLogId)).toEqual(sameSecond);
		// More events in the very same second, after the poll read it.
		const late = [record('b1'), record('b2')];
		expect((await trigger.poll(CHANGED)).map((item) => item.auditLogId)).toEqual(late);
		second += 1;
		const next = record('c1');
		expect((await trigger.poll(CHANGED)).map((item) => item.auditLogId)).toEqual([next]);
		// An event written to the log late, stamped before the newest one seen: still reported, once.
		second -= 60;
		const written = record('late');
		expect((await trigger.poll(CHANGED)).map((item) => item.auditLogId)).toEqual([written]);
		expect(await trigger.poll(CHANGED)).toEqual([]);
		// The stored cursor keeps only the re-read window.
		expect(Object.keys(JSON.parse(trigger.stored)['node:Trigger'].auditCursor.seen)).toHaveLength(
			150 + 2 + 1 + 1 + 1,
		);
		second += 1000;
		record('much later');
		await trigger.poll(CHANGED);
		expect(Object.keys(JSON.parse(trigger.stored)['node:Trigger'].auditCursor.seen)).toHaveLength(
			1,
		);
	});

	it('a poll that fails changes nothing: the next one reports what it could not', async () => {
		await upload('Before');
		await trigger.poll(CHANGED);
		const ids = [await upload('One'), await upload('Two')];
		const before = trigger.stored;
		fake.api.faults.push({
			kind: 'error',
			status: 400,
			message: 'Bad request',
			match: (request) => request.path.endsWith('/audit_logs'),
		});
		await expect(trigger.poll(CHANGED)).rejects.toThrow('Bad request');
		expect(trigger.stored).toBe(before);
		fake.api.faults.push({
			kind: 'html',
			status: 200,
			match: (request) => request.path.endsWith('/audit_logs'),
		});
		await expect(trigger.poll(CHANGED)).rejects.toThrow(
			/not a list|not what the API reference promises/,
		);
		expect(trigger.stored).toBe(before);
		const fired = await trigger.poll(CHANGED);
		expect(fired.map((item) => (item.certificates as IDataObject[])[0].id)).toEqual(ids);
	});

	it('refuses an answer whose events lack what the trigger relies on, remembering nothing', async () => {
		// A server of our own that answers the audit log with what it is given.
		let body: unknown;
		const server = createServer((_request, response) =>
			response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body)),
		);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const hostile = triggerPoller(() => ({
			...fake.credentials,
			baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
		}));
		const list = (data: unknown) => ({
			object: 'list',
			data,
			first_id: null,
			last_id: null,
			has_more: false,
		});
		const event = {
			id: 'audit_log-1',
			type: 'certificate.created',
			effective_at: 1,
			actor: null,
			'certificate.created': { id: 'cert_a' },
		};
		try {
			body = list([event]);
			await hostile.poll(CHANGED);
			// Newest first, the event already read still there (a log that lost it is a gap: triggerGaps.test.ts).
			body = list([{ ...event, id: 'audit_log-2', effective_at: 2 }, event]);
			expect(await hostile.poll(CHANGED)).toHaveLength(1);
			const before = hostile.stored;
			const broken: Array<[unknown, RegExp]> = [
				[list([{ ...event, id: undefined }]), /an event without an ID/],
				[list([{ ...event, effective_at: '3' }]), /without an effective_at time/],
				[list([{ ...event, type: 'project.archived' }]), /not asked for \(project\.archived\)/],
				[list([{ ...event, 'certificate.created': {} }]), /without the certificate it concerns/],
				[
					list([
						{
							...event,
							type: 'certificates.activated',
							'certificates.activated': { certificates: [{ name: 'x' }] },
						},
					]),
					/without the certificate/,
				],
				[list([{ ...event, project: 'proj_a' }]), /project that has no ID/],
				[list('events'), /not a list|not what the API reference promises/],
				[null, /not a list|not what the API reference promises/],
				[{ data: [event] }, /not a list|not what the API reference promises/],
			];
			for (const [answer, problem] of broken) {
				body = answer;
				await expect(hostile.poll(CHANGED)).rejects.toThrow(problem);
				expect(hostile.stored).toBe(before);
			}
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('filters by actor (include or exclude) and project, and asks only for the chosen changes', async () => {
		alreadyEnforcing(fake.api);
		fake.api.organization.addProject({ id: 'proj_default' });
		fake.api.organization.addProject({ id: 'proj_a' });
		fake.api.organization.addProject({ id: 'proj_b' });
		await trigger.poll(CHANGED);
		const id = await upload('CA');
		await act(
			{
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: certificateLocator('proj_a'),
				certificateIds: id,
			},
			PERSON_KEY,
		);
		await act({
			resource: 'projectCertificate',
			operation: 'activate',
			projectId: certificateLocator('proj_b'),
			certificateIds: id,
		});
		await act(
			{
				resource: 'certificate',
				operation: 'activate',
				certificateIds: id,
				options: { confirmOrganizationEnforcement: true },
			},
			PERSON_KEY,
		);
		const stored = trigger.stored;
		const pollWith = async (parameters: IDataObject) => {
			trigger.stored = stored;
			return summary(await trigger.poll({ ...CHANGED, ...parameters }));
		};
		expect(await pollWith({ auditOptions: { ignoreActors: rotationKeyId } })).toEqual([
			['certificateActivated', id, 'organizationOrProject', 'key_person'],
			['certificateActivated', id, 'organizationOrProject', 'key_person'],
		]);
		expect(
			await pollWith({ auditOptions: { onlyActors: 'ALICE@example.com, someone@example.com' } }),
		).toHaveLength(2);
		expect(
			await pollWith({ auditOptions: { onlyActors: 'key_person', projectIds: 'proj_a' } }),
		).toEqual([['certificateActivated', id, 'organizationOrProject', 'key_person']]);
		expect(await pollWith({ changes: ['certificate.created'] })).toEqual([
			['certificateCreated', id, 'organization', rotationKeyId],
		]);
		const queries = fake.api.log
			.filter((request) => request.path.endsWith('/audit_logs'))
			.map((request) => request.query);
		expect(queries[queries.length - 2]).toMatchObject({ 'project_ids[]': 'proj_a' });
		expect(queries[queries.length - 1]).toMatchObject({ 'event_types[]': 'certificate.created' });
		expect(queries[queries.length - 1]['effective_at[gte]']).toBe('0'); // no event before the first poll: everything after it is new
	});

	it('Only in Projects: never an organization-level change recorded under the default project; a dashboard change is placed by its project', async () => {
		alreadyEnforcing(fake.api);
		const DASHBOARD_KEY = 'sk-admin-dashboard-0123456789abcdefSECRET';
		audit().addKey(DASHBOARD_KEY, {
			type: 'session',
			session: { user: { id: 'user-dana', email: 'dana@example.com' }, ip_address: '10.0.0.7' },
		});
		fake.api.organization.addProject({ id: 'proj_default', name: 'Default project' });
		fake.api.organization.addProject({ id: 'proj_a', name: 'A' });
		await trigger.poll(CHANGED);
		const id = await upload('CA');
		const toggle = (resource: string, operation: string, key: string, projectId?: string) =>
			act(
				{
					resource,
					operation,
					certificateIds: id,
					...(projectId ? { projectId: certificateLocator(projectId) } : {}),
					options: projectId ? {} : { confirmOrganizationEnforcement: true },
				},
				key,
			);
		await toggle('certificate', 'activate', fake.api.apiKey);
		await toggle('projectCertificate', 'activate', fake.api.apiKey, 'proj_a');
		await toggle('projectCertificate', 'deactivate', DASHBOARD_KEY, 'proj_a');
		await toggle('certificate', 'deactivate', DASHBOARD_KEY);
		expect(
			audit()
				.events.slice(-5)
				.map((event) => event.project?.id),
		).toEqual(['proj_default', 'proj_default', 'proj_a', 'proj_a', undefined]);
		const stored = trigger.stored;
		const placesWith = async (auditOptions: IDataObject) => {
			trigger.stored = stored;
			const items = await trigger.poll({ ...CHANGED, auditOptions });
			return items.map((item) => [
				item.event,
				item.place,
				(item.project as IDataObject | null)?.id ?? null,
			]);
		};
		expect(await placesWith({})).toEqual([
			['certificateCreated', 'organization', null],
			['certificateActivated', 'organizationOrProject', 'proj_default'],
			['certificateActivated', 'organizationOrProject', 'proj_a'],
			['certificateDeactivated', 'project', 'proj_a'],
			['certificateDeactivated', 'organization', null],
		]);
		// The API's project_ids[] matches the creation too (recorded under the default project): not reported.
		expect(await placesWith({ projectIds: 'proj_default' })).toEqual([
			['certificateActivated', 'organizationOrProject', 'proj_default'],
		]);
		const read = fake.api.log.filter((request) => request.path === '/v1/organization/audit_logs');
		expect(read[read.length - 1].query['project_ids[]']).toBe('proj_default');
		expect(await placesWith({ projectIds: 'proj_a', defaultProjectId: 'proj_default' })).toEqual([
			['certificateActivated', 'project', 'proj_a'],
			['certificateDeactivated', 'project', 'proj_a'],
		]);
		await expect(
			trigger.poll({ ...CHANGED, auditOptions: { defaultProjectId: 'proj/../x' } }),
		).rejects.toThrow('Default Project ID is refused: it contains "/"');
	});

	it('refuses an empty choice of changes before any request', async () => {
		await expect(trigger.poll({ ...CHANGED, changes: [] })).rejects.toThrow(
			'No change is selected',
		);
		expect(fake.api.log).toHaveLength(0);
	});

	it('records a new baseline without firing when the stored cursor is damaged', async () => {
		await upload('One');
		for (const damaged of [
			{ newest: 'x', seen: {} },
			{ newest: 5, seen: null },
			{ newest: 5, seen: { a: 'b' } },
			'cursor',
		]) {
			trigger.stored = JSON.stringify({ 'node:Trigger': { auditCursor: damaged } });
			expect(await trigger.poll(CHANGED)).toEqual([]);
			expect(JSON.parse(trigger.stored)['node:Trigger'].auditCursor.newest).toBe(
				audit().events[0].effective_at,
			);
		}
	});

	it('manual test runs show the most recent matching events and remember nothing', async () => {
		const ids = [];
		for (let index = 0; index < 7; index++)
			ids.push(await upload(`CA ${index}`, index === 6 ? PERSON_KEY : undefined));
		const sample = await trigger.poll(
			{ ...CHANGED, auditOptions: { ignoreActors: 'key_person' } },
			'manual',
		);
		expect(sample.map((item) => (item.certificates as IDataObject[])[0].id)).toEqual(
			ids.slice(1, 6),
		);
		expect(trigger.stored).toBe('{}');
		// The first real poll after it still only records.
		expect(await trigger.poll(CHANGED)).toEqual([]);
	});

	describe('when audit logging is not enabled for the organization', () => {
		it.each([
			[403, 'Audit logging is not enabled for this organization.', 'audit_logging_not_enabled'],
			[400, 'Audit logs are disabled for this organization.', null],
			[
				404,
				'You must enable audit logging in your organization settings to use this endpoint.',
				null,
			],
			[403, 'Forbidden', 'audit_log_disabled'],
		])('says so and where to enable it (HTTP %s, "%s")', async (status, message, code) => {
			Object.assign(audit(), { enabled: false, disabledAnswer: { status, message, code } });
			const attempt = trigger.poll(CHANGED);
			await expect(attempt).rejects.toThrow(
				'Audit logging is not enabled for this OpenAI organization',
			);
			await attempt.catch((error: { description?: string }) => {
				expect(error.description).toContain(message);
				expect(error.description).toMatch(
					/organization owner.*Data controls.*cannot be turned off again/,
				);
			});
			await expect(trigger.poll(CHANGED, 'manual')).rejects.toThrow('Audit logging is not enabled');
			expect(trigger.stored).toBe('{}');
		});

		it('does not mistake other refusals for it', async () => {
			Object.assign(audit(), {
				enabled: false,
				disabledAnswer: {
					status: 403,
					message:
						'You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read.',
					code: null,
				},
			});
			await expect(trigger.poll(CHANGED)).rejects.toThrow(/insufficient permissions/);
		});
	});
});
