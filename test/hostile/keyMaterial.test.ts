import fc from 'fast-check';

import {
	certificateBlocks,
	encodeCertificate,
	keyMaterialBesides,
	MAX_INPUT_BYTES,
	pemBlocks,
} from '../../nodes/OpenAiCertificates/helpers/pem';
import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

/**
 * Only the certificate blocks that were parsed and checked are sent, re-encoded; anything else that could
 * be key material is refused and named; the PEM scan is linear and the size limit comes before it; a 2xx
 * answer that echoes the key is redacted in the output.
 */
describe('Upload and Rotate send certificates, nothing else', () => {
	const fake = useFakeAdminApi();
	let ca: GeneratedCertificate;
	let other: GeneratedCertificate;
	beforeAll(() => {
		ca = makeCertificate({ ca: true, commonName: 'Hostile Test CA', key: 'rsa' });
		other = makeCertificate({ ca: true, commonName: 'Old CA', key: 'ec' });
	});

	const keyBase64 = () => ca.keyPem.split('\n').slice(1, -2).join('\n');
	const sent = () =>
		fake.api.log
			.filter((request) => request.method === 'POST')
			.map((request) => (request.body as { certificate: string }).certificate);
	const upload = (certificate: string, options: Record<string, unknown> = {}) =>
		fake.run({
			parameters: { resource: 'certificate', operation: 'upload', certificate, options },
		});

	// Key material that no longer looks like a PEM key: its armour damaged, or stripped to bare base64.
	const damagedKeys: Array<[string, () => string]> = [
		['four dashes', () => ca.keyPem.replace(/-----/g, '----')],
		[
			'lower case',
			() =>
				ca.keyPem
					.replace('BEGIN PRIVATE KEY', 'begin private key')
					.replace('END PRIVATE KEY', 'end private key'),
		],
		['a tab in the label', () => ca.keyPem.replace('BEGIN PRIVATE KEY', 'BEGIN\tPRIVATE KEY')],
		['Unicode hyphens', () => ca.keyPem.replace(/-----/g, '\u2010\u2010\u2010\u2010\u2010')],
		['bare base64', () => keyBase64()],
		[
			'relabelled as a certificate request',
			() => ca.keyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE REQUEST'),
		],
	];

	it.each(damagedKeys)(
		'refuses a CA followed by a private key with %s, naming what it found, sending nothing',
		async (_name, key) => {
			for (const options of [{}, { skipLocalChecks: true }]) {
				const { error } = await upload(`${ca.pem}${key()}\n`, options);
				expect(error?.message).toMatch(
					/contains .*(PEM line|private key|base64 data|certificate request).*; nothing was sent/,
				);
				expect(`${error?.message} ${error?.description}`).not.toContain(keyBase64().split('\n')[0]);
			}
			expect(fake.api.log).toHaveLength(0);
		},
	);

	it('Rotate refuses the same input before any request', async () => {
		const old = fake.api.organization.addCertificate({ content: other.pem });
		const { error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator(old.id),
				certificate: `${ca.pem}${keyBase64()}`,
			},
		});
		expect(error?.message).toMatch(
			/base64 data outside any certificate block, which could be key material; nothing was sent/,
		);
		expect(fake.api.log).toHaveLength(0);
	});

	it('sends the certificate re-encoded: comments, Windows line ends and odd wrapping are not sent', async () => {
		const body = ca.pem.split('\n').slice(1, -2).join('');
		const messy = `subject=CN = Hostile Test CA\r\n\r\n-----BEGIN CERTIFICATE-----\r\n${body.match(/.{1,76}/g)!.join('\r\n')}\r\n-----END CERTIFICATE-----\r\ntrailing words\r\n`;
		const { error } = await upload(messy);
		expect(error).toBeUndefined();
		expect(sent()).toEqual([ca.pem]);
	});

	it('refuses a certificate block that carries bytes after the certificate, even with Skip Local Checks', async () => {
		const der = Buffer.from(ca.pem.split('\n').slice(1, -2).join(''), 'base64');
		const smuggled = encodeCertificate(Buffer.concat([der, Buffer.from(ca.keyPem)]));
		const { error } = await upload(smuggled, { skipLocalChecks: true });
		expect(error?.message).toMatch(
			/holds \d+ bytes besides the certificate|not a parseable X\.509 certificate/,
		);
		expect(fake.api.log).toHaveLength(0);
	});

	it('property: whatever is appended to a CA, either nothing is sent or exactly the re-encoded CA is; when every piece is harmless, it is sent', async () => {
		const base64Line = fc.stringMatching(/^[A-Za-z0-9+/]{40,64}$/);
		// Harmless pieces (blank lines, comments, openssl's Bag Attributes and issuer lines) never stop an upload.
		const harmless = fc
			.constantFrom(
				'',
				'\n',
				'# a comment\n',
				'Bag Attributes\n    friendlyName: ca\n',
				'issuer=CN = Hostile Test CA\n',
			)
			.map((text) => ({ text, harmless: true }));
		const suspicious = fc
			.oneof(
				base64Line.map((line) => `${line}\n`),
				fc
					.tuple(
						fc.constantFrom('-----', '----', '\u2014\u2014\u2014', '- - -'),
						fc.constantFrom('BEGIN', 'begin', 'END'),
						fc.constantFrom(' PRIVATE KEY', ' RSA PRIVATE KEY', ' EC PARAMETERS', ''),
					)
					.map(([dashes, word, label]) => `${dashes}${word}${label}${dashes}\n`),
				fc.string({ maxLength: 30 }),
			)
			.map((text) => ({ text, harmless: false }));
		const noise = fc.oneof(harmless, suspicious);
		let sentWhenHarmless = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(noise, { maxLength: 4 }),
				fc.array(noise, { maxLength: 4 }),
				async (before, after) => {
					fake.api.log.length = 0;
					const pieces = [...before, ...after];
					const text = (list: typeof pieces) => list.map((piece) => piece.text).join('');
					const input = `${text(before)}${ca.pem}${text(after)}`;
					const { error } = await upload(input, { skipLocalChecks: true });
					const uploaded = sent();
					if (pieces.every((piece) => piece.harmless)) {
						expect(error).toBeUndefined();
						expect(uploaded).toEqual([ca.pem]);
						sentWhenHarmless += 1;
					} else if (error) expect(uploaded).toEqual([]);
					else expect(uploaded).toEqual([ca.pem]);
					// Nothing of the input beyond the certificate itself ever travels.
					for (const body of uploaded)
						expect(
							certificateBlocks(body)
								.map((block) => block.text + '\n')
								.join(''),
						).toBe(body);
				},
			),
			// The CA alone, and with harmless pieces, always among the runs.
			{
				numRuns: 40,
				examples: [
					[[], []],
					[[{ text: '# a comment\n', harmless: true }], [{ text: '\n', harmless: true }]],
				],
			},
		);
		// The harmless branch ran (a node refusing everything fails above).
		expect(sentWhenHarmless).toBeGreaterThan(0);
	});

	it('refuses input over the size limit before parsing it', async () => {
		const huge = '-----BEGIN CERTIFICATE-----\n'.repeat(Math.ceil(MAX_INPUT_BYTES / 28) + 1);
		const { error } = await upload(huge, { skipLocalChecks: true });
		expect(error?.message).toMatch(
			/is \d+ bytes, more than the 1 MB this node reads; nothing was sent/,
		);
		expect(fake.api.log).toHaveLength(0);
	});

	it('a 2xx answer that echoes the key is redacted in the output', async () => {
		const certificate = fake.api.organization.addCertificate({
			name: `echo ${fake.api.apiKey} and sk-admin-someoneelse0123456789`,
		});
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator(certificate.id),
			},
		});
		expect(error).toBeUndefined();
		expect(JSON.stringify(items)).not.toContain(fake.api.apiKey);
		expect(JSON.stringify(items)).not.toContain('sk-admin-someoneelse');
		expect(items[0].json.name).toBe('echo [redacted] and sk-[redacted]');
	});
});

