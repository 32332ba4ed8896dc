/**
 * Uploading a certificate, for Upload and Rotate: first a look at what the organization holds just
 * before (the documented maximum is 50; the list read then is the execution's from then on), then one
 * POST that is never sent twice unless it surely did not arrive.
 * An attempt whose outcome is unclear (its answer lost, a timeout, a 5xx, a 2xx that is not a
 * certificate) is reconciled: the organization is searched for a new certificate with the SHA-256
 * fingerprint of what was sent, and only when there is none is the upload sent again.
 */
import type { X509Certificate } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isExpired } from '../helpers/dates';
import { outcomeOf } from '../helpers/progress';
import { ActivationView } from './activationView';
import { findUploadedCertificate } from './certificateByFingerprint';
import type { RequestSettings } from '../transport';
import { asNodeError } from '../helpers/nodeErrors';
import { adminApiRequest, ENDPOINTS } from '../transport';
import type { Certificate, ListedCertificate } from '../helpers/answers';

/** OpenAI: "Organizations can upload up to 50 certificates." */
export const MAX_CERTIFICATES = 50;

function named(certificates: ListedCertificate[]): string {
	if (certificates.length === 0) return 'none';
	return certificates
		.map((certificate) => `${certificate.id}${certificate.name ? ` (${certificate.name})` : ''}`)
		.join(', ');
}

/**
 * Refuses before sending when the organization is full, naming the certificates that could go; else
 * the IDs it holds now (a certificate found after an unclear answer must not be one of them). Read
 * afresh, not taken from the execution's list: a copy someone else uploaded since the execution began
 * must count as there before, or a lost upload could be settled by that copy instead of being sent again.
 */
async function checkRoomForOne(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<Set<string>> {
	const held = await ActivationView.of(context).organizationCertificatesNow(settings);
	if (held.length < MAX_CERTIFICATES) return new Set(held.map((certificate) => certificate.id));
	const now = Math.floor(Date.now() / 1000);
	const expired = held.filter((c) => isExpired(c.certificate_details.expires_at, now));
	const inactive = held.filter((c) => c.active !== true && !expired.includes(c));
	throw new NodeOperationError(
		context.getNode(),
		`The organization already holds ${held.length} certificates, the most OpenAI allows is ${MAX_CERTIFICATES}; nothing was uploaded`,
		{
			itemIndex: settings.itemIndex,
			description: `Delete a certificate that is no longer needed first. Expired: ${named(expired)}. Inactive in the organization: ${named(inactive)}. An inactive one may still be active in a project: Delete's Deactivate Everywhere First handles that.`,
		},
	);
}

/** What is uploaded: the PEM sent, and the certificates parsed from it (the first one's fingerprint finds it). */
export interface Upload {
	pem: string;
	certificates: X509Certificate[];
}

/** The upload's answer; `reconciled` when it was found by fingerprint after an unclear answer. */
export type UploadedCertificate = Certificate & { reconciled?: true };

/** The certificate an unclear attempt created, if there is one: new since `before`, with `reconciled: true`. */
async function findCreated(
	context: IExecuteFunctions,
	certificate: X509Certificate,
	before: Set<string>,
	settings: RequestSettings,
): Promise<UploadedCertificate | undefined> {
	const found = await findUploadedCertificate(context, certificate, settings, before);
	if (found === undefined) return undefined;
	const call = { endpoint: ENDPOINTS.getCertificate, ids: { certificate_id: found.id } };
	const created = await adminApiRequest(context, call, settings);
	return { ...created, reconciled: true };
}

/**
 * How an attempt with an unclear outcome is settled: by the fingerprint of the certificate sent. Found:
 * that is the upload's result and nothing is sent again. Not found: the attempt did not take effect and
 * the transport repeats it within Max Retries. The lookup failing: the upload fails saying its outcome
 * is unknown and how to check.
 */
function lookUpBy(
	context: IExecuteFunctions,
	certificate: X509Certificate | undefined,
	before: Set<string>,
	settings: RequestSettings,
): ((attemptError: NodeApiError) => Promise<unknown>) | undefined {
	if (certificate === undefined) return undefined;
	const check = `Check whether the certificate is in the organization before uploading it again: Get Many with the filter Matches Certificate set to its SHA-256 fingerprint ${certificate.fingerprint256} (the fingerprint, not the PEM: with a PEM only certificates listed with its dates are compared). Rotate run again with the same input finds it that way by itself.`;
	return async (attemptError) => {
		try {
			return await findCreated(context, certificate, before, settings);
		} catch (lookupError) {
			const lookup = asNodeError(context.getNode(), lookupError, settings.itemIndex).message;
			attemptError.message = `Whether the upload took effect is unknown: ${attemptError.message}, and looking for its result failed (${lookup})`;
			attemptError.description = `${check} ${attemptError.description ?? ''}`.trim();
			attemptError.context.outcome = 'unknown';
			throw attemptError;
		}
	};
}

/**
 * Uploads one certificate, exactly once. Uploads of the same PEM in one execution go one after the other
 * (ActivationView.oneAtATime): each item reports its own copy, or unknown, never a sibling's.
 */
export async function uploadCertificate(
	context: IExecuteFunctions,
	upload: Upload,
	name: string | undefined,
	settings: RequestSettings,
): Promise<UploadedCertificate> {
	const fingerprint = upload.certificates[0]?.fingerprint256 ?? upload.pem;
	return await ActivationView.of(context).oneAtATime(
		async () => await uploadOnce(context, upload, name, settings),
		`upload:${fingerprint}`,
	);
}

async function uploadOnce(
	context: IExecuteFunctions,
	upload: Upload,
	name: string | undefined,
	settings: RequestSettings,
): Promise<UploadedCertificate> {
	const before = await checkRoomForOne(context, settings);
	const body: IDataObject = { certificate: upload.pem };
	if (name !== undefined) body.name = name;
	const lookUp = lookUpBy(context, upload.certificates[0], before, settings);
	const view = ActivationView.of(context);
	const uploaded = await outcomeOf(() =>
		adminApiRequest(context, { endpoint: ENDPOINTS.uploadCertificate, body, lookUp }, settings),
	);
	if (!uploaded.ok) {
		// Refused (the organization may be fuller than the list said) or unknown: read the list again.
		view.forgetHeld();
		throw asNodeError(context.getNode(), uploaded.error, settings.itemIndex);
	}
	view.uploaded(uploaded.value);
	return uploaded.value as UploadedCertificate;
}
