import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

const HOUR = 3600;
const DAY = 86_400;

describe('Local X.509 checks before Upload', () => {
	const fake = useFakeAdminApi();
	let root: GeneratedCertificate;
	let intermediate: GeneratedCertificate;
	let leaf: GeneratedCertificate;
	let rsaCa: GeneratedCertificate;

	beforeAll(() => {
		root = makeCertificate({ ca: true, commonName: 'Example Root CA', key: 'ec' });
		intermediate = makeCertificate({ ca: true, commonName: 'Example Issuing CA', issuer: root });
		leaf = makeCertificate({ ca: false, commonName: 'client.example.com', issuer: intermediate });
		rsaCa = makeCertificate({ ca: true, commonName: 'Example RSA CA', key: 'rsa' });
	});

	// Each upload first lists the organization's certificates (the 50-certificate check): only the POSTs count here.
	const uploads = () => fake.api.log.filter((request) => request.method === 'POST');
	const upload = (certificate: string, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: { resource: 'certificate', operation: 'upload', certificate, options },
		});

	it.each([
		['a root CA (EC)', () => root.pem],
		['an intermediate CA', () => intermediate.pem],
		['an RSA CA', () => rsaCa.pem],
	])('accepts %s and uploads it byte for byte', async (_name, pem) => {
		const { error, items } = await upload(pem());
		expect(error).toBeUndefined();
		expect(uploads()).toHaveLength(1);
		expect((uploads()[0].body as { certificate: string }).certificate).toBe(pem());
		expect(fake.api.organization.certificates.get(items[0].json.id as string)?.content).toBe(pem());
	});

	const refusals: Array<[string, () => string, Record<string, unknown>, RegExp, RegExp]> = [
		[
			'a client (leaf) certificate, naming its issuer',
			() => leaf.pem,
			{},
			/"CN=client\.example\.com, .*" is not a CA .* this looks like a client \(leaf\) certificate/,
			/Upload the CA that issued it: "CN=Example Issuing CA/,
		],
		[
			'an expired CA',
			() => makeCertificate({ ca: true, notBeforeOffset: -30 * DAY, notAfterOffset: -DAY }).pem,
			{},
			/expired on/,
			/still valid/,
		],
		[
			'a CA expiring within the hour',
			() => makeCertificate({ ca: true, notAfterOffset: HOUR }).pem,
			{},
			/expires within a day/,
			/newer CA/,
		],
		[
			'a CA not valid yet',
			() => makeCertificate({ ca: true, notBeforeOffset: 2 * DAY, notAfterOffset: 400 * DAY }).pem,
			{},
			/not valid yet/,
			/once it is valid/,
		],
		[
			'a chain',
			() => `${intermediate.pem}${root.pem}`,
			{},
			/holds 2 certificates, and OpenAI uses only the first of a PEM as the trust anchor/,
			/Upload each anchor on its own/,
		],
		[
			'a file over 16 KB',
			() => `${'# '.repeat(8500)}\n${root.pem}`,
			{},
			/more than OpenAI's limit of 16 KB/,
			/not a client \(leaf\) certificate/,
		],
	];

	it.each(refusals)(
		'refuses %s with a fix, sending nothing',
		async (_name, pem, options, message, fix) => {
			const { error } = await upload(pem(), options);
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toMatch(
				/^The certificate in the Certificate field of item 0 was not sent: /,
			);
			expect(error?.message).toMatch(message);
			expect(error?.description).toMatch(fix);
			expect(error?.description).toMatch(/turn on Skip Local Checks/);
			expect(fake.api.log).toHaveLength(0);
		},
	);

	it('refuses an unparseable certificate block, shown truncated, even with Skip Local Checks: it could hold anything', async () => {
		for (const options of [{}, { skipLocalChecks: true }]) {
			const { error } = await upload(
				'-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
				options,
			);
			expect(error?.message).toMatch(
				/not a parseable X\.509 certificate \(-----BEGIN CERTIFICATE----- Tm90IGEgY2VydGlmaWNhdGU= -----END CERTIFICATE-----\)/,
			);
			expect(error?.description).toMatch(/PEM format/);
			expect(error?.description).not.toMatch(/Skip Local Checks/);
		}
		expect(fake.api.log).toHaveLength(0);
	});

	it('refuses a PEM holding a private key, even with Skip Local Checks, never showing the key', async () => {
		for (const options of [{}, { skipLocalChecks: true }]) {
			const { error } = await upload(`${root.pem}${root.keyPem}`, options);
			expect(error?.message).toMatch(
				/contains a private key \(BEGIN PRIVATE KEY\); nothing was sent/,
			);
			expect(error?.description).toMatch(/must never be uploaded/);
			const keyBody = root.keyPem.split('\n')[1];
			expect(`${error?.message} ${error?.description}`).not.toContain(keyBody);
		}
		expect(fake.api.log).toHaveLength(0);
	});

	it('refuses a PEM of several certificates: OpenAI keeps only the first as the anchor (Mutual TLS guide)', async () => {
		const { error } = await upload(`${intermediate.pem}${root.pem}`);
		expect(error?.message).toMatch(/holds 2 certificates, and OpenAI uses only the first of a PEM/);
		expect(error?.description).toMatch(
			/Upload each anchor on its own.*intermediates in the TLS handshake/,
		);
		expect(uploads()).toHaveLength(0);
	});

	it('sends anyway with Skip Local Checks, and says which checks were skipped and what they found', async () => {
		const { error, items } = await upload(leaf.pem, { skipLocalChecks: true });
		expect(error).toBeUndefined();
		expect(items[0].json.skippedChecks).toEqual([
			'ca',
			'subjectKeyIdentifier',
			'authorityKeyIdentifier',
			'keyUsage',
			'validity',
			'size',
			'chain',
		]);
		expect(items[0].json.skippedCheckFailures).toEqual([expect.stringMatching(/is not a CA/)]);
		expect((uploads()[0].body as { certificate: string }).certificate).toBe(leaf.pem);
	});
});

