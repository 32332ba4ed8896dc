import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { adminApiRequest, ENDPOINTS } from '../../transport';
import {
	certificateLocator,
	readId,
	readOptions,
	requestSettings,
	optionsCollection,
} from '../shared/parameters';

const properties: INodeProperties[] = [
	certificateLocator({ description: 'The certificate to rename' }),
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: 'The new name of the certificate (the name is the only thing that can be changed)',
	},
	optionsCollection([]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['rename'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const certificateId = readId.call(this, 'certificateId', itemIndex);
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	if (name === '') {
		throw new NodeOperationError(this.getNode(), `The new name of item ${itemIndex} is empty`, {
			itemIndex,
			description: 'Give the name the certificate should have.',
		});
	}
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const certificate = await adminApiRequest(
		this,
		{
			endpoint: ENDPOINTS.modifyCertificate,
			ids: { certificate_id: certificateId },
			body: { name },
		},
		settings,
	);
	return [{ json: certificate }];
}
