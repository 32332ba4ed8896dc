import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { certificateDetails, parseCertificate } from '../../helpers/x509';
import { adminApiRequest, ENDPOINTS } from '../../transport';
import {
	certificateLocator,
	readId,
	readOptions,
	requestSettings,
	optionsCollection,
} from '../shared/parameters';

const properties: INodeProperties[] = [
	certificateLocator({ description: 'The certificate to get' }),
	optionsCollection([
		{
			displayName: 'Include Content',
			name: 'includeContent',
			type: 'boolean',
			default: false,
			description: 'Whether to include the certificate itself (PEM) in certificate_details.content',
		},
		{
			displayName: 'Include Details',
			name: 'includeDetails',
			type: 'boolean',
			default: false,
			description:
				'Whether to add the parsed certificate as details: subject, issuer, serial number, SHA-256 fingerprint, CA, key, validity and days until expiry',
		},
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const certificateId = readId.call(this, 'certificateId', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const includeContent = options.includeContent === true;
	const includeDetails = options.includeDetails === true;
	const certificate = await adminApiRequest(
		this,
		{
			endpoint: ENDPOINTS.getCertificate,
			ids: { certificate_id: certificateId },
			// The SDKs' form of the spec's `include` array. Details are computed from the content.
			qs: includeContent || includeDetails ? { 'include[]': 'content' } : {},
		},
		settings,
	);
	const json: IDataObject = { ...certificate };
	if (includeDetails) {
		const parsed = parseCertificate(certificate.certificate_details?.content ?? '');
		json.details = parsed ? certificateDetails(parsed, Math.floor(Date.now() / 1000)) : null;
	}
	if (!includeContent && certificate.certificate_details) {
		const details = { ...certificate.certificate_details };
		delete details.content;
		json.certificate_details = details;
	}
	return [{ json }];
}
