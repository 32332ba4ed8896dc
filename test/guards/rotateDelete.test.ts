import type { LockoutRow } from '../../nodes/OpenAiCertificates/guards/lockout/table';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

/** Client Certificates To Keep Working on Rotate and on Delete with Deactivate Everywhere First. */
describe('Lockout guard on Rotate and Delete', () => {
	const fake = useFakeAdminApi();
	const oldCa = makeCertificate({ ca: true, commonName: 'Rotate Guard CA 2026' });
	const newCa = makeCertificate({ ca: true, commonName: 'Rotate Guard CA 2027' });
	const oldClient = makeCertificate({ commonName: 'rotating-old', issuer: oldCa });
	const newClient = makeCertificate({ commonName: 'rotating-new', issuer: newCa });
	const otherCa = makeCertificate({ ca: true, commonName: 'Rotate Guard Other CA' });

	function seed() {
		for (const id of ['proj_a', 'proj_b']) fake.api.organization.addProject({ id });
		// proj_b also trusts another CA, so the old client's fate there depends on the old CA alone.
		fake.api.organization.addCertificate({
			name: 'Other CA',
			content: otherCa.pem,
			activeInProjects: ['proj_b'],
		});
		return fake.api.organization.addCertificate({
			name: 'Rotate Guard CA 2026',
			content: oldCa.pem,
			activeInProjects: ['proj_a', 'proj_b'],
		});
	}
	const writes = () => fake.api.log.filter((request) => request.method !== 'GET');
	const rotate = (oldId: string, options: Record<string, unknown>) =>
		fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator(oldId),
				certificate: newCa.pem,
				name: 'Rotate Guard CA 2027',
				options,
			},
		});

	it('Rotate refuses before uploading when a listed client chains only to the old certificate', async () => {
		const old = seed();
		const { error } = await rotate(old.id, { keepWorking: oldClient.pem, deleteOld: true });
		expect(error?.message).toMatch(
			/^Rotate was not done: it would lock out 2 of the Client Certificates To Keep Working\. .*CN=rotating-old.* in project proj_a: now accepted: chains to cert_\w+ \(Rotate Guard CA 2026\); after "deactivate cert_\w+ in project proj_a" refused/,
		);
		expect(writes()).toEqual([]);
		expect(fake.api.organization.certificates.size).toBe(2);
	});

	it('Rotate goes ahead when the listed clients already hold certificates from the new CA, and its dry run shows why', async () => {
		const old = seed();
		const dry = await rotate(old.id, {
			keepWorking: `${newClient.pem}${oldClient.pem}`,
			dryRun: true,
		});
		const rows = dry.items[0].json.clientCheck as LockoutRow[];
		expect(
			rows.map((row) => [row.client.split(',')[0], row.project, row.now.split(':')[0], row.after]),
		).toEqual([
			[
				'CN=rotating-new',
				'proj_a',
				'refused',
				'accepted: chains to the new certificate (Rotate Guard CA 2027)',
			],
			[
				'CN=rotating-new',
				'proj_b',
				'refused',
				'accepted: chains to the new certificate (Rotate Guard CA 2027)',
			],
			[
				'CN=rotating-old',
				'proj_a',
				'accepted',
				expect.stringMatching(/^refused: chains to no active certificate/),
			],
			[
				'CN=rotating-old',
				'proj_b',
				'accepted',
				expect.stringMatching(/^refused: chains to no active certificate/),
			],
		]);
		expect(rows.filter((row) => row.lockedOut).map((row) => row.refusedAfterStep)).toEqual([
			expect.stringMatching(/^deactivate cert_\w+ in project proj_a$/),
			expect.stringMatching(/^deactivate cert_\w+ in project proj_b$/),
		]);
		expect(writes()).toEqual([]);

		const { error, items } = await rotate(old.id, { keepWorking: newClient.pem, deleteOld: true });
		expect(error).toBeUndefined();
		expect(fake.api.organization.whereActive(items[0].json.newCertificateId as string)).toEqual([
			'proj_a',
			'proj_b',
		]);
	});

	it('Delete with Deactivate Everywhere First refuses when a listed client would be locked out, and deletes otherwise', async () => {
		const old = seed();
		const refused = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(old.id),
				options: { deactivateFirst: true, keepWorking: oldClient.pem },
			},
		});
		// proj_a has nothing else active (deactivating turns mTLS off there); proj_b keeps Other CA, which the client does not chain to.
		expect(refused.error?.message).toMatch(
			/^Delete was not done: it would lock out 1 of the Client Certificates To Keep Working\. .*CN=rotating-old.* in project proj_b/,
		);
		expect(writes()).toEqual([]);

		const deleted = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(old.id),
				options: { deactivateFirst: true, keepWorking: newClient.pem },
			},
		});
		expect(deleted.error).toBeUndefined();
		expect(fake.api.organization.certificates.has(old.id)).toBe(false);
	});
});
