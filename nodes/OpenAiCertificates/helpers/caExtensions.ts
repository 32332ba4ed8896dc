/**
 * The extensions OpenAI's help centre requires of an uploaded CA ("OpenAI Mutual TLS Beta Program", CA
 * certificate requirements): a Subject Key Identifier, an Authority Key Identifier in KeyIdentifier
 * format, and Key Usage with Certificate Sign and CRL Sign. Read from the DER (helpers/der.ts); pure.
 */
import type { X509Certificate } from 'node:crypto';

import { bitSet, certificateExtensions, EXTENSION_OIDS, octetString, sequenceItems } from './der';

export type ExtensionCheck = 'subjectKeyIdentifier' | 'authorityKeyIdentifier' | 'keyUsage';

export const EXTENSION_CHECKS: ExtensionCheck[] = [
	'subjectKeyIdentifier',
	'authorityKeyIdentifier',
	'keyUsage',
];

const {
	subjectKeyIdentifier: SUBJECT_KEY_IDENTIFIER,
	keyUsage: KEY_USAGE,
	basicConstraints: BASIC_CONSTRAINTS,
	authorityKeyIdentifier: AUTHORITY_KEY_IDENTIFIER,
} = EXTENSION_OIDS;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;
/** AuthorityKeyIdentifier's keyIdentifier: [0] IMPLICIT OCTET STRING. */
const KEY_IDENTIFIER_TAG = 0x80;

/** The openssl extension line that adds what each check wants. */
const OPENSSL_LINES: Record<ExtensionCheck, string> = {
	subjectKeyIdentifier: 'subjectKeyIdentifier = hash',
	authorityKeyIdentifier: 'authorityKeyIdentifier = keyid:always',
	keyUsage: 'keyUsage = critical, keyCertSign, cRLSign',
};

export interface ExtensionProblem {
	check: ExtensionCheck;
	problem: string;
}

function authorityKeyProblem(value: Uint8Array | undefined): string | undefined {
	if (!value) return 'has no Authority Key Identifier extension';
	const keyId = sequenceItems(value).find((item) => item.tag === KEY_IDENTIFIER_TAG);
	return keyId && keyId.end > keyId.start
		? undefined
		: 'has an Authority Key Identifier without a key identifier (OpenAI requires the KeyIdentifier format)';
}

function keyUsageProblem(value: Uint8Array | undefined): string | undefined {
	if (!value) return 'has no Key Usage extension (OpenAI requires Certificate Sign and CRL Sign)';
	const missing = [
		bitSet(value, KEY_CERT_SIGN) ? undefined : 'Certificate Sign',
		bitSet(value, CRL_SIGN) ? undefined : 'CRL Sign',
	].filter((name): name is string => name !== undefined);
	return missing.length ? `has a Key Usage without ${missing.join(' and ')}` : undefined;
}

/**
 * Whether basicConstraints says CA:TRUE. Node's `ca` is also false for a CA:TRUE certificate whose Key
 * Usage lacks Certificate Sign; such a certificate is a CA with the wrong Key Usage, not a leaf.
 */
export function saysCa(certificate: X509Certificate): boolean {
	const value = certificateExtensions(certificate.raw).get(BASIC_CONSTRAINTS)?.value;
	const [flag] = value ? sequenceItems(value) : [];
	return flag?.tag === 0x01 && flag.end > flag.start && value![flag.start] !== 0;
}

/** What the CA lacks of the required extensions (an empty list when it has them all). */
export function caExtensionProblems(certificate: X509Certificate): ExtensionProblem[] {
	const extensions = certificateExtensions(certificate.raw);
	const value = (oid: string) => extensions.get(oid)?.value;
	const subjectKey = value(SUBJECT_KEY_IDENTIFIER);
	const problems: Record<ExtensionCheck, string | undefined> = {
		subjectKeyIdentifier:
			subjectKey && octetString(subjectKey)?.length
				? undefined
				: 'has no Subject Key Identifier extension',
		authorityKeyIdentifier: authorityKeyProblem(value(AUTHORITY_KEY_IDENTIFIER)),
		keyUsage: keyUsageProblem(value(KEY_USAGE)),
	};
	return EXTENSION_CHECKS.flatMap((check) =>
		problems[check] === undefined ? [] : [{ check, problem: problems[check] }],
	);
}

/** How to fix them: the openssl extension lines to reissue the CA with. */
export function caExtensionFix(checks: ExtensionCheck[]): string {
	const lines = checks.map((check) => OPENSSL_LINES[check]);
	return (
		`OpenAI requires a CA with a Subject Key Identifier, an Authority Key Identifier (keyid) and Key Usage Certificate Sign + CRL Sign. ` +
		`Reissue the CA with these lines in its openssl extension section (e.g. [ v3_ca ], used with -extensions v3_ca): ${lines.join('; ')}.`
	);
}
