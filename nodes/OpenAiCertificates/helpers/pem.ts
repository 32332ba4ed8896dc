/** PEM text: finding its blocks. Pure. */

export interface PemBlock {
	/** The label between BEGIN and END, e.g. CERTIFICATE or PRIVATE KEY. */
	label: string;
	/** The whole block, BEGIN to END lines included. */
	text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

export function pemBlocks(text: string): PemBlock[] {
	return [...text.matchAll(BLOCK)].map((match) => ({ label: match[1], text: match[0] }));
}

export function certificateBlocks(text: string): PemBlock[] {
	return pemBlocks(text).filter((block) => block.label === 'CERTIFICATE');
}

/** Whether the text holds a private key in any PEM form (PKCS#8, RSA, EC, encrypted). */
export function hasPrivateKey(text: string): boolean {
	return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text);
}

/** OpenAI's guidance: a certificate file under 16 KB. */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

export function byteLength(text: string): number {
	return new TextEncoder().encode(text).length;
}
