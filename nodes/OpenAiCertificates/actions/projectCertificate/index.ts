import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Operation } from '../node.type';
import * as activate from './activate.operation';
import * as deactivate from './deactivate.operation';
import * as getAll from './getAll.operation';

/** The Operation options; their values name the operations below. */
const operationOptions = [
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
] as const satisfies readonly INodePropertyOptions[];

type ProjectCertificateOperation = (typeof operationOptions)[number]['value'];

/** One operation per option: a missing or misspelt one does not compile. */
export const operations = { activate, deactivate, getAll } satisfies Record<
	ProjectCertificateOperation,
	Operation
>;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['projectCertificate'] } },
		options: [...operationOptions],
		default: 'getAll',
	},
	...getAll.description,
	...activate.description,
	...deactivate.description,
];
