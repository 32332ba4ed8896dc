import type { LoggedRequest } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';

const writes = (log: LoggedRequest[]) =>
	log
		.filter((request) => request.method !== 'GET')
		.map((request) => `${request.method} ${request.path.replace('/v1/organization', '')}`);

describe('Certificate › Rotate', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const newCa = makeCertificate({ ca: true, commonName: 'Client CA 2027' });

	function seed(activeInOrganization: boolean, activeInProjects: string[]) {
		for (const id of ['proj_a', 'proj_b', 'proj_c']) fake.api.organization.addProject({ id });
		fake.api.organization.addCertificate({
			activeInOrganization: true,
			activeInProjects: ['proj_a', 'proj_b', 'proj_c'],
		});
		return fake.api.organization.addCertificate({
			name: 'Client CA 2026',
			activeInOrganization,
			activeInProjects,
		});
	}

	const rotate = (oldId: string, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator(oldId),
				certificate: newCa.pem,
				name: 'Client CA 2027',
				options,
			},
		});

	it.each([
		[
			'the organization and some projects',
			true,
			['proj_a', 'proj_c'],
			['organization', 'proj_a', 'proj_c'],
		],
		['some projects only', false, ['proj_b'], ['proj_b']],
		['nowhere', false, [], []],
	])(
		'replaces a certificate active in %s, activating the new one there before deactivating the old one',
		async (_name, inOrganization, inProjects, places) => {
			const old = seed(inOrganization, inProjects);
			const { items, error } = await rotate(old.id, { deleteOld: true });
			expect(error).toBeUndefined();
			const newId = items[0].json.newCertificateId as string;
			expect(items[0].json).toMatchObject({
				oldCertificateId: old.id,
				newCertificateId: newId,
				canaryProject: null,
				verified: false,
				paused: false,
				activatedIn: places,
				deactivatedIn: places,
				deleted: true,
			});
			expect((items[0].json.steps as Array<{ status: string }>).map((step) => step.status)).toEqual(
				Array(2 + 2 * places.length).fill('done'),
			);
			expect(items[0].pairedItem).toEqual({ item: 0 });

			const path = (place: string, action: string) =>
				place === 'organization'
					? `POST /certificates/${action}`
					: `POST /projects/${place}/certificates/${action}`;
			expect(writes(fake.api.log)).toEqual([
				'POST /certificates',
				...places.map((place) => path(place, 'activate')),
				...places.map((place) => path(place, 'deactivate')),
				`DELETE /certificates/${old.id}`,
			]);
			expect(fake.api.organization.whereActive(newId)).toEqual(places);
			expect(fake.api.organization.certificates.has(old.id)).toBe(false);
			expect(fake.api.organization.certificates.get(newId)?.content).toBe(newCa.pem);
		},
	);

	it('keeps the old certificate, inactive, unless Delete Old is on', async () => {
		const old = seed(true, []);
		const { items } = await rotate(old.id);
		expect(items[0].json.deleted).toBe(false);
		expect(fake.api.organization.certificates.has(old.id)).toBe(true);
		expect(fake.api.organization.whereActive(old.id)).toEqual([]);
	});

	it('a dry run reads where the old one is active and writes nothing', async () => {
		const old = seed(true, ['proj_b']);
		const { items } = await rotate(old.id, { dryRun: true, deleteOld: true, includeDetails: true });
		expect(items[0].json).toMatchObject({
			dryRun: true,
			oldCertificateId: old.id,
			wouldUpload: { name: 'Client CA 2027' },
			wouldActivateIn: ['organization', 'proj_b'],
			wouldDeactivateIn: ['organization', 'proj_b'],
			wouldDelete: old.id,
			details: { subject: expect.stringContaining('CN=Client CA 2027'), isCA: true },
		});
		expect(writes(fake.api.log)).toEqual([]);
	});

	it('refuses a bad new certificate before any request, and an unknown old one before uploading', async () => {
		const leaf = makeCertificate({ ca: false });
		const bad = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator('cert_x'),
				certificate: leaf.pem,
			},
		});
		expect(bad.error?.message).toMatch(/was not sent: .* is not a CA/);
		expect(fake.api.log).toHaveLength(0);

		const unknown = await rotate('cert_unknown');
		expect(unknown.error?.httpCode).toBe('404');
		expect(writes(fake.api.log)).toEqual([]);
	});

	const failures: Array<[string, (request: LoggedRequest) => boolean, RegExp, boolean]> = [
		[
			'upload',
			(request) => request.method === 'POST' && request.path === '/v1/organization/certificates',
			/Nothing was changed: the new certificate was not uploaded/,
			false,
		],
		[
			'activate',
			(request) => request.path.endsWith('proj_c/certificates/activate'),
			/The new certificate cert_\w+ was uploaded and is active in organization, proj_a; the old certificate cert_\w+ was deactivated in no place/,
			true,
		],
		[
			'deactivate',
			(request) => request.path.endsWith('proj_a/certificates/deactivate'),
			// Deactivations run at once: the other places' finished; the report says so.
			/is active in organization, proj_a, proj_c; the old certificate cert_\w+ was deactivated in organization, proj_c\./,
			true,
		],
		[
			'delete',
			(request) => request.method === 'DELETE',
			/is active in organization, proj_a, proj_c; the old certificate cert_\w+ was deactivated in organization, proj_a, proj_c\./,
			true,
		],
	];

	it.each(failures)(
		'stops when the %s step fails and reports each step done, failed and not done',
		async (step, match, summary, uploaded) => {
			const old = seed(true, ['proj_a', 'proj_c']);
			fake.api.faults.push({
				kind: 'error',
				status: 400,
				message: `Injected ${step} failure`,
				match,
			});
			const { items } = await fake.run({
				continueOnFail: true,
				parameters: {
					resource: 'certificate',
					operation: 'rotate',
					certificateId: certificateLocator(old.id),
					certificate: newCa.pem,
					options: { deleteOld: true },
				},
			});
			const json = items[0].json as Record<string, any>;
			expect(json.error).toBe(`Injected ${step} failure`);
			expect(json.description).toMatch(summary);
			const report = json.report;
			expect(report.failed.step).toBe(step);
			const newId = [...fake.api.organization.certificates.keys()].find(
				(id) => fake.api.organization.certificates.get(id)?.content === newCa.pem,
			);
			// A freshly uploaded certificate is never left unreported.
			expect(newId !== undefined).toBe(uploaded);
			expect(report.newCertificateId).toBe(newId ?? null);
			expect(json.description).toContain(newId ?? 'the new certificate was not uploaded');
			// Every step once: done, failed or not done (a batch's steps finish in any order).
			const all = [...report.done, report.failed, ...report.notDone];
			expect(
				all.map((entry: any) => `${entry.step}${entry.place ? ` ${entry.place}` : ''}`).sort(),
			).toEqual(
				[
					'upload',
					'activate organization',
					'activate proj_a',
					'activate proj_c',
					'deactivate organization',
					'deactivate proj_a',
					'deactivate proj_c',
					'delete',
				].sort(),
			);
			// What the report says was done is exactly the organization's state.
			const activatedNew = report.done
				.filter((entry: any) => entry.step === 'activate')
				.map((entry: any) => entry.place);
			const deactivatedOld = report.done
				.filter((entry: any) => entry.step === 'deactivate')
				.map((entry: any) => entry.place);
			expect(newId === undefined ? [] : fake.api.organization.whereActive(newId)).toEqual(
				activatedNew,
			);
			expect(fake.api.organization.whereActive(old.id)).toEqual(
				['organization', 'proj_a', 'proj_c'].filter((place) => !deactivatedOld.includes(place)),
			);
			expect(fake.api.organization.certificates.has(old.id)).toBe(true);
		},
	);
});
