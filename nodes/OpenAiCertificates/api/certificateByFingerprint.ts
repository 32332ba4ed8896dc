/**
 * Finding an uploaded certificate by the SHA-256 fingerprint of its PEM. The list endpoints carry no
 * content, so each candidate's PEM is fetched (`include[]=content`, once per ID in an execution). The
 * validity dates only order the search: certificates whose listed dates equal the PEM's are read first
 * (usually one request besides the list); when none of them is it, every other one is read too (at most
 * 50, 8 at a time), since nothing promises that OpenAI echoes the PEM's dates to the second. Used by Get Many's Matches Certificate filter; by Rotate,
 * which must not upload its new certificate twice (in the execution's list, `findHeldCertificate`); and
 * by an upload whose answer was lost (in a list read anew, `findUploadedCertificate`).
 */
import type { X509Certificate } from 'node:crypto';

import type { IExecuteFunctions } from 'n8n-workflow';

import { ActivationView, IN_FLIGHT } from './activationView';
import { inParallel } from '../helpers/parallel';
import { outcomeOf } from '../helpers/progress';
import { isNotFound } from '../helpers/apiErrors';
import { normalizeFingerprint, parseCertificate, validityOf } from '../helpers/x509';
import type { RequestSettings } from '../transport';
import { ENDPOINTS, listUpTo } from '../transport';
import type { ListedCertificate } from '../helpers/answers';

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
): (certificate: ListedCertificate) => Promise<boolean> {
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
		if (!stored.ok && isNotFound(stored.error)) return false;
		if (!stored.ok) throw stored.error;
		const parsed = parseCertificate(stored.value.certificate_details?.content ?? '');
		if (!parsed || normalizeFingerprint(parsed.fingerprint256) !== wanted) return false;
		certificate.fingerprint256 = parsed.fingerprint256;
		return true;
	};
}

/**
 * The first of `candidates` (in their order) whose PEM has this certificate's fingerprint: those listed
 * with the PEM's validity dates are read first, then the others.
 */
async function firstWithFingerprint(
	context: IExecuteFunctions,
	candidates: ListedCertificate[],
	certificate: X509Certificate,
	settings: RequestSettings,
): Promise<ListedCertificate | undefined> {
	const target = targetOf(certificate);
	const byDates = matchesFingerprint(context, target, settings);
	for (const candidate of candidates) if (await byDates(candidate)) return candidate;
	const byContent = matchesFingerprint(context, { fingerprint: target.fingerprint }, settings);
	const { validAt, expiresAt } = target.validity ?? {};
	const otherDates = candidates.filter(
		(candidate) =>
			candidate.certificate_details?.valid_at !== validAt ||
			candidate.certificate_details?.expires_at !== expiresAt,
	);
	// Their contents are read IN_FLIGHT at a time (each once per execution), then compared in order.
	const view = ActivationView.of(context);
	await inParallel(otherDates, IN_FLIGHT, async (candidate) => {
		await view.stored(candidate.id, settings).catch(() => undefined);
	});
	for (const candidate of otherDates) if (await byContent(candidate)) return candidate;
	return undefined;
}

/**
 * The organization's certificate with this certificate's fingerprint, if one was uploaded (the newest;
 * certificates whose IDs are in `except` do not count). Reads the list anew.
 */
export async function findUploadedCertificate(
	context: IExecuteFunctions,
	certificate: X509Certificate,
	settings: RequestSettings,
	except: ReadonlySet<string> = new Set(),
): Promise<ListedCertificate | undefined> {
	const listed = await listUpTo(
		context,
		{ endpoint: ENDPOINTS.listOrganizationCertificates, qs: { order: 'desc' } },
		settings,
		undefined,
	);
	const candidates = listed.filter((candidate) => !except.has(candidate.id));
	return await firstWithFingerprint(context, candidates, certificate, settings);
}

/**
 * The organization's certificate with this certificate's fingerprint (the newest), from the list the
 * execution shares (api/activationView.ts): no list request of its own.
 */
export async function findHeldCertificate(
	context: IExecuteFunctions,
	certificate: X509Certificate,
	settings: RequestSettings,
): Promise<ListedCertificate | undefined> {
	const held = await ActivationView.of(context).organizationCertificates(settings);
	return await firstWithFingerprint(context, held, certificate, settings);
}
