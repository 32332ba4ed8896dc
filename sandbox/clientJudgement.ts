/**
 * OpenAI's request-time judgement of a client certificate chain in a scope, for the mTLS host and the
 * fake Admin API alike.
 *
 * The chain is judged by OpenSSL itself (`openssl verify -purpose sslclient -partial_chain`: issuer,
 * signature, validity, CA constraints, through the intermediates the client sent), not by the node's
 * own trust helpers, so the two are independent.
 *
 * Refusals use the request-time codes of OpenAI's Mutual TLS guide: `certificate_required` (none
 * presented), `invalid_certificate` (no Authority Key Identifier), `certificate_verification_failed`
 * (presented, but it chains to no certificate active in scope). The guide gives no status for them;
 * the sandbox answers 401 (spec/NOTES.md).
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Organization } from './organization';

/** Every parseable certificate in the content of the certificates active in scope. */
export function anchorsInScope(organization: Organization, projectId: string): X509Certificate[] {
	const ids = new Set([
		...organization.activeInOrganization,
		...(organization.activeInProject.get(projectId) ?? []),
	]);
	const anchors: X509Certificate[] = [];
	for (const id of ids) {
		// Mutual TLS guide: of a PEM holding several certificates, only the first is the anchor.
		const content = organization.certificates.get(id)?.content ?? '';
		const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(content);
		try {
			if (first) anchors.push(new X509Certificate(first[0]));
		} catch {
			// Not a certificate OpenSSL could use: it anchors nothing (but still counts as active).
		}
	}
	return anchors;
}

type Verdict = { ok: true } | { ok: false; reason: string };

/** openssl verify, memoised for a second per (anchors, chain): probes repeat the same question many times. */
export function chainVerifier(workDir: string) {
	const cache = new Map<string, { until: number; verdict: Promise<Verdict> }>();
	let counter = 0;

	async function run(anchors: X509Certificate[], chain: X509Certificate[]): Promise<Verdict> {
		if (anchors.length === 0)
			return {
				ok: false,
				reason: 'no active certificate in scope is a parseable X.509 certificate',
			};
		counter += 1;
		const base = join(workDir, `verify-${counter}`);
		await writeFile(
			`${base}-anchors.pem`,
			anchors.map((certificate) => certificate.toString()).join('\n'),
		);
		await writeFile(`${base}-leaf.pem`, chain[0].toString());
		const args = [
			'verify',
			'-purpose',
			'sslclient',
			'-partial_chain',
			'-CAfile',
			`${base}-anchors.pem`,
		];
		if (chain.length > 1) {
			await writeFile(
				`${base}-untrusted.pem`,
				chain
					.slice(1)
					.map((certificate) => certificate.toString())
					.join('\n'),
			);
			args.push('-untrusted', `${base}-untrusted.pem`);
		}
		args.push(`${base}-leaf.pem`);
		return await new Promise<Verdict>((resolve) => {
			execFile('openssl', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
				for (const suffix of ['anchors', 'leaf', 'untrusted'])
					rmSync(`${base}-${suffix}.pem`, { force: true });
				if (!error) return resolve({ ok: true });
				const reason =
					/error \d+ at \d+ depth lookup: (.*)/.exec(`${stderr}\n${stdout}`)?.[1] ??
					(stderr || stdout).trim().split('\n').pop() ??
					'verification failed';
				resolve({ ok: false, reason });
			});
		});
	}

	return (anchors: X509Certificate[], chain: X509Certificate[]): Promise<Verdict> => {
		const key = createHash('sha256')
			.update(
				anchors
					.map((certificate) => certificate.fingerprint256)
					.sort()
					.join(','),
			)
			.update('|')
			.update(chain.map((certificate) => certificate.fingerprint256).join(','))
			.digest('hex');
		const now = Date.now();
		const cached = cache.get(key);
		if (cached && cached.until > now) return cached.verdict;
		const verdict = run(anchors, chain);
		cache.set(key, { until: now + 1000, verdict });
		return verdict;
	};
}

/** An Authority Key Identifier extension (OID 2.5.29.35) in the certificate's DER. */
function hasAuthorityKeyIdentifier(certificate: X509Certificate): boolean {
	return certificate.raw.includes(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]));
}

export type ClientVerdict = { ok: true } | { ok: false; code: string; message: string };

export type ChainVerifier = ReturnType<typeof chainVerifier>;

/**
 * OpenAI's request-time judgement of a client in a scope where `anchors` are active (the guide's order):
 * a certificate must be presented, have an Authority Key Identifier, and chain to an active anchor.
 */
export async function judgeClient(
	verify: ChainVerifier,
	anchors: X509Certificate[],
	chain: X509Certificate[],
	scope: string,
): Promise<ClientVerdict> {
	if (chain.length === 0) {
		const message = `A client certificate is required: mutual TLS is enforced for ${scope} (a certificate is active there).`;
		return { ok: false, code: 'certificate_required', message };
	}
	if (!hasAuthorityKeyIdentifier(chain[0])) {
		const message = `The client certificate is invalid: it has no Authority Key Identifier.`;
		return { ok: false, code: 'invalid_certificate', message };
	}
	const verdict = await verify(anchors, chain);
	if (verdict.ok) return verdict;
	const message = `The client certificate was not accepted: it does not chain to a certificate active for ${scope} (${verdict.reason}).`;
	return { ok: false, code: 'certificate_verification_failed', message };
}

/** Every parseable certificate in the content of the certificates active for the organization. */
export function organizationAnchors(organization: Organization): X509Certificate[] {
	return anchorsInScope(organization, '');
}
