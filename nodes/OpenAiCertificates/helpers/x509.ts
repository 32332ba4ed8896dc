/**
 * What can be known about a certificate locally, with Node's X509Certificate, and OpenAI's guidance
 * for organization certificates turned into checks: a parseable CA with the required extensions
 * (helpers/caExtensions.ts), valid now and for more than a day, under 16 KB, one certificate unless
 * chains are allowed. Pure: "now" is an argument.
 */
import { X509Certificate } from 'node:crypto';

import type { ExtensionCheck } from './caExtensions';
import { caExtensionFix, caExtensionProblems, EXTENSION_CHECKS, saysCa } from './caExtensions';
import { daysUntil, SECONDS_PER_DAY } from './dates';
import type { PemBlock } from './pem';
import { byteLength, certificateBlocks, decodedLength, MAX_CERTIFICATE_BYTES } from './pem';

export interface ParsedDetails {
	subject: string;
	issuer: string;
	serialNumber: string;
	fingerprint256: string;
	isCA: boolean;
	keyType: string;
	keySize?: number;
	curve?: string;
	notBefore: string;
	notAfter: string;
	daysUntilExpiry: number;
	[key: string]: string | number | boolean | undefined;
}

export type CheckName = 'parse' | 'ca' | ExtensionCheck | 'validity' | 'size' | 'chain';

/** What Skip Local Checks skips. 'parse' is never skipped: a block that is not exactly one X.509 certificate could be anything, key material included, and is never sent. */
export const SKIPPABLE_CHECKS: CheckName[] = [
	'ca',
	...EXTENSION_CHECKS,
	'validity',
	'size',
	'chain',
];

export interface CheckFailure {
	check: CheckName;
	/** What is wrong. */
	problem: string;
	/** What to do about it. */
	fix: string;
}

/** "CN=x\nO=y" (Node's form) as "CN=x, O=y". */
/** A distinguished name on one line ("CN=…, O=…"), as Node prints it over several. */
export function oneLine(name: string): string {
	return name.split('\n').filter(Boolean).join(', ');
}

function seconds(date: string): number {
	return Math.floor(Date.parse(date) / 1000);
}

export function parseCertificate(pem: string): X509Certificate | undefined {
	try {
		return new X509Certificate(pem);
	} catch {
		return undefined;
	}
}

export function certificateDetails(
	certificate: X509Certificate,
	nowSeconds: number,
): ParsedDetails {
	const key = certificate.publicKey;
	const keyDetails = key.asymmetricKeyDetails ?? {};
	const details: ParsedDetails = {
		subject: oneLine(certificate.subject),
		issuer: oneLine(certificate.issuer),
		serialNumber: certificate.serialNumber.toUpperCase(),
		fingerprint256: certificate.fingerprint256,
		isCA: certificate.ca,
		keyType: key.asymmetricKeyType ?? 'unknown',
		notBefore: new Date(Date.parse(certificate.validFrom)).toISOString(),
		notAfter: new Date(Date.parse(certificate.validTo)).toISOString(),
		daysUntilExpiry: daysUntil(seconds(certificate.validTo), nowSeconds),
	};
	if (keyDetails.modulusLength !== undefined) details.keySize = keyDetails.modulusLength;
	if (keyDetails.namedCurve !== undefined) details.curve = keyDetails.namedCurve;
	return details;
}

/** Validity of a certificate in Unix seconds, as the API reports valid_at/expires_at. */
export function validityOf(certificate: X509Certificate): { validAt: number; expiresAt: number } {
	return { validAt: seconds(certificate.validFrom), expiresAt: seconds(certificate.validTo) };
}

/** A fingerprint as hex without separators, lower case, for comparing. */
export function normalizeFingerprint(value: string): string {
	return value.replace(/[:\s-]/g, '').toLowerCase();
}

