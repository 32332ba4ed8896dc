import type { INodeProperties } from 'n8n-workflow';

import * as deleteCertificate from './delete.operation';

export const operations = {
	delete: deleteCertificate,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['certificate'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a certificate from the organization',
				action: 'Delete a certificate',
			},
		],
		default: 'delete',
	},
	...deleteCertificate.description,
];
