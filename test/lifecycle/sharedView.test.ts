import type { LoggedRequest } from '../../sandbox/server';
import { makeCertificate } from '../../sandbox/certificates';
import { copiesOf } from '../support/canary';
import {
	certificateLocator,
	deleteEach,
	useFakeAdminApi,
	WITHOUT_ADMIN_MTLS,
} from '../support/fakeApi';

/** How many times each read path was requested (query aside). */
function readsByPath(log: LoggedRequest[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const request of log)
		if (request.method === 'GET') counts.set(request.path, (counts.get(request.path) ?? 0) + 1);
	return counts;
}

const writes = (log: LoggedRequest[]) =>
	log
		.filter((request) => request.method !== 'GET')
		.map((request) => `${request.method} ${request.path.replace('/v1/organization', '')}`);

/** Rotate of `oldId` to the CA `pem`, deleting the old certificate. */
const rotateDeletingOld = (oldId: string, pem: string) => ({
	resource: 'certificate',
	operation: 'rotate',
	certificateId: certificateLocator(oldId),
	certificate: pem,
	options: { deleteOld: true },
});

const PROJECTS = 150;
const projectId = (index: number) => `proj_${String(index).padStart(3, '0')}`;

describe('One activation view per execution (many projects)', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	/** 150 projects and an archived one; five expired certificates active in a few places each. */
	function seedOrganization() {
		const organization = fake.api.organization;
		for (let index = 0; index < PROJECTS; index++)
			organization.addProject({ id: projectId(index) });
		organization.addProject({ id: 'proj_archived', archived: true });
		return Array.from({ length: 5 }, (_, index) =>
			organization.addCertificate({
				activeInOrganization: index % 2 === 0,
				activeInProjects: [projectId(index * 10), projectId(140 - index), 'proj_archived'],
			}),
		);
	}

	/** The shared-read minimum: the organization list, two pages of projects, each project's list once. */
	function expectOneReadOfEachList(log: LoggedRequest[]) {
		const reads = readsByPath(log);
		expect(reads.get('/v1/organization/certificates')).toBe(1);
		expect(reads.get('/v1/organization/projects')).toBe(2);
		const projectReads = [...reads].filter(([path]) => /projects\/[^/]+\/certificates$/.test(path));
		expect(projectReads).toHaveLength(PROJECTS + 1);
		expect(projectReads.every(([, count]) => count === 1)).toBe(true);
	}

	it('a cleanup of five items reads each project once, then only writes', async () => {
		const expired = seedOrganization();
		const { items, error } = await fake.run({
			items: expired.map(({ id }) => ({ id })),
			parameters: deleteEach({ deactivateFirst: true, concurrency: 4 }),
		});
		expect(error).toBeUndefined();
		expectOneReadOfEachList(fake.api.log);
		const places = expired.map((certificate, index) => [
			...(index % 2 === 0 ? ['organization'] : []),
			projectId(index * 10),
			projectId(140 - index),
			'proj_archived',
		]);
		expect(items.map((item) => item.json.deactivatedIn)).toEqual(places);
		// 1 + 2 + 151 reads, then each item's deactivations and its DELETE: nothing else.
		const deactivations = places.flat().length;
		expect(fake.api.log).toHaveLength(1 + 2 + PROJECTS + 1 + deactivations + expired.length);
		expect(fake.api.organization.certificates.size).toBe(0);
		expect(items.map((item) => item.pairedItem)).toEqual(expired.map((_, item) => ({ item })));
	});

	it('Get Many with Active In = Anywhere reads each project once', async () => {
		const certificates = seedOrganization();
		fake.api.organization.addCertificate({ name: 'inactive' });
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters: { activeIn: 'anywhere' },
			},
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id).sort()).toEqual(
			certificates.map(({ id }) => id).sort(),
		);
		// The listing itself is the organization list; each project list once.
		expectOneReadOfEachList(fake.api.log);
		expect(fake.api.log).toHaveLength(1 + 2 + PROJECTS + 1);
	});

	it("follows the execution's own writes: a second item for the same certificate sends no deactivation again", async () => {
		const [target] = seedOrganization();
		const { items, error } = await fake.run({
			items: [{ id: target.id }, { id: target.id }],
			parameters: deleteEach({ deactivateFirst: true, ignoreNotFound: true }),
		});
		expect(error).toBeUndefined();
		expect(writes(fake.api.log)).toEqual([
			'POST /certificates/deactivate',
			'POST /projects/proj_000/certificates/deactivate',
			'POST /projects/proj_140/certificates/deactivate',
			'POST /projects/proj_archived/certificates/deactivate',
			`DELETE /certificates/${target.id}`,
			`DELETE /certificates/${target.id}`,
		]);
		expect(items[1].json).toMatchObject({ id: target.id, alreadyDeleted: true, deactivatedIn: [] });
		expectOneReadOfEachList(fake.api.log);
	});

	it('someone activates the certificate meanwhile: the delete is refused, where it is active is read again, and it is deactivated there too', async () => {
		const [target] = seedOrganization();
		const organization = fake.api.organization;
		fake.api.onRequest = (request) => {
			// Another admin activates it in proj_077 while our deactivation runs.
			if (request.path === '/v1/organization/certificates/deactivate')
				organization.activeInProject.get('proj_077')!.add(target.id);
		};
		const { items, error } = await fake.run({
			items: [{ id: target.id }],
			parameters: deleteEach({ deactivateFirst: true }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			deleted: true,
			deactivatedIn: ['organization', 'proj_000', 'proj_140', 'proj_archived', 'proj_077'],
		});
		expect(writes(fake.api.log)).toEqual([
			'POST /certificates/deactivate',
			'POST /projects/proj_000/certificates/deactivate',
			'POST /projects/proj_140/certificates/deactivate',
			'POST /projects/proj_archived/certificates/deactivate',
			`DELETE /certificates/${target.id}`,
			'POST /projects/proj_077/certificates/deactivate',
			`DELETE /certificates/${target.id}`,
		]);
		// The contradicted view was read again, once: every list twice in all.
		const reads = readsByPath(fake.api.log);
		expect(reads.get('/v1/organization/certificates')).toBe(2);
		expect(reads.get('/v1/organization/projects/proj_077/certificates')).toBe(2);
		expect(organization.certificates.has(target.id)).toBe(false);
	});

	it('a project deleted since the view read it: its 404 re-reads the project list and nothing is left to do there', async () => {
		const [target] = seedOrganization();
		const organization = fake.api.organization;
		fake.api.onRequest = (request) => {
			if (request.path !== '/v1/organization/certificates/deactivate') return;
			organization.projects.delete('proj_140');
			organization.activeInProject.delete('proj_140');
		};
		const { items, error } = await fake.run({
			items: [{ id: target.id }],
			parameters: deleteEach({ deactivateFirst: true }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			deleted: true,
			deactivatedIn: ['organization', 'proj_000', 'proj_archived'],
		});
		expect(readsByPath(fake.api.log).get('/v1/organization/projects')).toBe(4);
		expect(organization.certificates.has(target.id)).toBe(false);
	});

	it("Rotate reads the old certificate, the organization's list (finding the new certificate in it) and the project list at once", async () => {
		const organization = fake.api.organization;
		for (let index = 0; index < PROJECTS; index++)
			organization.addProject({ id: projectId(index) });
		const old = organization.addCertificate({
			activeInOrganization: true,
			activeInProjects: [projectId(3), projectId(77)],
		});
		const newCa = makeCertificate({ ca: true, commonName: 'Client CA 2027' });
		const oldPath = `/v1/organization/certificates/${old.id}`;
		// The old certificate's answer waits until the project list's first page has arrived: one after
		// the other, that page would come only after this answer (held 2 s, then noted as not at once).
		let viewArrived: () => void = () => {};
		const viewStarted = new Promise<void>((resolve) => (viewArrived = resolve));
		let atOnce: boolean | undefined;
		fake.api.onRequest = async (request) => {
			if (request.path === '/v1/organization/projects') viewArrived();
			if (request.path !== oldPath || request.method !== 'GET') return;
			atOnce = await Promise.race([
				viewStarted.then(() => true),
				new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
			]);
		};
		const { items, error } = await fake.run({ parameters: rotateDeletingOld(old.id, newCa.pem) });
		expect(error).toBeUndefined();
		expect(atOnce).toBe(true);
		expect(items[0].json).toMatchObject({ deleted: true });
		const reads = readsByPath(fake.api.log);
		// The organization's list twice (the view, in which the new certificate is looked up by its
		// fingerprint; and just before the upload: what was there before it), the old certificate twice (itself,
		// and its content: no listed dates match the new PEM's, so every other certificate is read by content
		// before uploading), two pages of projects, each project's list once.
		expect(reads.get('/v1/organization/certificates')).toBe(2);
		expect(reads.get(oldPath)).toBe(2);
		expect(reads.get('/v1/organization/projects')).toBe(2);
		expect(
			[...reads.keys()].filter((path) => /projects\/[^/]+\/certificates$/.test(path)),
		).toHaveLength(PROJECTS);
		// Upload, activation in the organization and the two projects, deactivation there, the DELETE.
		expect(writes(fake.api.log)).toHaveLength(1 + 3 + 3 + 1);
		expect(fake.api.log).toHaveLength(2 + 2 + 2 + PROJECTS + 8);
	});

	it('Upload of six items: each reads what the organization holds just before its upload, and the sixth is refused before sending', async () => {
		const organization = fake.api.organization;
		for (let index = 0; index < 45; index++) organization.addCertificate();
		const pems = Array.from(
			{ length: 6 },
			(_, index) => makeCertificate({ ca: true, commonName: `Team ${index} CA` }).pem,
		);
		const { items, error } = await fake.run({
			continueOnFail: true,
			items: pems.map((pem) => ({ pem })),
			parameters: { resource: 'certificate', operation: 'upload', certificate: '={{ $json.pem }}' },
		});
		expect(error).toBeUndefined();
		expect(items.slice(0, 5).map((item) => item.json.object)).toEqual(Array(5).fill('certificate'));
		expect(items[5].json.error).toMatch(
			/^The organization already holds 50 certificates, the most OpenAI allows is 50; nothing was uploaded$/,
		);
		// Each upload is settled against what was there just before it (api/upload.ts), so it reads the list.
		const listed = fake.api.log.filter((request) => request.method === 'GET');
		expect(listed.map((request) => request.path)).toEqual(
			Array(6).fill('/v1/organization/certificates'),
		);
		expect(writes(fake.api.log)).toEqual(Array(5).fill('POST /certificates'));
		expect(items.map((item) => item.pairedItem)).toEqual(pems.map((_, item) => ({ item })));
	});

	it("Rotate of three items reads each project's list once for all of them, the organization's list once and before each upload", async () => {
		const organization = fake.api.organization;
		for (let index = 0; index < PROJECTS; index++)
			organization.addProject({ id: projectId(index) });
		organization.addProject({ id: 'proj_archived', archived: true });
		const rotations = Array.from({ length: 3 }, (_, index) => ({
			old: organization.addCertificate({
				activeInOrganization: true,
				activeInProjects: [projectId(index * 7)],
			}).id,
			// Each new CA expires on a day of its own (no listed dates match it: its look-up reads contents).
			pem: makeCertificate({
				ca: true,
				commonName: `Rotated ${index} CA`,
				notAfterOffset: (400 + index) * 86_400,
			}).pem,
		}));
		const { items, error } = await fake.run({
			items: rotations,
			parameters: rotateDeletingOld('={{ $json.old }}', '={{ $json.pem }}'),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.deleted)).toEqual([true, true, true]);
		for (const [index, item] of items.entries())
			expect(organization.whereActive(item.json.newCertificateId as string)).toEqual([
				'organization',
				projectId(index * 7),
			]);
		const reads = readsByPath(fake.api.log);
		expect(reads.get('/v1/organization/certificates')).toBe(1 + rotations.length);
		expect(reads.get('/v1/organization/projects')).toBe(2);
		const projectReads = [...reads].filter(([path]) => /projects\/[^/]+\/certificates$/.test(path));
		expect(projectReads).toHaveLength(PROJECTS + 1);
		expect(projectReads.every(([, count]) => count === 1)).toBe(true);
		// Per item: its old certificate, the list and its upload, 2 activations, 2 deactivations, the delete.
		// And each certificate's content once (the look-ups by fingerprint: no listed dates match): the three
		// old ones, then the new ones the first two items uploaded.
		expect(fake.api.log).toHaveLength(
			1 + 2 + PROJECTS + 1 + rotations.length * (2 + 6) + rotations.length + 2,
		);
	});

	it.each([1, 2])(
		'two items rotating two old CAs to one new CA upload it once (Concurrency %i): the second finds it in the list, or waits for the first upload',
		async (concurrency) => {
			const organization = fake.api.organization;
			for (const id of ['proj_a', 'proj_b']) organization.addProject({ id });
			const olds = [
				organization.addCertificate({ activeInOrganization: true }),
				organization.addCertificate({ activeInProjects: ['proj_b'] }),
			];
			const newCa = makeCertificate({ ca: true, commonName: 'Merged CA 2027' });
			const { items, error } = await fake.run({
				items: olds.map(({ id }) => ({ id })),
				parameters: {
					...rotateDeletingOld('={{ $json.id }}', newCa.pem),
					options: { deleteOld: true, concurrency },
				},
			});
			expect(error).toBeUndefined();
			const copies = copiesOf(fake.api, newCa.pem);
			expect(copies).toHaveLength(1);
			expect(items.map((item) => item.json.newCertificateId)).toEqual([copies[0], copies[0]]);
			const upload = (index: number) =>
				(items[index].json.steps as Array<{ step: string; status: string }>)[0];
			// Whichever item reaches the upload first sends it; the other finds it.
			expect([upload(0), upload(1)].map((step) => step.status).sort()).toEqual([
				'done',
				'found done',
			]);
			expect(writes(fake.api.log).filter((write) => write === 'POST /certificates')).toHaveLength(
				1,
			);
			// The view's list, and the one read just before the upload.
			expect(readsByPath(fake.api.log).get('/v1/organization/certificates')).toBe(2);
			expect(organization.whereActive(copies[0])).toEqual(['organization', 'proj_b']);
			expect(olds.map(({ id }) => organization.certificates.has(id))).toEqual([false, false]);
		},
	);

	it("an Old Certificate ID that does not exist stops Rotate before any project's certificate list is read", async () => {
		const organization = fake.api.organization;
		for (let index = 0; index < PROJECTS; index++)
			organization.addProject({ id: projectId(index) });
		const held = organization.addCertificate({ activeInOrganization: true });
		const newCa = makeCertificate({ ca: true, commonName: 'Typo CA 2027' });
		const { error } = await fake.run({ parameters: rotateDeletingOld('cert_typo', newCa.pem) });
		expect(error?.httpCode).toBe('404');
		expect(error?.message).toMatch(/cert_typo/);
		// The look-ups (the new PEM by content among the certificates held) and the project list (paged beside
		// them), and nothing after: no write, no project's list.
		expect(readsByPath(fake.api.log)).toEqual(
			new Map([
				['/v1/organization/certificates', 1],
				[`/v1/organization/certificates/${held.id}`, 1],
				['/v1/organization/certificates/cert_typo', 1],
				['/v1/organization/projects', 2],
			]),
		);
		expect(fake.api.log).toHaveLength(5);
	});

	it('Rotate: the old certificate activated elsewhere meanwhile is not deleted; the error says where, and a re-run finishes', async () => {
		const organization = fake.api.organization;
		for (const id of ['proj_a', 'proj_b', 'proj_c']) organization.addProject({ id });
		const old = organization.addCertificate({
			activeInOrganization: true,
			activeInProjects: ['proj_a'],
		});
		const newCa = makeCertificate({ ca: true, commonName: 'Client CA 2027' });
		fake.api.onRequest = (request) => {
			if (request.path === '/v1/organization/projects/proj_a/certificates/deactivate')
				organization.activeInProject.get('proj_c')!.add(old.id);
		};
		const rotate = () => fake.run({ parameters: rotateDeletingOld(old.id, newCa.pem) });
		const first = await rotate();
		expect(first.error?.description).toMatch(
			new RegExp(`${old.id} was activated again .* now active in proj_c\\. Run Rotate again`),
		);
		expect(organization.certificates.has(old.id)).toBe(true);
		fake.api.onRequest = undefined;
		const second = await rotate();
		expect(second.error).toBeUndefined();
		const newId = second.items[0].json.newCertificateId as string;
		expect(second.items[0].json).toMatchObject({ deleted: true });
		// The re-run did only what was left: proj_c, and the delete.
		const done = (
			second.items[0].json.steps as Array<{ step: string; status: string; place?: string }>
		)
			.filter((step) => step.status === 'done')
			.map((step) => `${step.step}${step.place ? ` ${step.place}` : ''}`);
		expect(done).toEqual(['activate proj_c', 'deactivate proj_c', 'delete']);
		expect(organization.whereActive(newId)).toEqual(['organization', 'proj_a', 'proj_c']);
		expect(organization.certificates.has(old.id)).toBe(false);
	});

	it('a project deleted while the projects are being read: its 404 re-reads the project list and it counts as having nothing active', async () => {
		seedOrganization();
		const organization = fake.api.organization;
		fake.api.onRequest = (request) => {
			if (request.path !== '/v1/organization/projects/proj_050/certificates') return;
			organization.projects.delete('proj_120');
			organization.activeInProject.delete('proj_120');
		};
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				options: { includeActiveIn: true },
			},
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(5);
		expect(readsByPath(fake.api.log).get('/v1/organization/projects')).toBe(4);
		const proj120 = fake.api.log.filter((request) => request.path.includes('/proj_120/'));
		expect(proj120.map((request) => request.status)).toEqual([404]);
	});

	it('guarded changes of items in flight at once run one after the other: the second guard sees the first write', async () => {
		const ca = makeCertificate({ ca: true, commonName: 'Uploaded Twice CA' });
		const other = makeCertificate({ ca: true, commonName: 'Other Team CA' });
		const worker = makeCertificate({ commonName: 'worker', issuer: ca });
		const organization = fake.api.organization;
		organization.addProject({ id: 'proj_a' });
		// The same CA under two IDs: either one keeps the worker accepted, but not neither.
		const first = organization.addCertificate({ content: ca.pem, activeInOrganization: true });
		const second = organization.addCertificate({ content: ca.pem, activeInOrganization: true });
		organization.addCertificate({ content: other.pem, activeInOrganization: true });
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ id: first.id }, { id: second.id }],
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: '={{ $json.id }}',
				options: { keepWorking: worker.pem, concurrency: 2 },
			},
		});
		expect(items[0].json.error).toBeUndefined();
		expect(items[1].json.error).toMatch(/^Deactivate was not done: it would lock out 1 of/);
		expect(organization.whereActive(first.id)).toEqual([]);
		expect(organization.whereActive(second.id)).toEqual(['organization']);
	});

	it('a shared read that fails: each item waiting for it fails with its own error, naming its own item', async () => {
		const organization = fake.api.organization;
		organization.addProject({ id: 'proj_a' });
		const ids = Array.from({ length: 3 }, () => organization.addCertificate().id);
		const organizationList = (request: LoggedRequest) =>
			request.method === 'GET' && request.path === '/v1/organization/certificates';
		fake.api.onRequest = async (request) => {
			// Item 0 is slow to reach the view (a dry run looks its certificate up first): items 1 and 2
			// start the shared read of the organization's list, item 0 joins it, and it fails for all three.
			if (request.path.endsWith(`/${ids[0]}`))
				await new Promise((resolve) => setTimeout(resolve, 300));
			if (organizationList(request)) await new Promise((resolve) => setTimeout(resolve, 600));
		};
		fake.api.faults.push({ kind: '500', match: organizationList });
		const parameters = deleteEach({ dryRun: true, concurrency: 3, maxRetries: 0 });
		const stopped = await fake.run({ items: ids.map((id) => ({ id })), parameters });
		// One read, shared by the three items; the run stops on the first item in input order, and says so.
		expect(readsByPath(fake.api.log).get('/v1/organization/certificates')).toBe(1);
		expect(stopped.error?.message).toMatch(/server had an error/);
		expect(stopped.error?.context?.itemIndex).toBe(0);

		fake.api.faults.push({ kind: '500', match: organizationList });
		const { items, error } = await fake.run({
			continueOnFail: true,
			items: ids.map((id) => ({ id })),
			parameters,
		});
		expect(error).toBeUndefined();
		expect(readsByPath(fake.api.log).get('/v1/organization/certificates')).toBe(2);
		expect(items.map((item) => [item.pairedItem, item.json.error])).toEqual(
			ids.map((_, index) => [{ item: index }, expect.stringMatching(/server had an error/)]),
		);
		expect(writes(fake.api.log)).toEqual([]);
	});
});
