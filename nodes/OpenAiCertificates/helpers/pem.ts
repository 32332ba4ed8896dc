/**
 * PEM text: finding its blocks, and anything else in it that could be key material. Pure, and linear in
 * the length of the text whatever it holds (one pass over the BEGIN/END markers; no pattern that can
 * backtrack across the text), so no input can stall n8n.
 */

export interface PemBlock {
	/** The label between BEGIN and END, e.g. CERTIFICATE or PRIVATE KEY. */
	label: string;
	/** The whole block, BEGIN to END lines included. */
	text: string;
	/** What lies between the BEGIN and END lines (base64 and line breaks in a well-formed block). */
	body: string;
	/** Where the block starts and ends in the text. */
	start: number;
	end: number;
}

/** OpenAI's guidance: a certificate file under 16 KB. */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;
/** Certificate input beyond this is refused before it is parsed, even when the checks are skipped. */
export const MAX_INPUT_BYTES = 1024 * 1024;

const MARKER = /-----(BEGIN|END) ([A-Z0-9 ]{1,64})-----/g;

/** The well-formed blocks: a BEGIN line and the END line with the same label, with no marker between. */
export function pemBlocks(text: string): PemBlock[] {
	const blocks: PemBlock[] = [];
	let open: { label: string; start: number; bodyStart: number } | undefined;
	for (const match of text.matchAll(MARKER)) {
		const [marker, kind, label] = match;
		const index = match.index;
		if (kind === 'BEGIN') {
			open = { label, start: index, bodyStart: index + marker.length };
			continue;
		}
		if (open && open.label === label) {
			const end = index + marker.length;
			blocks.push({
				label,
				text: text.slice(open.start, end),
				body: text.slice(open.bodyStart, index),
				start: open.start,
				end,
			});
		}
		open = undefined;
	}
	return blocks;
}

export function certificateBlocks(text: string): PemBlock[] {
	return pemBlocks(text).filter((block) => block.label === 'CERTIFICATE');
}

/** What a PEM block that is not a certificate holds, and what to give instead. */
export interface BlockKind {
	/** The block named by its full type, e.g. 'a certificate request (BEGIN CERTIFICATE REQUEST)'. */
	name: string;
	fix: string;
	privateKey: boolean;
}

const NEVER_UPLOADED =
	'A private key must never be uploaded: only the certificate blocks are. Give only the CA certificate (the -----BEGIN CERTIFICATE----- block), and keep the key where it is.';

const KINDS: Record<string, Omit<BlockKind, 'name'> & { what: string }> = {
	'CERTIFICATE REQUEST': {
		what: 'a certificate request',
		fix: 'A certificate request is not a certificate: upload the CA certificate that signs it (the issuer of your client certificates), not the request.',
		privateKey: false,
	},
	PKCS7: {
		what: 'a PKCS#7 bundle',
		fix: 'Take the certificates out of the bundle with `openssl pkcs7 -print_certs -in bundle.p7b -out certificates.pem` and give the CA certificate from it.',
		privateKey: false,
	},
	'PUBLIC KEY': {
		what: 'a public key',
		fix: 'A public key is not a certificate: give the CA certificate that holds it (the -----BEGIN CERTIFICATE----- block).',
		privateKey: false,
	},
	'X509 CRL': {
		what: 'a certificate revocation list',
		fix: 'A revocation list is not a certificate: give the CA certificate that issued it.',
		privateKey: false,
	},
	'TRUSTED CERTIFICATE': {
		what: "an OpenSSL 'trusted certificate'",
		fix: 'Convert it to a plain certificate with `openssl x509 -in trusted.pem -out certificate.pem`.',
		privateKey: false,
	},
	'EC PARAMETERS': {
		what: 'EC parameters',
		fix: 'EC parameters are part of a key, not a certificate: remove the block and give only the CA certificate.',
		privateKey: false,
	},
	'ENCRYPTED PRIVATE KEY': {
		what: 'an encrypted private key',
		fix: NEVER_UPLOADED,
		privateKey: true,
	},
};
const ALIASES: Record<string, string> = {
	'NEW CERTIFICATE REQUEST': 'CERTIFICATE REQUEST',
	CMS: 'PKCS7',
	'RSA PUBLIC KEY': 'PUBLIC KEY',
};

