import type { INodeProperties } from 'n8n-workflow';

import * as activate from './activate.operation';
import * as deactivate from './deactivate.operation';
import * as getAll from './getAll.operation';

export const operations = { activate, deactivate, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['projectCertificate'] } },
		options: [
			{
				name: 'Activate',
				value: 'activate',
				description: 'Activate certificates for a project',
				action: 'Activate certificates in a project',
			},
			{
				name: 'Deactivate',
				value: 'deactivate',
				description: 'Deactivate certificates for a project',
				action: 'Deactivate certificates in a project',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: "List a project's certificates and whether each is active in it",
				action: 'Get many project certificates',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...activate.description,
	...deactivate.description,
];
