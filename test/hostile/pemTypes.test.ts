import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

/**
 * A PEM block that is not a certificate is named by its full type, with the fix, and nothing is sent — by
 * Upload and by Rotate, with or without Skip Local Checks. The blocks are real: made by openssl and Node
 * from a real CA and its key.
 */
describe('PEM blocks that are not certificates are named', () => {
	const fake = useFakeAdminApi();
	let ca: GeneratedCertificate;
	const made: Record<string, string> = {};

	const openssl = (dir: string, args: string[], out: string) => {
		execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
		return readFileSync(join(dir, out), 'utf8');
	};

	beforeAll(() => {
		ca = makeCertificate({ ca: true, commonName: 'PEM Types CA' });
		const dir = mkdtempSync(join(tmpdir(), 'pem-types-'));
		try {
			writeFileSync(join(dir, 'ca.pem'), ca.pem);
			writeFileSync(join(dir, 'ca.key'), ca.keyPem);
			made.request = openssl(
				dir,
				['req', '-new', '-key', 'ca.key', '-subj', '/CN=Request', '-out', 'r.csr'],
				'r.csr',
			);
			made.pkcs7 = openssl(
				dir,
				['crl2pkcs7', '-nocrl', '-certfile', 'ca.pem', '-out', 'b.p7b'],
				'b.p7b',
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		const key = createPrivateKey(ca.keyPem);
		made.publicKey = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
		made.encryptedKey = key
			.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
			.toString();
		made.privateKey = ca.keyPem;
	});

	const cases: Array<[string, string, RegExp, RegExp]> = [
		[
			'request',
			'a certificate request \\(BEGIN CERTIFICATE REQUEST\\)',
			/upload the CA certificate that signs it/,
			/-----BEGIN CERTIFICATE REQUEST-----/,
		],
		['pkcs7', 'a PKCS#7 bundle \\(BEGIN PKCS7\\)', /openssl pkcs7 -print_certs/, /BEGIN PKCS7/],
		[
			'publicKey',
			'a public key \\(BEGIN PUBLIC KEY\\)',
			/give the CA certificate that holds it/,
			/BEGIN PUBLIC KEY/,
		],
		[
			'encryptedKey',
			'an encrypted private key \\(BEGIN ENCRYPTED PRIVATE KEY\\)',
			/must never be uploaded/,
			/BEGIN ENCRYPTED PRIVATE KEY/,
		],
		[
			'privateKey',
			'a private key \\(BEGIN PRIVATE KEY\\)',
			/must never be uploaded/,
			/BEGIN PRIVATE KEY/,
		],
	];

	it.each(cases)(
		'Upload refuses %s alone and after a CA, naming it in full with the fix, sending nothing',
		async (kind, name, fix, header) => {
			expect(made[kind]).toMatch(header);
			for (const certificate of [made[kind], `${ca.pem}${made[kind]}`]) {
				for (const options of [{}, { skipLocalChecks: true }]) {
					const { error } = await fake.run({
						parameters: { resource: 'certificate', operation: 'upload', certificate, options },
					});
					expect(error?.message).toMatch(
						new RegExp(`^The Certificate field of item 0 contains ${name}; nothing was sent$`),
					);
					expect(error?.description).toMatch(fix);
					const body = made[kind].split('\n')[1];
					expect(`${error?.message} ${error?.description}`).not.toContain(body);
				}
			}
			expect(fake.api.log).toHaveLength(0);
		},
	);

	it('names every kind it found when several are given, and Rotate refuses the same before any request', async () => {
		const old = fake.api.organization.addCertificate();
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator(old.id),
				certificate: `${made.request}${made.pkcs7}`,
			},
		});
		expect(error?.message).toBe(
			'The Certificate field of item 0 contains a certificate request (BEGIN CERTIFICATE REQUEST), and a PKCS#7 bundle (BEGIN PKCS7); nothing was sent',
		);
		expect(error?.description).toMatch(/signs it.*openssl pkcs7 -print_certs/);
		expect(fake.api.log).toHaveLength(0);
	});

	it('a block of a type it does not know is named by its BEGIN line', async () => {
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				certificate: `${ca.pem}-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n-----BEGIN FOO BAR-----\nAAAA\n-----END FOO BAR-----\n`,
			},
		});
		expect(error?.message).toMatch(
			/contains a certificate revocation list \(BEGIN X509 CRL\), and a PEM block that is not a certificate \(BEGIN FOO BAR\); nothing was sent/,
		);
		expect(fake.api.log).toHaveLength(0);
	});
});
