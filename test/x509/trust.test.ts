import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ClientChain } from '../../nodes/OpenAiCertificates/helpers/trust';
import {
	anchorCertificates,
	chainsTo,
	clientChainsFromPem,
} from '../../nodes/OpenAiCertificates/helpers/trust';
import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';

const DAY = 86_400;

/** What OpenSSL says, as a TLS server verifying a client (the sandbox mTLS host asks the same question). */
function opensslAccepts(anchorPem: string, chain: GeneratedCertificate[]): boolean {
	const dir = mkdtempSync(join(tmpdir(), 'trust-test-'));
	try {
		writeFileSync(join(dir, 'anchors.pem'), anchorPem);
		writeFileSync(join(dir, 'leaf.pem'), chain[0].pem);
		const args = ['verify', '-purpose', 'sslclient', '-partial_chain', '-CAfile', 'anchors.pem'];
		if (chain.length > 1) {
			writeFileSync(
				join(dir, 'untrusted.pem'),
				chain
					.slice(1)
					.map((certificate) => certificate.pem)
					.join(''),
			);
			args.push('-untrusted', 'untrusted.pem');
		}
		execFileSync('openssl', [...args, 'leaf.pem'], { cwd: dir, stdio: 'ignore' });
		return true;
	} catch {
		return false;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('helpers/trust: chain checks agree with OpenSSL', () => {
	const root = makeCertificate({ ca: true, commonName: 'Trust Root CA' });
	const intermediate = makeCertificate({ ca: true, commonName: 'Trust Issuing CA', issuer: root });
	const other = makeCertificate({ ca: true, commonName: 'Trust Other CA' });
	const impostor = makeCertificate({ ca: true, commonName: 'Trust Root CA', freshKey: true });
	const expiredRoot = makeCertificate({
		ca: true,
		commonName: 'Trust Expired Root',
		notBeforeOffset: -10 * DAY,
		notAfterOffset: -DAY,
	});
	const expiredIntermediate = makeCertificate({
		ca: true,
		commonName: 'Trust Expired Issuing',
		issuer: root,
		notBeforeOffset: -10 * DAY,
		notAfterOffset: -DAY,
	});
	const notCa = makeCertificate({ commonName: 'not-a-ca', issuer: root });
	const leaf = (commonName: string, issuer: GeneratedCertificate, extra = {}) =>
		makeCertificate({ commonName, issuer, ...extra });
	const chains: Record<string, GeneratedCertificate[]> = {
		'leaf of root': [leaf('c1', root)],
		'leaf of intermediate with intermediate': [leaf('c2', intermediate), intermediate],
		'leaf of intermediate alone': [leaf('c3', intermediate)],
		'leaf of other': [leaf('c4', other)],
		'expired leaf of root': [
			leaf('c5', root, { notBeforeOffset: -10 * DAY, notAfterOffset: -DAY }),
		],
		'future leaf of root': [leaf('c6', root, { notBeforeOffset: DAY, notAfterOffset: 10 * DAY })],
		'leaf of expired intermediate': [leaf('c7', expiredIntermediate), expiredIntermediate],
		'leaf of expired root': [leaf('c8', expiredRoot)],
		'leaf under a non-CA': [leaf('c9', notCa), notCa],
	};
	const anchors: Record<string, GeneratedCertificate> = {
		root,
		intermediate,
		other,
		impostor,
		expiredRoot,
	};

	const cases = Object.keys(chains).flatMap((chain) =>
		Object.keys(anchors).map((anchor) => [chain, anchor]),
	);
	it.each(cases)('%s against %s', (chainName, anchorName) => {
		const chain = chains[chainName];
		const [leafCertificate, ...intermediates] = chain.map(
			(certificate) => new X509Certificate(certificate.pem),
		);
		const client: ClientChain = { label: chainName, leaf: leafCertificate, intermediates };
		const anchor = {
			id: 'cert_x',
			name: anchorName,
			certificates: anchorCertificates(anchors[anchorName].pem),
		};
		const verdict = chainsTo(client, anchor, Math.floor(Date.now() / 1000));
		expect(verdict.accepted).toBe(opensslAccepts(anchors[anchorName].pem, chain));
	});

	it('at least some cases are accepted and some refused (the comparison is not vacuous)', () => {
		const verdicts = cases.map(([chainName, anchorName]) =>
			opensslAccepts(anchors[anchorName].pem, chains[chainName]),
		);
		expect(verdicts.filter(Boolean).length).toBeGreaterThan(3);
		expect(verdicts.filter((accepted) => !accepted).length).toBeGreaterThan(20);
	});

	it('splits PEM text into clients: each non-CA certificate starts one, the CAs after it are its intermediates', () => {
		const a = leaf('split-a', intermediate);
		const b = leaf('split-b', root);
		const { clients } = clientChainsFromPem(`${a.pem}${intermediate.pem}\n${b.pem}`);
		expect(
			clients.map((client: ClientChain) => [
				client.leaf.subject.split('\n')[0],
				client.intermediates.length,
			]),
		).toEqual([
			['CN=split-a', 1],
			['CN=split-b', 0],
		]);
		expect(clients[0].label).toMatch(/^CN=split-a, O=.* \(SHA-256 [0-9A-F:]{11}\)$/);
	});
});
