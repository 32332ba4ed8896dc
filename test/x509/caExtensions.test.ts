import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import { caExtensionProblems } from '../../nodes/OpenAiCertificates/helpers/caExtensions';
import { certificateExtensions } from '../../nodes/OpenAiCertificates/helpers/der';
import type { CertificateOptions } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { useFakeAdminApi } from '../support/fakeApi';

/**
 * Upload refuses a CA without the extensions OpenAI's help centre requires of an uploaded CA — a Subject Key
 * Identifier, an Authority Key Identifier (KeyIdentifier format) and Key Usage with Certificate Sign and CRL
 * Sign — naming what is missing and the openssl lines that add it; a CA made with exactly those lines is
 * accepted.
 */

type Changes = NonNullable<CertificateOptions['caExtensions']>;

const DEFECTS: Array<[string, Changes, RegExp]> = [
	[
		// A self-signed CA's keyid Authority Key Identifier is its own Subject Key Identifier: neither then.
		'no Subject Key Identifier (nor, self-signed, a keyid Authority Key Identifier)',
		{ subjectKeyIdentifier: 'none', authorityKeyIdentifier: null },
		/has no Subject Key Identifier extension/,
	],
	[
		'no Authority Key Identifier',
		{ authorityKeyIdentifier: null },
		/has no Authority Key Identifier extension/,
	],
	[
		'an Authority Key Identifier naming only issuer and serial',
		{ authorityKeyIdentifier: 'issuer:always' },
		/has an Authority Key Identifier without a key identifier \(OpenAI requires the KeyIdentifier format\)/,
	],
	['no Key Usage', { keyUsage: null }, /has no Key Usage extension/],
	[
		'a Key Usage without CRL Sign',
		{ keyUsage: 'critical,keyCertSign,digitalSignature' },
		/has a Key Usage without CRL Sign/,
	],
	[
		'a Key Usage with neither Certificate Sign nor CRL Sign',
		{ keyUsage: 'digitalSignature' },
		/has a Key Usage without Certificate Sign and CRL Sign/,
	],
];

/** Which of the three extensions openssl itself finds, and the Key Usage it prints. */
function opensslExtensions(pem: string): { names: string[]; keyUsage?: string } {
	const dir = mkdtempSync(join(tmpdir(), 'openssl-ext-'));
	try {
		writeFileSync(join(dir, 'c.pem'), pem);
		const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'c.pem')], {
			encoding: 'utf8',
		});
		const lines = text.split('\n').map((line) => line.trim());
		const names = ['Subject Key Identifier', 'Authority Key Identifier', 'Key Usage'].filter(
			(name) => lines.some((line) => line.startsWith(`X509v3 ${name}`)),
		);
		const usageAt = lines.findIndex((line) => line.startsWith('X509v3 Key Usage'));
		return { names, keyUsage: usageAt === -1 ? undefined : lines[usageAt + 1] };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('The CA extensions OpenAI requires', () => {
	it('the DER reader finds what openssl finds, in the sandbox CAs and in every defective one', () => {
		const root = makeCertificate({ ca: true });
		const cases = [
			root,
			makeCertificate({ ca: true, key: 'rsa', issuer: root }),
			makeCertificate({ issuer: root }),
			...DEFECTS.map(([, caExtensions]) => makeCertificate({ ca: true, caExtensions })),
		];
		for (const { pem } of cases) {
			const extensions = certificateExtensions(new X509Certificate(pem).raw);
			const ours = [
				['551d0e', 'Subject Key Identifier'],
				['551d23', 'Authority Key Identifier'],
				['551d0f', 'Key Usage'],
			].flatMap(([oid, name]) => (extensions.has(oid) ? [name] : []));
			const openssl = opensslExtensions(pem);
			expect(ours).toEqual(openssl.names);
			const problems = caExtensionProblems(new X509Certificate(pem)).map((found) => found.check);
			expect(problems.includes('keyUsage')).toBe(
				!/Certificate Sign/.test(openssl.keyUsage ?? '') ||
					!/CRL Sign/.test(openssl.keyUsage ?? ''),
			);
		}
		expect(caExtensionProblems(new X509Certificate(root.pem))).toEqual([]);
	});

	it('property: any bytes read as some extensions or none, never a crash', () => {
		const { raw } = new X509Certificate(makeCertificate({ ca: true }).pem);
		fc.assert(
			fc.property(
				fc.uint8Array({ maxLength: 600 }),
				fc.nat(raw.length - 1),
				fc.nat(255),
				(bytes, at, byte) => {
					const damaged = Uint8Array.from(raw);
					damaged[at] = byte;
					for (const der of [bytes, damaged, damaged.subarray(0, at)])
						expect(certificateExtensions(der)).toBeInstanceOf(Map);
				},
			),
		);
	});
});

