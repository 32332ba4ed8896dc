import { OpenAiCertificates } from '../../nodes/OpenAiCertificates/OpenAiCertificates.node';
import { makeCertificate } from '../../sandbox/certificates';
import { adminCredential } from '../support/adminClient';
import { useFakeAdminApi } from '../support/fakeApi';
import { probeMtlsHost } from '../support/mtlsProbe';

/** Turning enforcement on for the whole organization needs an explicit confirmation. */
describe('Lockout guard: Confirm Organization-Wide Enforcement', () => {
	const fake = useFakeAdminApi();
	const ca = makeCertificate({ ca: true, commonName: 'Enforcement CA' });
	// The node's own admin client, issued by the CA it activates (test/guards/adminAccess.test.ts).
	const adminClient = makeCertificate({ commonName: 'admin client', issuer: ca });
	const activate = (certificateIds: string, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: { resource: 'certificate', operation: 'activate', certificateIds, options },
		});
	const writes = () => fake.api.log.filter((request) => request.method !== 'GET');

	beforeEach(() => {
		fake.credentials = adminCredential(fake.api, adminClient);
		fake.api.organization.addProject({ id: 'proj_a' });
	});

	it('refuses to activate for the organization while nothing is active there, saying what would happen', async () => {
		const certificate = fake.api.organization.addCertificate({ content: ca.pem });
		const { error } = await activate(certificate.id);
		expect(error?.message).toBe(
			'Activate was not done: no certificate is active for the organization yet, so activating one there would make every request of every project need a client certificate that chains to it',
		);
		expect(error?.description).toMatch(
			/non-critical project first.*Confirm Organization-Wide Enforcement/,
		);
		expect(writes()).toEqual([]);
		expect((await probeMtlsHost(fake.api.mtls, 'proj_a')).accepted).toBe(true);
	});

	it('activates with the confirmation, and from then on requests without a client certificate are refused', async () => {
		const certificate = fake.api.organization.addCertificate({ content: ca.pem });
		const { error } = await activate(certificate.id, { confirmOrganizationEnforcement: true });
		expect(error).toBeUndefined();
		expect(fake.api.organization.whereActive(certificate.id)).toEqual(['organization']);
		expect(await probeMtlsHost(fake.api.mtls, 'proj_a')).toMatchObject({
			accepted: false,
			code: 'certificate_required',
		});
	});

	it('needs no confirmation while another certificate is already active for the organization', async () => {
		fake.api.organization.addCertificate({ content: ca.pem, activeInOrganization: true });
		const certificate = fake.api.organization.addCertificate();
		const { error } = await activate(certificate.id);
		expect(error).toBeUndefined();
		expect(fake.api.organization.activeInOrganization.has(certificate.id)).toBe(true);
	});

	it('needs no confirmation in a project (Client Certificates To Keep Working guards that)', async () => {
		const certificate = fake.api.organization.addCertificate({ content: ca.pem });
		const { error } = await fake.run({
			parameters: {
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: { __rl: true, mode: 'id', value: 'proj_a' },
				certificateIds: certificate.id,
			},
		});
		expect(error).toBeUndefined();
	});

	it('a dry run reports that it would turn enforcement on, and writes nothing', async () => {
		const certificate = fake.api.organization.addCertificate({ content: ca.pem });
		const { items, error } = await activate(certificate.id, { dryRun: true });
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			dryRun: true,
			wouldActivate: [certificate.id],
			turnsOnOrganizationEnforcement: true,
			adminAccess: { acceptedNow: true, now: 'accepted: nothing is active for the organization' },
		});
		expect(writes()).toEqual([]);
	});

	it('the editor shows a notice explaining it on organization-level Activate only', () => {
		const { properties } = new OpenAiCertificates().description;
		const notices = properties.filter(
			(property) =>
				property.type === 'notice' && /turns mTLS on for every project/.test(property.displayName),
		);
		expect(notices).toHaveLength(1);
		expect(notices[0].displayOptions?.show).toEqual({
			resource: ['certificate'],
			operation: ['activate'],
		});
	});
});