/** What openssl itself says about a certificate. */
function opensslView(pem: string) {
	const dir = mkdtempSync(join(tmpdir(), 'openssl-view-'));
	const file = join(dir, 'c.pem');
	writeFileSync(file, pem);
	const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', file], {
		encoding: 'utf8',
	});
	const fingerprint = execFileSync(
		'openssl',
		['x509', '-noout', '-fingerprint', '-sha256', '-in', file],
		{ encoding: 'utf8' },
	);
	const date = (label: string) =>
		new Date(
			/.*: (.*)/.exec(text.split('\n').find((line) => line.includes(label))!)![1].trim(),
		).toISOString();
	return {
		serialNumber: execFileSync('openssl', ['x509', '-noout', '-serial', '-in', file], {
			encoding: 'utf8',
		})
			.trim()
			.replace('serial=', ''),
		fingerprint256: fingerprint.trim().split('=')[1],
		isCA: /CA:TRUE/.test(text),
		algorithm: /Public Key Algorithm: (\S+)/.exec(text)![1],
		notBefore: date('Not Before'),
		notAfter: date('Not After'),
		subjectCn: /Subject: .*CN ?= ?([^,\n]+)/.exec(text)![1].trim(),
		issuerCn: /Issuer: .*CN ?= ?([^,\n]+)/.exec(text)![1].trim(),
	};
}

describe('Certificate details', () => {
	const fake = useFakeAdminApi();

	it.each([
		// Half a day past a whole number of days, so days-until-expiry is not on a boundary while the test runs.
		[
			'an EC CA',
			() =>
				makeCertificate({
					ca: true,
					key: 'ec',
					commonName: 'Details EC CA',
					notAfterOffset: 365.5 * DAY,
				}),
			{ keyType: 'ec', curve: 'prime256v1' },
		],
		[
			'an RSA CA',
			() =>
				makeCertificate({
					ca: true,
					key: 'rsa',
					commonName: 'Details RSA CA',
					notAfterOffset: 365.5 * DAY,
				}),
			{ keyType: 'rsa', keySize: 2048 },
		],
	])('Upload and Get report what openssl says about %s', async (_name, make, key) => {
		const certificate = make();
		const openssl = opensslView(certificate.pem);
		const uploaded = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				certificate: certificate.pem,
				options: { includeDetails: true },
			},
		});
		const details = uploaded.items[0].json.details as Record<string, unknown>;
		expect(details).toMatchObject({
			serialNumber: openssl.serialNumber,
			fingerprint256: openssl.fingerprint256,
			isCA: openssl.isCA,
			keyType: openssl.algorithm === 'rsaEncryption' ? 'rsa' : 'ec',
			notBefore: openssl.notBefore,
			notAfter: openssl.notAfter,
		});
		expect(details.subject).toContain(`CN=${openssl.subjectCn}`);
		expect(details.issuer).toContain(`CN=${openssl.issuerCn}`);
		expect(details).toMatchObject(key);
		expect(details.daysUntilExpiry).toBe(365);

		const sentBefore = fake.api.log.length;
		const got = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator(uploaded.items[0].json.id as string),
				options: { includeDetails: true },
			},
		});
		expect(got.items[0].json.details).toEqual(details);
		// Content was fetched to compute details, but is only output when asked for.
		expect(fake.api.log.slice(sentBefore).map((request) => request.query)).toEqual([
			{ 'include[]': 'content' },
		]);
		expect(
			(got.items[0].json.certificate_details as Record<string, unknown>).content,
		).toBeUndefined();
	});
});

