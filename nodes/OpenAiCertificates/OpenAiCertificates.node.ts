import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as certificate from './actions/certificate';
import * as projectCertificate from './actions/projectCertificate';
import type { Resource } from './actions/router';
import { router } from './actions/router';
import { getCertificates, searchCertificates, searchProjects } from './methods/listSearch';

/** The Resource options; each value names a resource of the router. */
const resourceOptions: Array<INodePropertyOptions & { value: Resource }> = [
	{ name: 'Certificate', value: 'certificate', description: "The organization's certificates" },
	{
		name: 'Project Certificate',
		value: 'projectCertificate',
		description: 'Certificates as seen by one project',
	},
];

export class OpenAiCertificates implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Certificates',
		name: 'openAiCertificates',
		icon: {
			light: 'file:../../icons/openAiCertificates.svg',
			dark: 'file:../../icons/openAiCertificates.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Manage the mTLS certificates of an OpenAI organization through the Admin API',
		defaults: { name: 'OpenAI Certificates' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'openAiAdminApi', required: true },
			{
				// Rotate's canary check: one request through OpenAI's mTLS host.
				name: 'openAiMtlsClientApi',
				displayName: 'OpenAI mTLS Client (optional: only to verify the canary)',
				required: false,
				displayOptions: { show: { resource: ['certificate'], operation: ['rotate'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: resourceOptions,
				default: 'certificate',
			},
			...certificate.description,
			...projectCertificate.description,
		],
	};

	methods = {
		listSearch: { searchCertificates, searchProjects },
		loadOptions: { getCertificates },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
