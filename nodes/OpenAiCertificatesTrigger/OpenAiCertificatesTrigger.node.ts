import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { numberTypeOptions } from '../OpenAiCertificates/helpers/numbers';
import {
	AUDIT_EVENT,
	auditEventOption,
	auditEventProperties,
	pollAuditEvents,
} from './auditEvents';
import type { ListEvent } from './listEvents';
import { DAYS_BEFORE_EXPIRY, pollListEvents } from './listEvents';

export class OpenAiCertificatesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Certificates Trigger',
		name: 'openAiCertificatesTrigger',
		icon: {
			light: 'file:../../icons/openAiCertificates.svg',
			dark: 'file:../../icons/openAiCertificates.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description:
			'Starts the workflow when an OpenAI organization certificate is about to expire, is added, is removed or is changed',
		defaults: { name: 'OpenAI Certificates Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openAiAdminApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Certificate Added',
						value: 'added',
						description: 'A certificate was uploaded to the organization',
					},
					auditEventOption,
					{
						name: 'Certificate Expiring Soon',
						value: 'expiringSoon',
						description: 'A certificate expires within the given number of days (or has expired)',
					},
					{
						name: 'Certificate Removed',
						value: 'removed',
						description: 'A certificate was deleted from the organization',
					},
				],
				default: 'expiringSoon',
			},
			{
				displayName: 'Days Before Expiry',
				name: 'daysBeforeExpiry',
				type: 'number',
				typeOptions: numberTypeOptions(DAYS_BEFORE_EXPIRY),
				default: 30,
				description: 'Fire when a certificate expires within this many days from now',
				displayOptions: { show: { event: ['expiringSoon'] } },
			},
			...auditEventProperties,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event') as string;
		if (event === AUDIT_EVENT) return await pollAuditEvents(this);
		return await pollListEvents(this, event as ListEvent);
	}
}