function truncated(block: PemBlock): string {
	const text = block.text.replace(/\s+/g, ' ');
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const REEXPORT =
	'Export the certificate again in PEM format, e.g. openssl x509 -in ca.crt -out ca.pem';

/** One certificate block: exactly one certificate, or why it is not. */
function parseBlock(block: PemBlock): { certificate: X509Certificate } | { failure: CheckFailure } {
	const certificate = parseCertificate(block.text);
	const extra = certificate ? decodedLength(block) - certificate.raw.length : 0;
	if (certificate && extra === 0) return { certificate };
	if (certificate) {
		return {
			failure: {
				check: 'parse',
				problem: `a certificate block holds ${extra} bytes besides the certificate (${truncated(block)})`,
				fix: `${REEXPORT}; a block must hold one certificate and nothing else.`,
			},
		};
	}
	return {
		failure: {
			check: 'parse',
			problem: `a certificate block is not a parseable X.509 certificate (${truncated(block)})`,
			fix: `${REEXPORT}.`,
		},
	};
}

/** Whether it is valid now and for more than a day. */
function validityFailure(
	certificate: X509Certificate,
	nowSeconds: number,
): CheckFailure | undefined {
	const { validAt, expiresAt } = validityOf(certificate);
	const name = `"${oneLine(certificate.subject)}"`;
	if (expiresAt <= nowSeconds) {
		return {
			check: 'validity',
			problem: `${name} expired on ${certificate.validTo}`,
			fix: 'Upload a CA certificate that is still valid.',
		};
	}
	if (validAt > nowSeconds) {
		return {
			check: 'validity',
			problem: `${name} is not valid yet (from ${certificate.validFrom})`,
			fix: 'Upload it once it is valid, or check the clock of the machine that issued it.',
		};
	}
	if (expiresAt <= nowSeconds + SECONDS_PER_DAY) {
		return {
			check: 'validity',
			problem: `${name} expires within a day (${certificate.validTo})`,
			fix: 'OpenAI refuses certificates that expire within a day: upload a newer CA certificate.',
		};
	}
	return undefined;
}

/** What a CA lacks of the extensions OpenAI requires, each with the openssl lines that add them all. */
function extensionFailures(certificate: X509Certificate): CheckFailure[] {
	const problems = caExtensionProblems(certificate);
	const fix = caExtensionFix(problems.map((found) => found.check));
	const name = `"${oneLine(certificate.subject)}"`;
	return problems.map(({ check, problem }) => ({ check, problem: `${name} ${problem}`, fix }));
}

/** What is wrong with one parsed certificate: not a CA (or one without the required extensions), not valid now or for long enough. */
function certificateFailures(certificate: X509Certificate, nowSeconds: number): CheckFailure[] {
	const failures: CheckFailure[] = [];
	if (!certificate.ca && !saysCa(certificate)) {
		failures.push({
			check: 'ca',
			problem: `"${oneLine(certificate.subject)}" is not a CA (its basicConstraints lack CA:TRUE): this looks like a client (leaf) certificate`,
			fix: `Upload the CA that issued it: "${oneLine(certificate.issuer)}".`,
		});
	} else {
		failures.push(...extensionFailures(certificate));
	}
	const validity = validityFailure(certificate, nowSeconds);
	if (validity) failures.push(validity);
	return failures;
}

/**
 * What is wrong with the PEM as a whole: its size, and more than one certificate — OpenAI's Mutual TLS
 * guide: a certificate object is one trust anchor, and of a PEM holding several only the first is used.
 */
function pemFailures(pem: string, blockCount: number): CheckFailure[] {
	const failures: CheckFailure[] = [];
	const bytes = byteLength(pem);
	if (bytes > MAX_CERTIFICATE_BYTES) {
		failures.push({
			check: 'size',
			problem: `it is ${bytes} bytes, more than OpenAI's limit of 16 KB`,
			fix: 'Upload only the CA certificate that issues your client certificates, not a client (leaf) certificate or a long chain.',
		});
	}
	if (blockCount > 1) {
		failures.push({
			check: 'chain',
			problem: `it holds ${blockCount} certificates, and OpenAI uses only the first of a PEM as the trust anchor (the rest would be dropped without a word)`,
			fix: 'Upload each anchor on its own: the CA your client certificates chain to. Clients send their intermediates in the TLS handshake, after their own certificate.',
		});
	}
	return failures;
}

/** Every way the PEM falls short of OpenAI's guidance (an empty list when it is fine to upload). */
export function checkCertificatePem(
	pem: string,
	nowSeconds: number,
): { failures: CheckFailure[]; certificates: X509Certificate[] } {
	const blocks = certificateBlocks(pem).map(parseBlock);
	const certificates = blocks.flatMap((block) =>
		'certificate' in block ? [block.certificate] : [],
	);
	const failures = [
		...blocks.flatMap((block) => ('failure' in block ? [block.failure] : [])),
		...certificates.flatMap((certificate) => certificateFailures(certificate, nowSeconds)),
		...pemFailures(pem, blocks.length),
	];
	return { failures, certificates };
}