describe('Upload refuses a CA without them', () => {
	const fake = useFakeAdminApi();
	const upload = (certificate: string, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: { resource: 'certificate', operation: 'upload', certificate, options },
		});
	const posts = () => fake.api.log.filter((request) => request.method === 'POST');

	/** The `name = value` lines the description says to add, as makeCertificate options. */
	const linesOf = (description: string): Changes =>
		Object.fromEntries(
			/extension section[^:]*: (.*?)\. /
				.exec(description)![1]
				.split('; ')
				.map((line) => line.split(' = '))
				.map(([name, value]) => [name, value.replace(/, /g, ',')]),
		);

	it.each(DEFECTS)(
		'a CA with %s: refused before anything is sent, with the openssl line that fixes it',
		async (_name, defect, problem) => {
			const { error } = await upload(
				makeCertificate({ ca: true, commonName: 'Defective CA', caExtensions: defect }).pem,
			);
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toMatch(
				/^The certificate in the Certificate field of item 0 was not sent: /,
			);
			expect(error?.message).toMatch(/"CN=Defective CA, O=[^"]+" /);
			expect(error?.message).toMatch(problem);
			expect(error?.description).toMatch(/OpenAI requires a CA with a Subject Key Identifier/);
			expect(error?.description).toMatch(/turn on Skip Local Checks/);
			expect(posts()).toHaveLength(0);

			const lines = linesOf(error!.description!);
			expect(Object.keys(lines)).toEqual(Object.keys(defect));
			const fixed = makeCertificate({ ca: true, caExtensions: { ...defect, ...lines } }).pem;
			const again = await upload(fixed);
			expect(again.error).toBeUndefined();
			expect((posts()[0].body as { certificate: string }).certificate).toBe(fixed);
		},
	);

	it('names every missing extension of every CA of a chain, with one fix listing all the lines', async () => {
		const root = makeCertificate({ ca: true, caExtensions: { keyUsage: null } });
		const issuing = makeCertificate({
			ca: true,
			issuer: root,
			caExtensions: { subjectKeyIdentifier: 'none', authorityKeyIdentifier: null },
		});
		const { error } = await upload(`${issuing.pem}${root.pem}`);
		expect(error?.message).toMatch(
			/has no Subject Key Identifier extension; .* has no Authority Key Identifier extension; .* has no Key Usage extension/,
		);
		expect(error?.description).toContain(
			'subjectKeyIdentifier = hash; authorityKeyIdentifier = keyid:always.',
		);
		expect(error?.description).toContain('keyUsage = critical, keyCertSign, cRLSign.');
		expect(posts()).toHaveLength(0);
	});

	it('Skip Local Checks sends it anyway and lists the extension checks among the skipped ones, with what they found', async () => {
		const pem = makeCertificate({
			ca: true,
			caExtensions: { subjectKeyIdentifier: 'none', authorityKeyIdentifier: null, keyUsage: null },
		}).pem;
		const { error, items } = await upload(pem, { skipLocalChecks: true });
		expect(error).toBeUndefined();
		// The whole list, in order, is asserted in localChecks.test.ts.
		expect(items[0].json.skippedChecks).toEqual(
			expect.arrayContaining(['subjectKeyIdentifier', 'authorityKeyIdentifier', 'keyUsage']),
		);
		expect(items[0].json.skippedCheckFailures).toEqual([
			expect.stringMatching(/has no Subject Key Identifier extension$/),
			expect.stringMatching(/has no Authority Key Identifier extension$/),
			expect.stringMatching(/has no Key Usage extension/),
		]);
		expect((posts()[0].body as { certificate: string }).certificate).toBe(pem);
	});
});
