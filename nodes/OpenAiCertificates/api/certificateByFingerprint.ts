/**
 * Finding an uploaded certificate by the SHA-256 fingerprint of its PEM. The list endpoints carry no
 * content, so each candidate's PEM is fetched (`include[]=content`); when the validity dates are
 * known, only certificates with the same dates are fetched, which keeps it cheap on the rate-limited
 * API (usually one request besides the list). Used by Get Many's Matches Certificate filter and by
 * Rotate, which must not upload its new certificate twice, and by an upload whose answer was lost.
 */
import type { X509Certificate } from 'node:crypto';

import { normalizeFingerprint, parseCertificate, validityOf } from '../helpers/x509';
import type { AdminApiContext, RequestSettings } from '../transport';
import { adminApiRequest, listUpTo } from '../transport';
import type { Certificate, OrganizationCertificate } from '../transport/shapes';

export interface FingerprintTarget {
	/** 64 hex digits, any case, separators allowed. */
	fingerprint: string;
	/** When known (a PEM was given): only certificates with these dates are fetched. */
	validity?: { validAt: number; expiresAt: number };
}

/** The target a parsed certificate defines: its fingerprint and validity dates. */
export function targetOf(certificate: X509Certificate): FingerprintTarget {
	return { fingerprint: certificate.fingerprint256, validity: validityOf(certificate) };
}

/**
 * A list filter that keeps the certificate whose PEM (its first certificate) has the target's
 * fingerprint, and adds that fingerprint to it as `fingerprint256`.
 */
export function matchesFingerprint(
	context: AdminApiContext,
	target: FingerprintTarget,
	settings: RequestSettings,
): (certificate: OrganizationCertificate) => Promise<boolean> {
	const wanted = normalizeFingerprint(target.fingerprint);
	return async (certificate) => {
		const details = certificate.certificate_details;
		const { validity } = target;
		if (
			validity &&
			(details?.valid_at !== validity.validAt || details?.expires_at !== validity.expiresAt)
		)
			return false;
		const stored = await adminApiRequest<Certificate>(
			context,
			{
				method: 'GET',
				path: ['organization', 'certificates', certificate.id],
				qs: { 'include[]': 'content' },
				notFoundIsUndefined: true,
			},
			settings,
		);
		const parsed = parseCertificate(stored?.certificate_details?.content ?? '');
		if (!parsed || normalizeFingerprint(parsed.fingerprint256) !== wanted) return false;
		certificate.fingerprint256 = parsed.fingerprint256;
		return true;
	};
}

/**
 * The organization's certificate with this certificate's fingerprint, if one was uploaded (the newest;
 * certificates whose IDs are in `except` do not count).
 */
export async function findUploadedCertificate(
	context: AdminApiContext,
	certificate: X509Certificate,
	settings: RequestSettings,
	except: ReadonlySet<string> = new Set(),
): Promise<OrganizationCertificate | undefined> {
	const matches = matchesFingerprint(context, targetOf(certificate), settings);
	const [found] = await listUpTo<OrganizationCertificate>(
		context,
		['organization', 'certificates'],
		{ order: 'desc' },
		settings,
		1,
		async (candidate) => !except.has(candidate.id) && (await matches(candidate)),
	);
	return found;
}
