import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import {
	certificateLocator,
	alreadyEnforcing,
	useFakeAdminApi,
	WITHOUT_ADMIN_MTLS,
} from '../support/fakeApi';
import type { HostileServer } from '../support/hostileServer';
import { dropMidBody, json, openAiError, startHostileServer } from '../support/hostileServer';

/**
 * A multi-step job that stops at a write whose answer was lost says that step's outcome is unknown — never
 * "still active" or "not done" — and what a re-run does; a re-run then finishes the job. The sandbox acts
 * on the write, the hostile server in front of it loses the answer (Max Retries 0, so it is not repeated).
 */
describe('Reports of a write whose answer was lost say "unknown"', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	let hostile: HostileServer;
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
	});
	afterEach(async () => {
		await hostile.close();
	});

	const run = (parameters: Record<string, unknown>, viaHostile = true) =>
		fake.run({
			credentials: {
				apiKey: fake.api.apiKey,
				baseUrl: viaHostile ? hostile.baseUrl() : fake.api.baseUrl,
			},
			parameters,
			continueOnFail: true,
		});
	/** The sandbox acts on the next request to `path`; its answer is then lost mid-body. */
	const actThenDrop = (route: string) =>
		hostile.on(
			route,
			async (request, response) => dropMidBody(response, (await hostile.pass(request)).body),
			1,
		);

	describe('Delete with Deactivate Everywhere First', () => {
		const remove = (id: string, viaHostile = true) =>
			run(
				{
					resource: 'certificate',
					operation: 'delete',
					certificateId: certificateLocator(id),
					options: { deactivateFirst: true, maxRetries: 0, retryDelay: 0 },
				},
				viaHostile,
			);
		const seed = () =>
			fake.api.organization.addCertificate({
				activeInOrganization: true,
				activeInProjects: ['proj_a', 'proj_b'],
			}).id;

		it('a deactivation whose answer was lost is "unknown", not "still active"; a re-run deletes it', async () => {
			const id = seed();
			actThenDrop('POST /v1/organization/projects/proj_a/certificates/deactivate');
			const { items } = await remove(id);
			const json1 = items[0].json as Record<string, any>;
			expect(json1.description).toMatch(
				new RegExp(
					`^Deactivating ${id} failed in proj_a; whether it took effect there is unknown; it was deactivated in organization and is still active in proj_b\\. It was not deleted\\. Running the same Delete again deactivates it where it is still active, then deletes it`,
				),
			);
			expect(json1.report.failed).toEqual({
				step: 'deactivate',
				place: 'proj_a',
				certificateId: id,
				status: 'unknown',
			});
			// The truth the report did not overstate: the lost deactivation took effect.
			expect(fake.api.organization.whereActive(id)).toEqual(['proj_b']);

			const again = await remove(id, false);
			expect(again.items[0].json).toMatchObject({ id, deleted: true, deactivatedIn: ['proj_b'] });
			expect(fake.api.organization.certificates.has(id)).toBe(false);
		});

		it('a DELETE whose answer was lost is "unknown", not "exists inactive"', async () => {
			const id = seed();
			actThenDrop(`DELETE /v1/organization/certificates/${id}`);
			const { items } = await remove(id);
			const json1 = items[0].json as Record<string, any>;
			expect(json1.description).toMatch(
				/but deleting it failed; whether it was deleted is unknown \(it exists inactive, or is gone\)\. Running the same Delete again/,
			);
			expect(json1.report.failed).toEqual({ step: 'delete', certificateId: id, status: 'unknown' });
			expect(fake.api.organization.certificates.has(id)).toBe(false);
		});

		it('a deactivation refused with a 400 is "not done": still active there', async () => {
			const id = seed();
			hostile.on(
				'POST /v1/organization/projects/proj_a/certificates/deactivate',
				(_request, response) => json(response, 400, openAiError('Project is locked')),
				1,
			);
			const { items } = await remove(id);
			expect(items[0].json.description).toMatch(
				/it was deactivated in organization and is still active in proj_a, proj_b\. It was not deleted\./,
			);
			expect((items[0].json.report as Record<string, any>).failed.status).toBe('not done');
			expect(fake.api.organization.whereActive(id)).toEqual(['proj_a', 'proj_b']);
		});
	});

	it('Activate in chunks: a chunk whose answer was lost is "unknown", and running it again is safe', async () => {
		alreadyEnforcing(fake.api);
		const ids = Array.from({ length: 12 }, () => fake.api.organization.addCertificate().id);
		// The second call (the last two IDs) is acted on by the sandbox; its answer is a 502.
		hostile.on(
			(request) =>
				request.path === '/v1/organization/certificates/activate' && request.body.includes(ids[10]),
			async (request, response) => {
				await hostile.pass(request);
				json(response, 502, openAiError('Bad gateway'));
			},
			1,
		);
		const activate = {
			resource: 'certificate',
			operation: 'activate',
			certificateIds: ids.join(','),
			options: { confirmOrganizationEnforcement: true, maxRetries: 0 },
		};
		const { items } = await run(activate);
		const report = items[0].json.report as Record<string, any>;
		expect(items[0].json.description).toMatch(
			/^Call 2 of 2 to activate certificates in the organization failed; 1 call\(s\) before it succeeded .* and 0 were not sent\. Whether the failed call took effect is unknown\. Running the same Activate again is safe/,
		);
		expect(report.failed).toEqual({
			action: 'activate',
			place: 'organization',
			certificateIds: ids.slice(10),
			status: 'unknown',
		});
		expect(ids.filter((id) => fake.api.organization.activeInOrganization.has(id))).toEqual(ids);

		const again = await run(activate, false);
		expect(again.items[0].json.error).toBeUndefined();
		expect(ids.filter((id) => fake.api.organization.activeInOrganization.has(id))).toEqual(ids);
	});

	describe('Rotate', () => {
		let newCa: GeneratedCertificate;
		beforeAll(() => {
			newCa = makeCertificate({ ca: true, commonName: 'Unknown Outcome CA' });
		});
		const rotate = (oldId: string, viaHostile = true) =>
			run(
				{
					resource: 'certificate',
					operation: 'rotate',
					certificateId: certificateLocator(oldId),
					certificate: newCa.pem,
					options: { maxRetries: 0, retryDelay: 0 },
				},
				viaHostile,
			);

		it('an activation whose answer was lost is "unknown"; the re-run finds it done and finishes', async () => {
			const oldId = fake.api.organization.addCertificate({ activeInProjects: ['proj_a'] }).id;
			actThenDrop('POST /v1/organization/projects/proj_a/certificates/activate');
			const { items } = await rotate(oldId);
			const json1 = items[0].json as Record<string, any>;
			expect(json1.report.failed).toMatchObject({
				step: 'activate',
				place: 'proj_a',
				status: 'unknown',
			});
			expect(json1.description).toMatch(
				/stopped at step 2 of 3 \(activate in proj_a\)\. The new certificate cert_\w+ was uploaded and is active in no place; the old certificate cert_\w+ was deactivated in no place\. Whether the activate in proj_a took effect is unknown\. Running the same Rotate again reads where each certificate is active and continues from here\./,
			);
			const newId = json1.report.newCertificateId as string;
			expect(fake.api.organization.whereActive(newId)).toEqual(['proj_a']);

			const again = await rotate(oldId, false);
			expect(again.items[0].json.error).toBeUndefined();
			expect(
				(again.items[0].json.steps as Array<{ step: string; status: string }>).map(
					({ step, status }) => `${step}: ${status}`,
				),
			).toEqual(['upload: found done', 'activate: found done', 'deactivate: done']);
			expect(fake.api.organization.whereActive(newId)).toEqual(['proj_a']);
			expect(fake.api.organization.whereActive(oldId)).toEqual([]);
		});
	});
});