/** A non-certificate block named by its full type (its BEGIN line) with the fix. */
export function blockKind(label: string): BlockKind {
	const known = KINDS[ALIASES[label] ?? label];
	const begin = `(BEGIN ${label})`;
	if (known)
		return { name: `${known.what} ${begin}`, fix: known.fix, privateKey: known.privateKey };
	if (/PRIVATE KEY/.test(label))
		return { name: `a private key ${begin}`, fix: NEVER_UPLOADED, privateKey: true };
	return {
		name: `a PEM block that is not a certificate ${begin}`,
		fix: 'Only CERTIFICATE blocks are uploaded: remove the other block and give only the CA certificate.',
		privateKey: false,
	};
}

/** The well-formed blocks that are not certificates, each named. */
export function otherBlocks(text: string): BlockKind[] {
	return pemBlocks(text)
		.filter((block) => block.label !== 'CERTIFICATE')
		.map((block) => blockKind(block.label));
}

/** Whether the text holds a private key in any well-formed PEM form (PKCS#8, RSA, EC, encrypted). */
export function hasPrivateKey(text: string): boolean {
	return /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/.test(text);
}

// Outside the certificate blocks: armour lines however damaged (any dash-like run, any case, tabs),
// private-key words, and long base64 runs (a key stripped of its armour).
const DASHES = '\\-\\u2010-\\u2015\\u2212\\uFE58\\uFE63\\uFF0D';
const ARMOUR = new RegExp(`[${DASHES}]{2,10}[ \\t]{0,8}(BEGIN|END)\\b[^\\n]{0,60}`, 'iu');
const KEY_WORDS = /\b(PRIVATE[ \t_-]{0,3}KEY|privateExponent|prime1|coefficient|priv:)/i;
const BASE64_RUN = /[A-Za-z0-9+/]{40,}/g;

function shown(text: string): string {
	const oneLine = text.replace(/\s+/g, ' ').trim();
	return JSON.stringify(oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine);
}

/**
 * What the text holds besides its certificate blocks that could be key material, each named: an armour
 * line that is not a well-formed certificate block, private-key words, or base64 data outside a block.
 * Empty when the text is certificate blocks and ordinary words.
 */
export function keyMaterialBesides(text: string): string[] {
	// The text with every well-formed certificate block cut out.
	let outside = '';
	let from = 0;
	for (const block of certificateBlocks(text)) {
		outside += `${text.slice(from, block.start)}\n`;
		from = block.end;
	}
	outside += text.slice(from);
	const found: string[] = [];
	const armour = outside.match(ARMOUR);
	if (armour) found.push(`a PEM line that is not part of a certificate block: ${shown(armour[0])}`);
	const words = outside.match(KEY_WORDS);
	if (words) found.push(`text naming a private key: ${shown(words[0])}`);
	const base64 = outside.match(BASE64_RUN);
	if (base64) {
		const characters = base64.reduce((sum, run) => sum + run.length, 0);
		found.push(`${characters} characters of base64 data outside any certificate block`);
	}
	return found;
}

/** A DER certificate as a PEM block of 64-character lines. */
export function encodeCertificate(der: Uint8Array): string {
	const base64 = Buffer.from(der).toString('base64');
	const lines = base64.match(/.{1,64}/g) ?? [];
	return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The bytes a block's base64 body decodes to (whitespace ignored). */
export function decodedLength(block: PemBlock): number {
	return Buffer.from(block.body.replace(/\s+/g, ''), 'base64').length;
}

export function byteLength(text: string): number {
	return new TextEncoder().encode(text).length;
}
