import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { adminApiRequest } from '../../transport';
import { certificateLocator, readId, readOptions, requestOptionFields, requestSettings } from '../parameters';

const properties: INodeProperties[] = [
	certificateLocator({ description: 'The certificate to get' }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Content',
				name: 'includeContent',
				type: 'boolean',
				default: false,
				description: 'Whether to include the certificate itself (PEM) in certificate_details.content',
			},
			...requestOptionFields,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['certificate'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const certificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const certificate = await adminApiRequest(
		this,
		{
			method: 'GET',
			path: ['organization', 'certificates', certificateId],
			// The SDKs' form of the spec's `include` array.
			qs: options.includeContent === true ? { 'include[]': 'content' } : {},
		},
		settings,
	);
	return [{ json: certificate }];
}
