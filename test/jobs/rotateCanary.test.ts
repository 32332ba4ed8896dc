import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import { probeMtlsHost } from '../support/mtlsProbe';
import {
	CANARY,
	canaryOption,
	copiesOf,
	makeCanaryFixture,
	mtlsClientCredential,
	rotateParameters,
	seedCanary,
	writes,
} from '../support/canary';

describe('Certificate › Rotate with a canary project', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const fixture = makeCanaryFixture();

	const rotate = (
		oldId: string,
		options: Record<string, unknown>,
		credential = mtlsClientCredential(fake.api, fixture.newClient),
		extra: { continueOnFail?: boolean } = {},
	) =>
		fake.run({
			parameters: rotateParameters(oldId, fixture.newCa, { ...canaryOption, ...options }),
			mtlsClient: credential,
			...extra,
		});
	// A valid client of the new CA with a key of proj_b, where the new certificate is not active: the mTLS
	// host refuses it (a mistake only the host can see: the node cannot tell a key's project).
	const refusedByHost = () => mtlsClientCredential(fake.api, fixture.newClient, 'proj_b');

	it('activates the new certificate in the canary first, verifies it with one request through the mTLS host, then everywhere the old one is active', async () => {
		const oldId = seedCanary(fake.api, fixture);
		const { items, error } = await rotate(oldId, { deleteOld: true });
		expect(error).toBeUndefined();
		const newId = items[0].json.newCertificateId as string;
		expect(writes(fake.api.log)).toEqual([
			'POST /certificates',
			`POST /projects/${CANARY}/certificates/activate`,
			'POST /certificates/activate',
			'POST /projects/proj_a/certificates/activate',
			'POST /certificates/deactivate',
			'POST /projects/proj_a/certificates/deactivate',
			`DELETE /certificates/${oldId}`,
		]);
		// The one verification request came after the canary activation and before any other.
		expect(fake.api.mtls.log).toHaveLength(1);
		const [check] = fake.api.mtls.log;
		expect(check).toMatchObject({
			projectId: CANARY,
			status: 200,
			clientSubject: expect.stringContaining('CN=workload-2027'),
		});
		const at = (path: string) =>
			fake.api.log.find((request) => request.method === 'POST' && request.path.endsWith(path))!.at;
		expect(check.at).toBeGreaterThanOrEqual(at(`${CANARY}/certificates/activate`));
		expect(check.at).toBeLessThanOrEqual(at('/v1/organization/certificates/activate'));
		expect(items[0].json).toMatchObject({
			canaryProject: CANARY,
			verified: true,
			paused: false,
			activatedIn: [CANARY, 'organization', 'proj_a'],
			deactivatedIn: ['organization', 'proj_a'],
			deleted: true,
		});
		expect(items[0].json.steps).toEqual([
			{ step: 'upload', certificateId: newId, status: 'done' },
			{ step: 'activate', place: CANARY, canary: true, certificateId: newId, status: 'done' },
			{ step: 'verify', place: CANARY, certificateId: newId, status: 'done' },
			{ step: 'activate', place: 'organization', certificateId: newId, status: 'done' },
			{ step: 'activate', place: 'proj_a', certificateId: newId, status: 'done' },
			{ step: 'deactivate', place: 'organization', certificateId: oldId, status: 'done' },
			{ step: 'deactivate', place: 'proj_a', certificateId: oldId, status: 'done' },
			{ step: 'delete', certificateId: oldId, status: 'done' },
		]);
		// What it did to traffic: the new CA's clients get through everywhere, the old CA's nowhere.
		for (const projectId of [CANARY, 'proj_a', 'proj_b']) {
			expect(
				await probeMtlsHost(fake.api.mtls, projectId, {
					certificatePem: fixture.newClient.pem,
					keyPem: fixture.newClient.keyPem,
				}),
			).toMatchObject({ accepted: true });
			expect(
				await probeMtlsHost(fake.api.mtls, projectId, {
					certificatePem: fixture.oldClient.pem,
					keyPem: fixture.oldClient.keyPem,
				}),
			).toMatchObject({ accepted: false });
		}
	});

	it('undoes the canary activation and stops when the mTLS host refuses the client; nothing else changed', async () => {
		const oldId = seedCanary(fake.api, fixture);
		const { items } = await rotate(oldId, { deleteOld: true }, refusedByHost(), {
			continueOnFail: true,
		});
		const json = items[0].json as Record<string, any>;
		expect(json.error).toMatch(
			new RegExp(
				`did not accept the canary request in project ${CANARY}: HTTP 401 \\(certificate_verification_failed`,
			),
		);
		expect(json.description).toMatch(
			/stopped at step 3 of 8 \(verify in proj_canary\)\. The new certificate cert_\w+ was uploaded and is active in no place; .* The canary activation was undone; nothing else changed\./,
		);
		expect(json.description).toMatch(/n8n 1\.x's HTTP helpers ignore client certificates/);
		const newId = json.report.newCertificateId as string;
		expect(json.report.undone).toEqual([
			{ step: 'activate', place: CANARY, canary: true, certificateId: newId, status: 'undone' },
		]);
		expect(json.report.notDone.map((step: { step: string }) => step.step)).toEqual([
			'activate',
			'activate',
			'deactivate',
			'deactivate',
			'delete',
		]);
		expect(writes(fake.api.log)).toEqual([
			'POST /certificates',
			`POST /projects/${CANARY}/certificates/activate`,
			`POST /projects/${CANARY}/certificates/deactivate`,
		]);
		expect(fake.api.organization.whereActive(newId)).toEqual([]);
		expect(fake.api.organization.whereActive(oldId)).toEqual(['organization', 'proj_a']);
	});

	it('never shows the private key: not in the output, the error, nor anything the Admin API received', async () => {
		const oldId = seedCanary(fake.api, fixture);
		const ok = await rotate(oldId, {});
		const refused = await rotate(oldId, {}, refusedByHost(), { continueOnFail: true });
		const keyBody = fixture.newClient.keyPem.split('\n')[1];
		for (const text of [
			JSON.stringify(ok.items),
			JSON.stringify(refused.items),
			JSON.stringify(fake.api.log),
		]) {
			expect(text).not.toContain(keyBody);
			expect(text).not.toContain('PRIVATE KEY');
			expect(text).not.toContain(fake.api.mtls.projectKey(CANARY));
			expect(text).not.toContain(fake.api.mtls.projectKey('proj_b'));
		}
	});

	it('without a client credential, Pause After Canary stops after the canary step; the same Rotate run again continues', async () => {
		const oldId = seedCanary(fake.api, fixture);
		const parameters = rotateParameters(oldId, fixture.newCa, {
			...canaryOption,
			pauseAfterCanary: true,
			deleteOld: true,
		});
		const first = await fake.run({ parameters });
		expect(first.error).toBeUndefined();
		const newId = first.items[0].json.newCertificateId as string;
		expect(first.items[0].json).toMatchObject({
			paused: true,
			verified: false,
			activatedIn: [CANARY],
			deactivatedIn: [],
			deleted: false,
		});
		expect(first.items[0].json.summary).toMatch(
			/Paused after the canary in project proj_canary: 2 step\(s\) done by this run, 0 found done\. .* run this Rotate again/,
		);
		expect(
			(first.items[0].json.steps as Array<{ status: string }>).map((step) => step.status),
		).toEqual(['done', 'done', 'not done', 'not done', 'not done', 'not done', 'not done']);
		expect(fake.api.organization.whereActive(newId)).toEqual([CANARY]);
		expect(fake.api.organization.whereActive(oldId)).toEqual(['organization', 'proj_a']);

		const second = await fake.run({ parameters });
		expect(second.error).toBeUndefined();
		expect(second.items[0].json).toMatchObject({
			newCertificateId: newId,
			paused: false,
			deleted: true,
		});
		expect(
			(second.items[0].json.steps as Array<{ status: string }>).map((step) => step.status),
		).toEqual(['found done', 'found done', 'done', 'done', 'done', 'done', 'done']);
		expect(copiesOf(fake.api, fixture.newCa.pem)).toEqual([newId]);
		expect(fake.api.organization.whereActive(newId)).toEqual(['organization', CANARY, 'proj_a']);
		expect(fake.api.organization.certificates.has(oldId)).toBe(false);
	});

	it('a dry run shows the canary plan and what an earlier run already did, writing nothing', async () => {
		const oldId = seedCanary(fake.api, fixture);
		await fake.run({
			parameters: rotateParameters(oldId, fixture.newCa, {
				...canaryOption,
				pauseAfterCanary: true,
			}),
		});
		const before = fake.api.log.length;
		const { items } = await rotate(oldId, { dryRun: true, deleteOld: true });
		expect(items[0].json).toMatchObject({
			dryRun: true,
			wouldUpload: null,
			wouldActivateIn: ['organization', 'proj_a'],
			wouldDeactivateIn: ['organization', 'proj_a'],
			wouldDelete: oldId,
		});
		expect(
			(items[0].json.steps as Array<{ status: string }>).slice(0, 3).map((step) => step.status),
		).toEqual(['found done', 'found done', 'not done']);
		expect(writes(fake.api.log.slice(before))).toEqual([]);
		expect(fake.api.mtls.log).toHaveLength(0);
	});

	it.each([
		[
			'Pause After Canary without a canary',
			{ pauseAfterCanary: true, canaryProject: undefined },
			undefined,
			/Pause After Canary needs a Canary Project/,
		],
		[
			'a client credential without a canary',
			{ canaryProject: undefined },
			'new',
			/verifies a canary, but no Canary Project is set/,
		],
		[
			'a canary with nothing to verify it',
			{},
			undefined,
			/Nothing would verify the canary in project proj_canary/,
		],
		[
			'a client certificate not issued by the new CA',
			{},
			'old',
			/would not be accepted through the new certificate: its issuer "CN=Client CA 2026.*" is not the new certificate nor sent/,
		],
		[
			'an expired client certificate of the new CA',
			{},
			'expired',
			/would not be accepted through the new certificate: "CN=workload-expired.*" has expired/,
		],
	] as Array<[string, Record<string, unknown>, 'new' | 'old' | 'expired' | undefined, RegExp]>)(
		'refuses %s before any request',
		async (_name, options, client, message) => {
			const oldId = seedCanary(fake.api, fixture);
			const { error } = await fake.run({
				parameters: rotateParameters(oldId, fixture.newCa, { ...canaryOption, ...options }),
				...(client
					? {
							mtlsClient: mtlsClientCredential(
								fake.api,
								{
									old: fixture.oldClient,
									expired: fixture.expiredNewClient,
									new: fixture.newClient,
								}[client],
							),
						}
					: {}),
			});
			expect(error?.message).toMatch(message);
			expect(fake.api.log).toHaveLength(0);
		},
	);

	it.each([
		[
			'is not a project of the organization',
			'proj_gone',
			/Canary Project proj_gone is not a project of the organization/,
		],
		[
			'does not use the old certificate',
			'proj_b',
			/active neither in Canary Project proj_b nor for the organization: .* turn mTLS enforcement on/,
		],
	])('refuses a canary project that %s before any write', async (_name, projectId, message) => {
		for (const id of [CANARY, 'proj_a', 'proj_b']) fake.api.organization.addProject({ id });
		const old = fake.api.organization.addCertificate({
			content: fixture.oldCa.pem,
			activeInProjects: ['proj_a'],
		});
		const { error } = await fake.run({
			parameters: rotateParameters(old.id, fixture.newCa, {
				canaryProject: { __rl: true, mode: 'id', value: projectId },
				pauseAfterCanary: true,
			}),
		});
		expect(error?.message).toMatch(message);
		expect(writes(fake.api.log)).toEqual([]);
	});
});
