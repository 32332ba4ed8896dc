import type { Verdict } from './trust';
import { anchorCertificates, chainsTo, clientChainsFromPem } from './trust';

/**
 * Whether the client certificate of a PEM (the leaf first, then the intermediates it sends) would be
 * accepted through a CA's PEM: the one chain check of the package (`trust.ts`'s `chainsTo`: issuer,
 * signature, validity, CA constraints, client-authentication usage), applied to text. Pure: the clock is
 * an argument.
 */
export function clientAcceptedBy(clientPem: string, caPem: string, nowSeconds: number): Verdict {
	const [client] = clientChainsFromPem(clientPem).clients;
	if (!client) return { accepted: false, reason: 'it holds no readable client certificate' };
	const anchor = { id: 'the new certificate', name: '', certificates: anchorCertificates(caPem) };
	return chainsTo(client, anchor, nowSeconds);
}