describe('Get Many › Matches Certificate', () => {
	const fake = useFakeAdminApi();

	function seed(count: number) {
		fake.api.organization.maxCertificates = 1000;
		const target = makeCertificate({ ca: true, commonName: 'Vault CA' });
		const targetIndex = Math.floor(count * 0.7);
		let targetId = '';
		let decoyId = '';
		const now = Math.floor(Date.now() / 1000);
		for (let index = 0; index < count; index++) {
			if (index === targetIndex) {
				targetId = fake.api.organization.addCertificate({ content: target.pem }).id;
			} else if (index === 10) {
				// Same validity dates as the target, different certificate: only the fingerprint tells them apart.
				decoyId = fake.api.organization.addCertificate({
					content: makeCertificate({ ca: true }).pem,
				}).id;
			} else {
				fake.api.organization.addCertificate({
					valid_at: now - index * DAY,
					expires_at: now + (400 + index) * DAY,
				});
			}
		}
		const decoy = fake.api.organization.certificates.get(decoyId)!;
		const stored = fake.api.organization.certificates.get(targetId)!;
		decoy.valid_at = stored.valid_at;
		decoy.expires_at = stored.expires_at;
		return { target, targetId, decoyId };
	}

	it('finds the OpenAI ID of a PEM among 150 certificates, fetching content only for same-date candidates', async () => {
		const { target, targetId, decoyId } = seed(150);
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters: { fingerprint256: target.pem },
			},
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.id)).toEqual([targetId]);
		expect(items[0].json.fingerprint256).toBe(opensslView(target.pem).fingerprint256);
		const gets = fake.api.log.filter((request) => request.path !== '/v1/organization/certificates');
		expect(gets.map((request) => request.path).sort()).toEqual(
			[
				`/v1/organization/certificates/${decoyId}`,
				`/v1/organization/certificates/${targetId}`,
			].sort(),
		);
		expect(fake.api.log).toHaveLength(4); // two list pages + two candidates
	});

	it("two items looking up the same PEM: each candidate's content is read once in the execution", async () => {
		const { target, targetId, decoyId } = seed(12);
		const { items, error } = await fake.run({
			items: [{ pem: target.pem }, { pem: target.pem }],
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters: { fingerprint256: '={{ $json.pem }}' },
			},
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => [item.json.id, item.pairedItem])).toEqual([
			[targetId, { item: 0 }],
			[targetId, { item: 1 }],
		]);
		const gets = fake.api.log.filter((request) => request.path !== '/v1/organization/certificates');
		expect(gets.map((request) => request.path).sort()).toEqual(
			[
				`/v1/organization/certificates/${decoyId}`,
				`/v1/organization/certificates/${targetId}`,
			].sort(),
		);
		expect(fake.api.log).toHaveLength(2 + 2); // each item's listing, one content read per candidate
	});

	it('finds it by SHA-256 fingerprint too, with or without colons', async () => {
		const { target, targetId } = seed(12);
		const fingerprint = opensslView(target.pem).fingerprint256;
		for (const value of [fingerprint, fingerprint.replace(/:/g, '').toLowerCase()]) {
			const { items } = await fake.run({
				parameters: {
					resource: 'certificate',
					operation: 'getAll',
					returnAll: true,
					filters: { fingerprint256: value },
				},
			});
			expect(items.map((item) => item.json.id)).toEqual([targetId]);
		}
	});

	it('refuses a value that is neither a fingerprint nor a PEM', async () => {
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters: { fingerprint256: 'abc' },
			},
		});
		expect(error?.message).toMatch(/neither a SHA-256 fingerprint nor a PEM certificate/);
		expect(fake.api.log).toHaveLength(0);
	});
});
