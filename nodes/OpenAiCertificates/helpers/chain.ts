import type { X509Certificate } from 'node:crypto';

import { certificateBlocks } from './pem';
import { parseCertificate } from './x509';

/**
 * Whether a client certificate chains to a CA: the leaf (first block), through the intermediates
 * given after it, to a certificate signed by one of the CA certificates. Checks issuer names and
 * signatures; the server judges validity and usage. Pure.
 */
export function chainsTo(clientPem: string, caPem: string): boolean {
	const presented = parsedBlocks(clientPem);
	const anchors = parsedBlocks(caPem);
	if (presented.length === 0 || anchors.length === 0) return false;
	const isAnchor = (certificate: X509Certificate) =>
		anchors.some((anchor) => anchor.fingerprint256 === certificate.fingerprint256);
	const issuedBy = (certificate: X509Certificate, issuer: X509Certificate) =>
		certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
	let current = presented[0];
	const visited = new Set<string>();
	while (!visited.has(current.fingerprint256)) {
		if (isAnchor(current) || anchors.some((anchor) => issuedBy(current, anchor))) return true;
		visited.add(current.fingerprint256);
		const next = presented.find((candidate) => issuedBy(current, candidate));
		if (!next) return false;
		current = next;
	}
	return false;
}

function parsedBlocks(pem: string): X509Certificate[] {
	return certificateBlocks(pem)
		.map((block) => parseCertificate(block.text))
		.filter((certificate): certificate is X509Certificate => certificate !== undefined);
}