describe('The PEM scan is linear', () => {
	// The worst case for a naive scan: repeated BEGIN lines (quadratic: ~12 s for 1 MB, hours for 10 MB).
	// Here 16 MB of them, far past any input limit, must finish within Jest's default test timeout.
	it.each([
		['BEGIN lines without END', '-----BEGIN CERTIFICATE-----\n'],
		[
			'BEGIN lines with unmatched labels',
			'-----BEGIN CERTIFICATE-----\n-----END PRIVATE KEY-----\n',
		],
		['dashes without end', '-'.repeat(1000)],
		['damaged armour', '\u2010\u2010 begin '],
	])('on %s', (_name, unit) => {
		const text = unit.repeat(Math.ceil((16 * 1024 * 1024) / unit.length));
		expect(pemBlocks(text)).toEqual([]);
		expect(Array.isArray(keyMaterialBesides(text))).toBe(true);
	});

	it('property: finds exactly the well-formed blocks, whatever surrounds them', () => {
		const block = fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'X509 CRL').chain((label) =>
			fc.stringMatching(/^[A-Za-z0-9+/=\n]{0,80}$/).map((body) => ({
				label,
				text: `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`,
			})),
		);
		const filler = fc.stringMatching(/^[^-]{0,40}$/);
		fc.assert(
			fc.property(fc.array(fc.tuple(filler, block)), filler, (parts, tail) => {
				const text =
					parts.map(([before, { text: blockText }]) => before + blockText).join('') + tail;
				expect(pemBlocks(text).map(({ label, text: found }) => ({ label, text: found }))).toEqual(
					parts.map(([, found]) => found),
				);
			}),
		);
	});
});
