import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Operation } from '../node.type';
import * as activate from './activate.operation';
import * as deactivate from './deactivate.operation';
import * as deleteCertificate from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as rotate from './rotate.operation';
import * as rename from './rename.operation';
import * as upload from './upload.operation';

/** The Operation options; their values name the operations below. */
const operationOptions = [
	{
		name: 'Activate',
		value: 'activate',
		description: 'Activate certificates for the organization',
		action: 'Activate certificates in the organization',
	},
	{
		name: 'Deactivate',
		value: 'deactivate',
		description: 'Deactivate certificates for the organization',
		action: 'Deactivate certificates in the organization',
	},
	{
		name: 'Delete',
		value: 'delete',
		description: 'Delete a certificate from the organization',
		action: 'Delete a certificate',
	},
	{
		name: 'Get',
		value: 'get',
		description: 'Get a certificate, optionally with its PEM content',
		action: 'Get a certificate',
	},
	{
		name: 'Get Many',
		value: 'getAll',
		description: "List the organization's certificates",
		action: 'Get many certificates',
	},
	{
		name: 'Rename',
		value: 'rename',
		description: 'Change the name of a certificate',
		action: 'Rename a certificate',
	},
	{
		name: 'Rotate',
		value: 'rotate',
		description:
			'Replace a certificate: upload the new one, activate it where the old one is active, then deactivate (and optionally delete) the old one',
		action: 'Rotate a certificate',
	},
	{
		name: 'Upload',
		value: 'upload',
		description: 'Upload a certificate to the organization (it is not activated)',
		action: 'Upload a certificate',
	},
] as const satisfies readonly INodePropertyOptions[];

type CertificateOperation = (typeof operationOptions)[number]['value'];

/** One operation per option: a missing or misspelt one does not compile. */
export const operations = {
	activate,
	deactivate,
	delete: deleteCertificate,
	get,
	getAll,
	rename,
	upload,
	rotate,
} satisfies Record<CertificateOperation, Operation>;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['certificate'] } },
		options: [...operationOptions],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...upload.description,
	...rename.description,
	...rotate.description,
	...activate.description,
	...deactivate.description,
	...deleteCertificate.description,
];
