/**
 * Uploading a certificate, for Upload and Rotate: first a look at how many the organization holds (the
 * documented maximum is 50), then one POST that is never sent twice unless it surely did not arrive.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isExpired } from '../helpers/dates';
import type { RequestSettings } from '../transport';
import { adminApiRequest, listUpTo } from '../transport';
import type { Certificate, OrganizationCertificate } from '../transport/shapes';

/** OpenAI: "Organizations can upload up to 50 certificates." */
export const MAX_CERTIFICATES = 50;

function named(certificates: OrganizationCertificate[]): string {
	if (certificates.length === 0) return 'none';
	return certificates
		.map((certificate) => `${certificate.id}${certificate.name ? ` (${certificate.name})` : ''}`)
		.join(', ');
}

/** Refuses before sending when the organization is full, naming the certificates that could go. */
async function checkRoomForOne(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<void> {
	const held = await listUpTo<OrganizationCertificate>(
		context,
		['organization', 'certificates'],
		{},
		settings,
		undefined,
	);
	if (held.length < MAX_CERTIFICATES) return;
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

export async function uploadCertificate(
	context: IExecuteFunctions,
	pem: string,
	name: string | undefined,
	settings: RequestSettings,
): Promise<Certificate> {
	await checkRoomForOne(context, settings);
	const body: IDataObject = { certificate: pem };
	if (name !== undefined) body.name = name;
	return await adminApiRequest<Certificate>(
		context,
		{ method: 'POST', path: ['organization', 'certificates'], body, idempotent: false },
		settings,
	);
}
