import { X509Certificate } from 'node:crypto';

import { certificateExtensions, octetString } from '../../nodes/OpenAiCertificates/helpers/der';
import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import type { ProbeClient } from '../support/mtlsProbe';
import { probeMtlsHost } from '../support/mtlsProbe';

const DAY = 86_400;
const client = (
	leaf: GeneratedCertificate,
	...intermediates: GeneratedCertificate[]
): ProbeClient => ({
	certificatePem: [leaf, ...intermediates].map((certificate) => certificate.pem).join(''),
	keyPem: leaf.keyPem,
});

describe('Sandbox mTLS API host: what is active decides which clients get through', () => {
	let api: FakeAdminApi;
	let root: GeneratedCertificate;
	let intermediate: GeneratedCertificate;
	let other: GeneratedCertificate;
	let viaRoot: GeneratedCertificate;
	let viaIntermediate: GeneratedCertificate;
	let viaOther: GeneratedCertificate;

	beforeAll(() => {
		root = makeCertificate({ ca: true, commonName: 'Probe Root CA' });
		intermediate = makeCertificate({ ca: true, commonName: 'Probe Issuing CA', issuer: root });
		other = makeCertificate({ ca: true, commonName: 'Unrelated CA' });
		viaRoot = makeCertificate({ commonName: 'client-of-root', issuer: root });
		viaIntermediate = makeCertificate({
			commonName: 'client-of-intermediate',
			issuer: intermediate,
		});
		viaOther = makeCertificate({ commonName: 'client-of-other', issuer: other });
	});
	beforeEach(async () => {
		api = await startFakeAdminApi();
		api.organization.addProject({ id: 'proj_a' });
		api.organization.addProject({ id: 'proj_b' });
	});
	afterEach(() => api.close());

	const probe = (projectId: string, presented: ProbeClient = {}) =>
		probeMtlsHost(api.mtls, projectId, presented);

	it('lets requests through without a client certificate while nothing is active in their scope', async () => {
		api.organization.addCertificate({ content: root.pem });
		expect(await probe('proj_a')).toMatchObject({ status: 200, accepted: true });
		expect(await probe('proj_a', client(viaOther))).toMatchObject({ status: 200, accepted: true });
	});

	it('once a certificate is active for the organization, every project needs a client certificate chaining to it', async () => {
		api.organization.addCertificate({ content: root.pem, activeInOrganization: true });
		for (const projectId of ['proj_a', 'proj_b']) {
			expect(await probe(projectId)).toMatchObject({
				status: 401,
				accepted: false,
				code: 'certificate_required',
			});
			expect(await probe(projectId, client(viaRoot))).toMatchObject({
				status: 200,
				accepted: true,
			});
			expect(await probe(projectId, client(viaOther))).toMatchObject({
				status: 401,
				accepted: false,
				code: 'certificate_verification_failed',
			});
		}
	});

	it('a certificate active for one project enforces mTLS there only', async () => {
		api.organization.addCertificate({ content: root.pem, activeInProjects: ['proj_a'] });
		expect(await probe('proj_a')).toMatchObject({ code: 'certificate_required' });
		expect(await probe('proj_b')).toMatchObject({ accepted: true });
	});

	it('accepts a client chaining to any certificate active for the organization or the project (the union)', async () => {
		api.organization.addCertificate({ content: root.pem, activeInOrganization: true });
		api.organization.addCertificate({ content: other.pem, activeInProjects: ['proj_a'] });
		expect(await probe('proj_a', client(viaOther))).toMatchObject({ accepted: true });
		expect(await probe('proj_a', client(viaRoot))).toMatchObject({ accepted: true });
		expect(await probe('proj_b', client(viaOther))).toMatchObject({ accepted: false });
	});

	it('follows the chain through the intermediates the client sends, and refuses a leaf sent without them', async () => {
		api.organization.addCertificate({ content: root.pem, activeInOrganization: true });
		expect(await probe('proj_a', client(viaIntermediate, intermediate))).toMatchObject({
			accepted: true,
		});
		const alone = await probe('proj_a', client(viaIntermediate));
		expect(alone).toMatchObject({ accepted: false, code: 'certificate_verification_failed' });
		expect(alone.message).toMatch(/unable to get local issuer certificate/);
	});

	it('an active intermediate is a trust anchor by itself', async () => {
		api.organization.addCertificate({ content: intermediate.pem, activeInProjects: ['proj_a'] });
		expect(await probe('proj_a', client(viaIntermediate))).toMatchObject({ accepted: true });
		expect(await probe('proj_a', client(viaRoot))).toMatchObject({ accepted: false });
	});

	it('checks validity: an expired or not yet valid client certificate, or an expired intermediate, is refused', async () => {
		api.organization.addCertificate({ content: root.pem, activeInOrganization: true });
		const expired = makeCertificate({
			commonName: 'expired-client',
			issuer: root,
			notBeforeOffset: -10 * DAY,
			notAfterOffset: -DAY,
		});
		const early = makeCertificate({
			commonName: 'future-client',
			issuer: root,
			notBeforeOffset: DAY,
			notAfterOffset: 10 * DAY,
		});
		const expiredIntermediate = makeCertificate({
			ca: true,
			commonName: 'Expired Issuing CA',
			issuer: root,
			notBeforeOffset: -10 * DAY,
			notAfterOffset: -DAY,
		});
		const viaExpiredIntermediate = makeCertificate({
			commonName: 'client-of-expired-intermediate',
			issuer: expiredIntermediate,
		});
		expect((await probe('proj_a', client(expired))).message).toMatch(/certificate has expired/);
		expect((await probe('proj_a', client(early))).message).toMatch(/not yet valid/);
		expect(
			(await probe('proj_a', client(viaExpiredIntermediate, expiredIntermediate))).message,
		).toMatch(/certificate has expired/);
	});

	it('checks the signature, not only the names: a CA of the same name and key identifier with another key anchors nothing', async () => {
		// The same Subject Key Identifier, so the client's Authority Key Identifier does not rule it out first.
		const rootKeyId = octetString(
			certificateExtensions(new X509Certificate(root.pem).raw).get('551d0e')!.value,
		)!;
		const impostor = makeCertificate({
			ca: true,
			commonName: 'Probe Root CA',
			freshKey: true,
			caExtensions: {
				subjectKeyIdentifier: Buffer.from(rootKeyId)
					.toString('hex')
					.replace(/(..)(?!$)/g, '$1:'),
			},
		});
		api.organization.addCertificate({ content: impostor.pem, activeInOrganization: true });
		const refused = await probe('proj_a', client(viaRoot));
		expect(refused).toMatchObject({ accepted: false, code: 'certificate_verification_failed' });
		expect(refused.message).toMatch(/signature/);
	});

	it('refuses a chain through a certificate that is not a CA', async () => {
		const notCa = makeCertificate({ commonName: 'leaf-acting-as-issuer', issuer: root });
		const underLeaf = makeCertificate({ commonName: 'client-under-a-leaf', issuer: notCa });
		api.organization.addCertificate({ content: root.pem, activeInOrganization: true });
		expect(await probe('proj_a', client(underLeaf, notCa))).toMatchObject({
			accepted: false,
			code: 'certificate_verification_failed',
		});
	});

	it('follows activation and deactivation at once, and refuses unknown keys', async () => {
		const certificate = api.organization.addCertificate({ content: root.pem });
		expect(await probe('proj_a', client(viaOther))).toMatchObject({ accepted: true });
		api.organization.activeInProject.get('proj_a')!.add(certificate.id);
		expect(await probe('proj_a', client(viaOther))).toMatchObject({ accepted: false });
		api.organization.activeInProject.get('proj_a')!.delete(certificate.id);
		expect(await probe('proj_a', client(viaOther))).toMatchObject({ accepted: true });
		expect(await probe('proj_unknown')).toMatchObject({ status: 401, code: 'invalid_api_key' });
		expect(api.mtls.log.map((entry) => entry.status)).toEqual([200, 401, 200, 401]);
	});
});
