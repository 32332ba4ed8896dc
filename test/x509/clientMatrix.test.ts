import type { CertificateOptions } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { clientAcceptedBy } from '../../nodes/OpenAiCertificates/helpers/chain';
import { clientLeafWarnings } from '../../nodes/OpenAiCertificates/helpers/clientCertificate';
import { X509Certificate } from 'node:crypto';
import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import { probeMtlsHost } from '../support/mtlsProbe';

/**
 * The guard's "accepted" and OpenAI's (the sandbox's mTLS host, judged by OpenSSL with the guide's checks)
 * agree on every client certificate: good ones and ones with each defect the Mutual TLS guide names.
 */
describe('Client certificates: the lockout guard and the mTLS host judge them alike', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const ca = makeCertificate({ ca: true, commonName: 'Matrix CA' });
	const intermediate = makeCertificate({ ca: true, commonName: 'Matrix issuing CA', issuer: ca });
	const other = makeCertificate({ ca: true, commonName: 'Other CA' });
	const HOUR = 3600;
	const leaf = (name: string, options: CertificateOptions = {}) =>
		makeCertificate({ commonName: name, issuer: ca, freshKey: true, ...options });
	const viaIntermediate = makeCertificate({
		commonName: 'via intermediate',
		issuer: intermediate,
		freshKey: true,
	});
	const clients: Array<[string, { pem: string; keyPem: string }, boolean]> = [
		['a client certificate with everything', leaf('complete'), true],
		[
			'no Authority Key Identifier',
			leaf('no AKI', { leafExtensions: { authorityKeyIdentifier: 'none' } }),
			false,
		],
		[
			'for servers only (EKU serverAuth)',
			leaf('server only', { leafExtensions: { extendedKeyUsage: 'serverAuth' } }),
			false,
		],
		[
			'Key Usage without Digital Signature',
			leaf('no DS', { leafExtensions: { keyUsage: 'critical,keyEncipherment' } }),
			false,
		],
		['expired', leaf('expired', { notBeforeOffset: -2 * HOUR, notAfterOffset: -HOUR }), false],
		['not valid yet', leaf('future', { notBeforeOffset: HOUR, notAfterOffset: 2 * HOUR }), false],
		[
			'issued by another CA',
			makeCertificate({ commonName: 'stranger', issuer: other, freshKey: true }),
			false,
		],
		[
			'through an intermediate it sends',
			{ pem: `${viaIntermediate.pem}${intermediate.pem}`, keyPem: viaIntermediate.keyPem },
			true,
		],
		['through an intermediate it does not send', viaIntermediate, false],
		[
			'no Extended Key Usage at all',
			leaf('no EKU', { leafExtensions: { extendedKeyUsage: null } }),
			true,
		],
		['no Key Usage at all', leaf('no KU', { leafExtensions: { keyUsage: null } }), true],
	];

	it.each(
		clients.map(([name, client, expected]) => [
			`${name}: ${expected ? 'accepted' : 'refused'} by both`,
			client,
			expected,
		]) as typeof clients,
	)('%s', async (_name, client, expected) => {
		fake.api.organization.addProject({ id: 'proj_a' });
		fake.api.organization.addCertificate({ content: ca.pem, activeInProjects: ['proj_a'] });
		const guard = clientAcceptedBy(client.pem, ca.pem, Math.floor(Date.now() / 1000));
		const host = await probeMtlsHost(fake.api.mtls, 'proj_a', {
			certificatePem: client.pem,
			keyPem: client.keyPem,
		});
		expect([guard.accepted, host.accepted]).toEqual([expected, expected]);
		if (!expected)
			expect(host.code).toMatch(/^(invalid_certificate|certificate_verification_failed)$/);
	});

	it("the help centre's extra requirements are warnings, not refusals", () => {
		const complete = new X509Certificate(
			makeCertificate({
				commonName: 'with SAN',
				issuer: ca,
				leafExtensions: { subjectAltName: 'DNS:worker.example.com' },
			}).pem,
		);
		expect(clientLeafWarnings(complete)).toEqual([]);
		const bare = new X509Certificate(
			leaf('bare', { leafExtensions: { extendedKeyUsage: null, keyUsage: null } }).pem,
		);
		expect(clientLeafWarnings(bare)).toEqual([
			'no Key Usage Digital Signature + Key Encipherment, no Extended Key Usage TLS Web Client Authentication, no Subject Alternative Name: the help centre asks for them, the newer Mutual TLS guide does not',
		]);
	});
});
