/**
 * The little DER an X.509 certificate's extensions need, which Node's X509Certificate does not expose
 * (Subject and Authority Key Identifier, Key Usage). Pure; anything malformed reads as "not there".
 */

/** One DER element: its tag and where its content lies in the bytes. */
export interface DerElement {
	tag: number;
	start: number;
	end: number;
}

/** The element starting at `offset`, or undefined when its header or length does not fit before `limit`. */
function elementAt(bytes: Uint8Array, offset: number, limit: number): DerElement | undefined {
	if (offset + 2 > limit) return undefined;
	const tag = bytes[offset];
	let length = bytes[offset + 1];
	let start = offset + 2;
	if (length & 0x80) {
		const count = length & 0x7f;
		if (count === 0 || count > 4 || start + count > limit) return undefined;
		length = 0;
		for (let index = 0; index < count; index += 1) length = length * 256 + bytes[start + index];
		start += count;
	}
	const end = start + length;
	return end <= limit ? { tag, start, end } : undefined;
}

/** The elements directly inside `parent` (all of them, or none when one does not parse). */
export function childrenOf(bytes: Uint8Array, parent: DerElement): DerElement[] {
	const children: DerElement[] = [];
	for (let offset = parent.start; offset < parent.end; ) {
		const child = elementAt(bytes, offset, parent.end);
		if (!child) return [];
		children.push(child);
		offset = child.end;
	}
	return children;
}

const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const OID = 0x06;
const OCTET_STRING = 0x04;
const EXTENSIONS = 0xa3;

export interface Extension {
	critical: boolean;
	/** The extension's value (the content of its extnValue OCTET STRING). */
	value: Uint8Array;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** One Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extensionOf(bytes: Uint8Array, element: DerElement): [string, Extension] | undefined {
	const parts = childrenOf(bytes, element);
	const [id, second] = parts;
	const value = parts[parts.length - 1];
	if (element.tag !== SEQUENCE || id?.tag !== OID || value?.tag !== OCTET_STRING) return undefined;
	const critical = second.tag === BOOLEAN && bytes[second.start] !== 0;
	return [
		hex(bytes.subarray(id.start, id.end)),
		{ critical, value: bytes.subarray(value.start, value.end) },
	];
}

/** The OIDs of the certificate extensions read here, as the hex of their content bytes (2.5.29.x). */
export const EXTENSION_OIDS = {
	subjectKeyIdentifier: '551d0e', // 2.5.29.14
	keyUsage: '551d0f', // 2.5.29.15
	subjectAltName: '551d11', // 2.5.29.17
	basicConstraints: '551d13', // 2.5.29.19
	authorityKeyIdentifier: '551d23', // 2.5.29.35
	extendedKeyUsage: '551d25', // 2.5.29.37
} as const;

/**
 * The extensions of a DER certificate, keyed by the hex of their OID's content bytes (e.g. "551d0e" for
 * 2.5.29.14). Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ..., [3] EXPLICIT Extensions }, ... }.
 */
export function certificateExtensions(der: Uint8Array): Map<string, Extension> {
	const found = new Map<string, Extension>();
	const certificate = elementAt(der, 0, der.length);
	const tbs = certificate && childrenOf(der, certificate)[0];
	const wrapper = tbs && childrenOf(der, tbs).find((element) => element.tag === EXTENSIONS);
	const list = wrapper && childrenOf(der, wrapper)[0];
	for (const element of list ? childrenOf(der, list) : []) {
		const extension = extensionOf(der, element);
		if (extension) found.set(...extension);
	}
	return found;
}

/** The elements of an extension value that is a SEQUENCE (AuthorityKeyIdentifier), or none. */
export function sequenceItems(value: Uint8Array): DerElement[] {
	const sequence = elementAt(value, 0, value.length);
	return sequence?.tag === SEQUENCE && sequence.end === value.length
		? childrenOf(value, sequence)
		: [];
}

/** Bit `index` of a BIT STRING value (bit 0 is the first byte's highest bit), false when absent. */
export function bitSet(value: Uint8Array, index: number): boolean {
	const bits = elementAt(value, 0, value.length);
	if (bits?.tag !== 0x03 || bits.end - bits.start < 2) return false;
	const byte = bits.start + 1 + Math.floor(index / 8);
	return byte < bits.end && (value[byte] & (0x80 >> index % 8)) !== 0;
}

/** The content of an OCTET STRING extension value (SubjectKeyIdentifier), or undefined. */
export function octetString(value: Uint8Array): Uint8Array | undefined {
	const element = elementAt(value, 0, value.length);
	return element?.tag === OCTET_STRING && element.end === value.length
		? value.subarray(element.start, element.end)
		: undefined;
}
