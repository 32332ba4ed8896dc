import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { adminApiRequest } from '../../transport';
import { certificateLocator, readId, readOptions, requestOptionFields, requestSettings } from '../parameters';

const properties: INodeProperties[] = [
	certificateLocator({ description: 'The certificate to delete. It must be inactive in the organization and in every project.' }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Ignore Not Found',
				name: 'ignoreNotFound',
				type: 'boolean',
				default: false,
				description:
					'Whether to treat a certificate that no longer exists as already deleted, so a cleanup job can run twice',
			},
			...requestOptionFields,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['delete'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const certificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const response = await adminApiRequest(
		this,
		{
			method: 'DELETE',
			path: ['organization', 'certificates', certificateId],
			notFoundIsUndefined: options.ignoreNotFound === true,
		},
		settings,
	);
	const json: IDataObject = response ?? { object: 'certificate.deleted', id: certificateId, alreadyDeleted: true };
	return [{ json }];
}
