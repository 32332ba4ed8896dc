import type { ServerResponse } from 'node:http';

import { makeCertificate } from '../../sandbox/certificates';
import { auditLogOf } from '../../sandbox/auditLog';
import { CANARY, copiesOf, makeCanaryFixture, rotateParameters, writes } from '../support/canary';
import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import type { HostileServer } from '../support/hostileServer';
import { json, startHostileServer } from '../support/hostileServer';
import { triggerPoller } from '../support/pollTrigger';

/**
 * What Rotate, Upload and the trigger do when the organization does not start the way a fresh rotation
 * leaves it: a canary an operator prepared by hand, a new certificate already active elsewhere, dates
 * OpenAI reports differently from the PEM's, two items uploading one PEM at once, an audit log that lost
 * what the trigger read last.
 */
describe('True in every start state', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const fixture = makeCanaryFixture();
	const canaryOption = { __rl: true, mode: 'id', value: CANARY };

	function organization() {
		const org = fake.api.organization;
		for (const id of [CANARY, 'proj_a', 'proj_b', 'proj_c']) org.addProject({ id });
		return org;
	}

	describe('Rotate: Pause After Canary', () => {
		it('pauses when the operator already activated the new CA in the canary by hand, then the next run goes on', async () => {
			const org = organization();
			const old = org.addCertificate({
				content: fixture.oldCa.pem,
				activeInOrganization: true,
				activeInProjects: ['proj_a', 'proj_b'],
			});
			// Uploaded and activated in the canary by hand, as an operator preparing the rotation would.
			const prepared = org.addCertificate({
				name: 'Client CA 2027',
				content: fixture.newCa.pem,
				activeInProjects: [CANARY],
			});
			const parameters = rotateParameters(old.id, fixture.newCa, {
				canaryProject: canaryOption,
				pauseAfterCanary: true,
				deleteOld: true,
			});
			const first = await fake.run({ parameters });
			expect(first.error).toBeUndefined();
			expect(first.items[0].json).toMatchObject({
				paused: true,
				pausedFor: 'canary',
				pauseMark: 'set',
				activatedIn: [],
				alreadyActiveIn: [CANARY],
				deactivatedIn: [],
				deleted: false,
			});
			// Nothing widened or retired; the new certificate's name says the pause is this rotation's.
			expect(org.whereActive(old.id)).toEqual(['organization', 'proj_a', 'proj_b']);
			expect(org.whereActive(prepared.id)).toEqual([CANARY]);
			expect(org.certificates.get(prepared.id)?.name).toBe(
				'Client CA 2027 (Rotate paused after canary)',
			);
			expect(writes(fake.api.log)).toEqual([`POST /certificates/${prepared.id}`]);

			const next = await fake.run({ parameters });
			expect(next.error).toBeUndefined();
			expect(next.items[0].json).toMatchObject({
				paused: false,
				pauseMark: 'removed',
				activatedIn: ['organization', 'proj_a', 'proj_b'],
				deactivatedIn: ['organization', 'proj_a', 'proj_b'],
				deleted: true,
			});
			expect(org.certificates.get(prepared.id)?.name).toBe('Client CA 2027');
			expect(copiesOf(fake.api, fixture.newCa.pem)).toEqual([prepared.id]);
		});

		it('a fresh rotation paused by its own run is recognised the next time, and pauses again if the mark could not be set', async () => {
			const org = organization();
			const old = org.addCertificate({ content: fixture.oldCa.pem, activeInOrganization: true });
			const parameters = rotateParameters(old.id, fixture.newCa, {
				canaryProject: canaryOption,
				pauseAfterCanary: true,
			});
			// The mark's rename fails: the run still pauses, says the mark is not set…
			fake.api.faults.push({
				kind: 'error',
				status: 400,
				message: 'Refused',
				match: (request) =>
					request.method === 'POST' &&
					/^\/v1\/organization\/certificates\/cert_/.test(request.path),
			});
			const first = await fake.run({ parameters });
			expect(first.items[0].json).toMatchObject({ paused: true, pauseMark: 'not set' });
			// …so the next run pauses again (the safe side) and sets it; the one after goes on.
			const second = await fake.run({ parameters });
			expect(second.items[0].json).toMatchObject({ paused: true, pauseMark: 'set' });
			const third = await fake.run({ parameters });
			expect(third.items[0].json).toMatchObject({ paused: false, pauseMark: 'removed' });
			expect(org.whereActive(old.id)).toEqual([]);
		});
	});

	it('a new certificate without a name is marked, and the mark taken off again, without inventing a name', async () => {
		const org = organization();
		const old = org.addCertificate({ content: fixture.oldCa.pem, activeInOrganization: true });
		const parameters = {
			...rotateParameters(old.id, fixture.newCa, {
				canaryProject: canaryOption,
				pauseAfterCanary: true,
			}),
			name: '',
		};
		const first = await fake.run({ parameters });
		expect(first.items[0].json).toMatchObject({ paused: true, pauseMark: 'set' });
		const newId = first.items[0].json.newCertificateId as string;
		expect(org.certificates.get(newId)?.name).toBe('(Rotate paused after canary)');
		const next = await fake.run({ parameters });
		expect(next.items[0].json).toMatchObject({ paused: false, pauseMark: 'removed' });
		expect(org.certificates.get(newId)?.name).toBe('');
	});

	it('a mark left on a finished rotation is taken off by the next run that ends without pausing', async () => {
		const org = organization();
		const old = org.addCertificate({ content: fixture.oldCa.pem, activeInProjects: ['proj_a'] });
		const marked = org.addCertificate({
			name: 'Client CA 2027 (Rotate paused after canary)',
			content: fixture.newCa.pem,
		});
		const { items, error } = await fake.run({
			parameters: rotateParameters(old.id, fixture.newCa, {}),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ paused: false, pauseMark: 'removed' });
		expect(org.certificates.get(marked.id)?.name).toBe('Client CA 2027');
	});

	it('Rotate reports only what it changed: the new certificate already active in a project where the old one never was is found, not deactivated', async () => {
		const org = organization();
		const old = org.addCertificate({ content: fixture.oldCa.pem, activeInProjects: ['proj_a'] });
		org.addCertificate({ content: fixture.newCa.pem, activeInProjects: ['proj_c'] });
		const { items, error } = await fake.run({
			parameters: rotateParameters(old.id, fixture.newCa, {}),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			activatedIn: ['proj_a'],
			alreadyActiveIn: ['proj_c'],
			deactivatedIn: ['proj_a'],
		});
		expect(writes(fake.api.log)).toEqual([
			'POST /projects/proj_a/certificates/activate',
			'POST /projects/proj_a/certificates/deactivate',
		]);
	});

	it('Rotate finds its uploaded new certificate whatever dates OpenAI lists for it: no second copy', async () => {
		const org = organization();
		const old = org.addCertificate({ content: fixture.oldCa.pem, activeInProjects: ['proj_a'] });
		// Uploaded by a run that crashed before its answer; OpenAI lists other dates than the PEM's.
		const uploaded = org.addCertificate({ content: fixture.newCa.pem });
		uploaded.valid_at += 1;
		uploaded.expires_at -= 3600;
		const { items, error } = await fake.run({
			parameters: rotateParameters(old.id, fixture.newCa, {}),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.newCertificateId).toBe(uploaded.id);
		expect(copiesOf(fake.api, fixture.newCa.pem)).toEqual([uploaded.id]);
		expect(writes(fake.api.log)).not.toContain('POST /certificates');
	});

	describe('Upload of one PEM by two items at once', () => {
		let hostile: HostileServer;
		beforeEach(async () => {
			hostile = await startHostileServer({ upstream: fake.api.baseUrl });
		});
		afterEach(async () => await hostile.close());
		const pem = makeCertificate({ ca: true, commonName: 'Twice CA' }).pem;
		const uploadTwice = () =>
			fake.run({
				credentials: { apiKey: fake.api.apiKey, baseUrl: hostile.baseUrl() },
				continueOnFail: true,
				items: [{ name: 'first' }, { name: 'second' }],
				parameters: {
					resource: 'certificate',
					operation: 'upload',
					certificate: pem,
					name: '={{ $json.name }}',
					options: { concurrency: 2, retryDelay: 0, maxRetries: 0 },
				},
			});
		const answer500 = (response: ServerResponse) =>
			json(response, 500, { error: { message: 'Server error', type: 'server_error' } });

		it.each([
			['stored', true],
			['never stored', false],
		])(
			"item 0's answer lost (%s): it never reports item 1's copy as its own",
			async (_name, stored) => {
				hostile.on(
					'POST /v1/organization/certificates',
					async (request, response) => {
						if (stored) await hostile.pass(request);
						answer500(response);
					},
					1,
				);
				const { items } = await uploadTwice();
				const [first, second] = items.map((item) => item.json);
				const nameOf = (id: unknown) => fake.api.organization.certificates.get(id as string)?.name;
				expect(nameOf(second.id)).toBe('second');
				if (stored) {
					expect(first).toMatchObject({ reconciled: true });
					expect(nameOf(first.id)).toBe('first');
				} else {
					expect(first.error).toBeDefined();
					expect(first.id).toBeUndefined();
				}
				expect(copiesOf(fake.api, pem)).toHaveLength(stored ? 2 : 1);
			},
		);
	});

	describe('the audit-log trigger', () => {
		const CHANGED = { event: 'certificateChanged', changes: ['certificate.created'] };

		it('reports a gap (an item to route) when the log no longer returns what it read last', async () => {
			const poller = triggerPoller(() => fake.credentials);
			const log = auditLogOf(fake.api.organization);
			const upload = () =>
				fake.run({
					parameters: {
						resource: 'certificate',
						operation: 'upload',
						certificate: makeCertificate({ ca: true }).pem,
					},
				});
			let now = 1_800_000_000;
			log.clock = () => now;
			await upload();
			expect(await poller.poll(CHANGED)).toEqual([]); // the first poll records where the log stands
			// Quiet: the events read last age out of the log and nothing newer comes: no gap (nothing missed).
			log.events.length = 0;
			expect(await poller.poll(CHANGED)).toEqual([]);
			// A day later the log returns only what is newer than what was read last: a hole, reported once.
			await upload();
			now += 86_400;
			log.events.length = 0;
			await upload();
			const items = await poller.poll(CHANGED);
			expect(items.map((item) => item.event)).toEqual(['auditLogGap', 'certificateCreated']);
			expect(items[0].message).toMatch(/no longer returns the events this trigger read last/);
			// Polled again, nothing new: no second gap; read again with nothing lost: no gap either.
			expect(await poller.poll(CHANGED)).toEqual([]);
			now += 60;
			await upload();
			expect((await poller.poll(CHANGED)).map((item) => item.event)).toEqual([
				'certificateCreated',
			]);
		});

		it('counts an event once when pages repeat it (one second ordered differently on each page)', async () => {
			const poller = triggerPoller(() => ({ apiKey: fake.api.apiKey, baseUrl: hostileBase }));
			let hostileBase = '';
			const hostile = await startHostileServer({ upstream: fake.api.baseUrl });
			hostileBase = hostile.baseUrl();
			try {
				const event = (id: string) => ({
					id,
					type: 'certificate.created',
					effective_at: 100,
					actor: null,
					'certificate.created': { id: 'cert_a', name: null },
				});
				const page = (ids: string[], more: boolean) => ({
					object: 'list',
					data: ids.map(event),
					first_id: ids[0],
					last_id: ids[ids.length - 1],
					has_more: more,
				});
				hostile.on(
					'GET /v1/organization/audit_logs',
					(_request, response) => json(response, 200, page(['audit_log-a'], false)),
					1,
				);
				await poller.poll(CHANGED);
				hostile.on('GET /v1/organization/audit_logs', (request, response) =>
					json(
						response,
						200,
						request.url.includes('after=')
							? page(['audit_log-b', 'audit_log-a'], false)
							: page(['audit_log-c', 'audit_log-b'], true),
					),
				);
				const items = await poller.poll(CHANGED);
				expect(items.map((item) => item.auditLogId)).toEqual(['audit_log-b', 'audit_log-c']);
			} finally {
				await hostile.close();
			}
		});
	});
});
