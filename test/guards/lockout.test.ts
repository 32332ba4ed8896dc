import type { LockoutRow } from '../../nodes/OpenAiCertificates/guards/lockout/table';
import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import { probeMtlsHost } from '../support/mtlsProbe';

/**
 * Client Certificates To Keep Working, through real n8n-core against the fake: the node refuses a change
 * that would lock out a listed client (naming which, where and why) before writing anything, lets a
 * harmless one through, and its table agrees with what the sandbox's mTLS host then does.
 */

const client = (leaf: GeneratedCertificate, ...intermediates: GeneratedCertificate[]) =>
	[leaf, ...intermediates].map((certificate) => certificate.pem).join('');

describe('Lockout guard: Client Certificates To Keep Working', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const oldCa = makeCertificate({ ca: true, commonName: 'Guard Client CA 2026' });
	const newCa = makeCertificate({ ca: true, commonName: 'Guard Client CA 2027' });
	const issuing = makeCertificate({ ca: true, commonName: 'Guard Issuing CA 2027', issuer: newCa });
	const oldClient = makeCertificate({ commonName: 'worker-old', issuer: oldCa });
	const newClient = makeCertificate({ commonName: 'worker-new', issuer: issuing });
	const strayClient = makeCertificate({
		commonName: 'worker-stray',
		issuer: makeCertificate({ ca: true, commonName: 'Guard Stray CA' }),
	});

	function seed(
		options: {
			oldInOrganization?: boolean;
			oldInProjects?: string[];
			newInOrganization?: boolean;
		} = {},
	) {
		for (const id of ['proj_a', 'proj_b']) fake.api.organization.addProject({ id });
		const old = fake.api.organization.addCertificate({
			name: 'Guard Client CA 2026',
			content: oldCa.pem,
			activeInOrganization: options.oldInOrganization ?? true,
			activeInProjects: options.oldInProjects ?? [],
		});
		const fresh = fake.api.organization.addCertificate({
			name: 'Guard Client CA 2027',
			content: newCa.pem,
			activeInOrganization: options.newInOrganization ?? false,
		});
		return { old, fresh };
	}
	const writes = () => fake.api.log.filter((request) => request.method !== 'GET');
	const accepted = async (pem: string, key: string, projectId: string) =>
		(await probeMtlsHost(fake.api.mtls, projectId, { certificatePem: pem, keyPem: key })).accepted;

	it('refuses a deactivation that would lock out a listed client, naming the client, the projects and why; nothing is written', async () => {
		const { old } = seed({ newInOrganization: true });
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: { keepWorking: client(oldClient) },
			},
		});
		expect(error?.message).toMatch(
			/^Deactivate was not done: it would lock out 2 of the Client Certificates To Keep Working/,
		);
		expect(error?.message).toContain('CN=worker-old');
		expect(error?.message).toMatch(
			/in project proj_a: now accepted: chains to cert_\w+ \(Guard Client CA 2026\); after "deactivate cert_\w+ in the organization" refused: chains to no active certificate \(its issuer "CN=Guard Client CA 2026, .*" is not cert_\w+ nor sent\)/,
		);
		expect(error?.message).toContain('in project proj_b');
		expect(error?.description).toMatch(/^Nothing was changed/);
		expect(writes()).toEqual([]);
		expect(fake.api.organization.whereActive(old.id)).toEqual(['organization']);
		expect(await accepted(client(oldClient), oldClient.keyPem, 'proj_a')).toBe(true);
	});

	it('deactivating the last active certificate turns enforcement off: that locks nobody out', async () => {
		const { old } = seed();
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: { keepWorking: client(oldClient) },
			},
		});
		expect(error).toBeUndefined();
		expect(await accepted(client(strayClient), strayClient.keyPem, 'proj_a')).toBe(true);
	});

	it('lets the deactivation through when every listed client chains to a certificate that stays active, and the host agrees', async () => {
		const { old } = seed({ newInOrganization: true });
		const { error, items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: { keepWorking: client(newClient, issuing) },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json.object).toBe('organization.certificate.deactivation');
		expect(fake.api.organization.whereActive(old.id)).toEqual([]);
		for (const projectId of ['proj_a', 'proj_b']) {
			expect(await accepted(client(newClient, issuing), newClient.keyPem, projectId)).toBe(true);
			expect(await accepted(client(oldClient), oldClient.keyPem, projectId)).toBe(false);
		}
	});

	it('a dry run outputs the table for each client and project without refusing, and the host then does what it predicted', async () => {
		const { old } = seed({ newInOrganization: true });
		const keepWorking = [client(oldClient), client(newClient, issuing), client(strayClient)].join(
			'\n',
		);
		const dry = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: { keepWorking, dryRun: true },
			},
		});
		expect(dry.error).toBeUndefined();
		expect(writes()).toEqual([]);
		const rows = dry.items[0].json.clientCheck as LockoutRow[];
		expect(
			rows.map((row) => [
				row.client.split(',')[0],
				row.project,
				row.acceptedNow,
				row.acceptedAfter,
				row.lockedOut,
			]),
		).toEqual([
			['CN=worker-old', 'proj_a', true, false, true],
			['CN=worker-old', 'proj_b', true, false, true],
			['CN=worker-new', 'proj_a', true, true, false],
			['CN=worker-new', 'proj_b', true, true, false],
			['CN=worker-stray', 'proj_a', false, false, false],
			['CN=worker-stray', 'proj_b', false, false, false],
		]);

		await fake.run({
			parameters: { resource: 'certificate', operation: 'deactivate', certificateIds: old.id },
		});
		const presented = {
			'CN=worker-old': [oldClient],
			'CN=worker-new': [newClient, issuing],
			'CN=worker-stray': [strayClient],
		} as Record<string, GeneratedCertificate[]>;
		for (const row of rows) {
			const chain = presented[row.client.split(',')[0]];
			expect(
				await accepted(client(chain[0], ...chain.slice(1)), chain[0].keyPem, row.project),
			).toBe(row.acceptedAfter);
		}
	});

	it('activating in a project with nothing active turns mTLS on there: a listed client that does not chain to it is protected', async () => {
		const { fresh } = seed({ oldInOrganization: false });
		const activate = (keepWorking: string) =>
			fake.run({
				parameters: {
					resource: 'projectCertificate',
					operation: 'activate',
					projectId: certificateLocator('proj_a'),
					certificateIds: fresh.id,
					options: { keepWorking },
				},
			});
		const refused = await activate(client(strayClient));
		expect(refused.error?.message).toMatch(
			/CN=worker-stray.* in project proj_a: now accepted: nothing active, no client certificate needed; after "activate cert_\w+ in project proj_a" refused/,
		);
		expect(writes()).toEqual([]);
		const done = await activate(client(newClient, issuing));
		expect(done.error).toBeUndefined();
		expect(await accepted(client(newClient, issuing), newClient.keyPem, 'proj_a')).toBe(true);
		expect(await accepted(client(strayClient), strayClient.keyPem, 'proj_a')).toBe(false);
		expect(await accepted(client(strayClient), strayClient.keyPem, 'proj_b')).toBe(true);
	});

	it('deactivating in one project checks that project only', async () => {
		const { old } = seed({ oldInOrganization: false, oldInProjects: ['proj_a', 'proj_b'] });
		const { error } = await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'deactivate',
				projectId: certificateLocator('proj_b'),
				certificateIds: old.id,
				options: { keepWorking: client(oldClient), dryRun: true },
			},
		});
		expect(error).toBeUndefined();
		expect(fake.api.log.filter((request) => request.path.includes('/projects/proj_a/'))).toEqual(
			[],
		);
	});

	it('reads client certificates from binary fields too', async () => {
		const { old } = seed({ newInOrganization: true });
		const { error } = await fake.run({
			items: [{ $binary: { clients: { text: client(oldClient), fileName: 'clients.pem' } } }],
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: { keepWorkingBinary: 'clients' },
			},
		});
		expect(error?.message).toMatch(/would lock out 2 .*CN=worker-old/);
		expect(writes()).toEqual([]);
	});

	it.each([
		[
			'a private key',
			() => `${client(oldClient)}${oldClient.keyPem}`,
			/contain a private key; nothing was sent/,
		],
		[
			'text that is not a certificate',
			() => '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----',
			/cannot be read/,
		],
		['a missing binary field', () => '', /has no binary field "missing"/],
	])('refuses %s before any request', async (_name, keepWorking, message) => {
		const { old } = seed();
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: old.id,
				options: {
					keepWorking: keepWorking(),
					keepWorkingBinary: keepWorking() === '' ? 'missing' : '',
				},
			},
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).not.toContain('PRIVATE KEY');
		expect(fake.api.log).toEqual([]);
	});
});
