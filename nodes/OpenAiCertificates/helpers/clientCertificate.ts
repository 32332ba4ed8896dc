/**
 * What OpenAI asks of a client certificate itself, read from its DER (helpers/der.ts); pure.
 * - Mutual TLS guide (developers.openai.com, api/docs/guides/mutual-tls, read 2026-12-07; the newer source):
 *   valid at request time, usable for client authentication, an Authority Key Identifier (without one the
 *   request is refused as `invalid_certificate`). Usable for client authentication is judged as TLS servers
 *   (OpenSSL's sslclient purpose) judge it: an Extended Key Usage, if present, allows client authentication; a
 *   Key Usage, if present, allows Digital Signature or Key Agreement.
 * - Help centre ("OpenAI Mutual TLS Beta Program", older) also lists a Subject Key Identifier, Key Usage Digital
 *   Signature + Key Encipherment, Extended Key Usage TLS Web Client Authentication and a Subject Alternative
 *   Name. The guide does not require them: they are warnings, not refusals.
 */
import type { X509Certificate } from 'node:crypto';

import { bitSet, certificateExtensions, EXTENSION_OIDS, octetString, sequenceItems } from './der';

const {
	subjectKeyIdentifier: SUBJECT_KEY_IDENTIFIER,
	keyUsage: KEY_USAGE,
	subjectAltName: SUBJECT_ALT_NAME,
	authorityKeyIdentifier: AUTHORITY_KEY_IDENTIFIER,
	extendedKeyUsage: EXTENDED_KEY_USAGE,
} = EXTENSION_OIDS;
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_AGREEMENT = 4;
/** id-kp-clientAuth (1.3.6.1.5.5.7.3.2): the OID's DER content bytes. */
const ID_KP_CLIENT_AUTH = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

function extensionsOf(certificate: X509Certificate) {
	const extensions = certificateExtensions(certificate.raw);
	return (oid: string) => extensions.get(oid)?.value;
}

/** Why OpenAI's guide refuses this client (leaf) certificate itself, or undefined. Validity is the chain's. */
export function clientLeafProblem(leaf: X509Certificate): string | undefined {
	const value = extensionsOf(leaf);
	const authorityKey = value(AUTHORITY_KEY_IDENTIFIER);
	if (!authorityKey || sequenceItems(authorityKey).length === 0)
		return 'the client certificate has no Authority Key Identifier (OpenAI refuses it as invalid_certificate)';
	const keyUsage = value(KEY_USAGE);
	if (keyUsage && !bitSet(keyUsage, DIGITAL_SIGNATURE) && !bitSet(keyUsage, KEY_AGREEMENT))
		return 'the client certificate is not for client authentication (its Key Usage has neither Digital Signature nor Key Agreement)';
	return undefined;
}

/** What the help centre asks beyond the guide, as warnings (an empty list when it has it all). */
export function clientLeafWarnings(leaf: X509Certificate): string[] {
	const value = extensionsOf(leaf);
	const warnings: string[] = [];
	const subjectKey = value(SUBJECT_KEY_IDENTIFIER);
	if (!subjectKey || !octetString(subjectKey)?.length) warnings.push('no Subject Key Identifier');
	const keyUsage = value(KEY_USAGE);
	if (!keyUsage || !bitSet(keyUsage, DIGITAL_SIGNATURE) || !bitSet(keyUsage, KEY_ENCIPHERMENT))
		warnings.push('no Key Usage Digital Signature + Key Encipherment');
	const extended = value(EXTENDED_KEY_USAGE);
	if (!extended || !Buffer.from(extended).includes(Buffer.from(ID_KP_CLIENT_AUTH)))
		warnings.push('no Extended Key Usage TLS Web Client Authentication');
	if (!value(SUBJECT_ALT_NAME)) warnings.push('no Subject Alternative Name');
	return warnings.length
		? [`${warnings.join(', ')}: the help centre asks for them, the newer Mutual TLS guide does not`]
		: [];
}
