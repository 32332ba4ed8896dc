/**
 * Finding an uploaded certificate by the SHA-256 fingerprint of its PEM. The list endpoints carry no
 * content, so each candidate's PEM is fetched (`include[]=content`); when the validity dates are
 * known, only certificates with the same dates are fetched, which keeps it cheap on the rate-limited
 * API (usually one request besides the list). Used by Get Many's Matches Certificate filter; by Rotate,
 * which must not upload its new certificate twice (in the execution's list, `findHeldCertificate`); and
 * by an upload whose answer was lost (in a list read anew, `findUploadedCertificate`).
 */
import type { X509Certificate } from 'node:crypto';

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ActivationView } from './activationView';
import { outcomeOf } from '../helpers/progress';
import { normalizeFingerprint, parseCertificate, validityOf } from '../helpers/x509';
import type { RequestSettings } from '../transport';
import { listUpTo } from '../transport';
import type { OrganizationCertificate } from '../transport/shapes';

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
	context: IExecuteFunctions,
	target: FingerprintTarget,
	settings: RequestSettings,
): (certificate: OrganizationCertificate) => Promise<boolean> {
	const wanted = normalizeFingerprint(target.fingerprint);
	const view = ActivationView.of(context);
	return async (certificate) => {
		const details = certificate.certificate_details;
		const { validity } = target;
		if (
			validity &&
			(details?.valid_at !== validity.validAt || details?.expires_at !== validity.expiresAt)
		)
			return false;
		const stored = await outcomeOf(() => view.stored(certificate.id, settings));
		// Deleted since the list was read: it matches nothing.
		if (!stored.ok && stored.error instanceof NodeApiError && stored.error.httpCode === '404')
			return false;
		if (!stored.ok) throw stored.error;
		const parsed = parseCertificate(stored.value.certificate_details?.content ?? '');
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
	context: IExecuteFunctions,
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

/**
 * The organization's certificate with this certificate's fingerprint (the newest), from the list the
 * execution shares (api/activationView.ts): no list request of its own.
 */
export async function findHeldCertificate(
	context: IExecuteFunctions,
	certificate: X509Certificate,
	settings: RequestSettings,
): Promise<OrganizationCertificate | undefined> {
	const matches = matchesFingerprint(context, targetOf(certificate), settings);
	for (const held of await ActivationView.of(context).organizationCertificates(settings))
		if (await matches(held)) return held;
	return undefined;
}
