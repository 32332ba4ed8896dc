import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { daysUntil, expiresWithinDays } from '../OpenAiCertificates/helpers/dates';
import type { NumberRule } from '../OpenAiCertificates/helpers/numbers';
import { checkNumber, numberTypeOptions } from '../OpenAiCertificates/helpers/numbers';
import { DEFAULT_REQUEST_SETTINGS, listUpTo } from '../OpenAiCertificates/transport';
import type { OrganizationCertificate } from '../OpenAiCertificates/transport/shapes';
import {
	AUDIT_EVENT,
	auditEventOption,
	auditEventProperties,
	pollAuditEvents,
} from './auditEvents';

const DAYS_BEFORE_EXPIRY: NumberRule = { label: 'Days Before Expiry', min: 0, whole: false };

/** What the trigger remembers between polls, in the workflow's static data (nothing else: queue-mode safe). */
interface TriggerState extends IDataObject {
	/** Set once the first poll has recorded the organization. */
	initialized?: boolean;
	/** Every certificate seen last time: ID → its version and the object, for Removed. */
	known?: Record<string, { version: string; certificate: IDataObject }>;
	/** Versions already reported as expiring soon: ID → version. */
	reportedExpiring?: Record<string, string>;
}

/** A certificate "changes" when it is re-uploaded under the same ID or its validity changes. */
function versionOf(certificate: OrganizationCertificate): string {
	const details = certificate.certificate_details ?? {};
	return `${certificate.created_at ?? ''}:${details.valid_at ?? ''}:${details.expires_at ?? ''}`;
}

const MANUAL_SAMPLE_SIZE = 5;

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
		const days =
			event === 'expiringSoon'
				? checkNumber(
						this.getNode(),
						this.getNodeParameter('daysBeforeExpiry', 30),
						DAYS_BEFORE_EXPIRY,
					)
				: 0;
		const now = Math.floor(Date.now() / 1000);
		const certificates = await listUpTo<OrganizationCertificate>(
			this,
			['organization', 'certificates'],
			{ order: 'asc' },
			DEFAULT_REQUEST_SETTINGS,
			undefined,
		);
		const expiring = (certificate: OrganizationCertificate) =>
			expiresWithinDays(certificate.certificate_details?.expires_at, days, now);
		const withEvent = (certificate: OrganizationCertificate): IDataObject => {
			const json: IDataObject = { event, ...certificate };
			const expiresAt = certificate.certificate_details?.expires_at;
			if (event === 'expiringSoon' && expiresAt !== undefined)
				json.daysUntilExpiry = daysUntil(expiresAt, now);
			return json;
		};

		if (this.getMode() === 'manual') {
			// A test run: show current matches (or the newest certificate) so fields can be mapped; remember nothing.
			const matches = event === 'expiringSoon' ? certificates.filter(expiring) : [];
			const sample = (matches.length ? matches : certificates.slice(-1)).slice(
				0,
				MANUAL_SAMPLE_SIZE,
			);
			return sample.length ? [this.helpers.returnJsonArray(sample.map(withEvent))] : null;
		}

		const state = this.getWorkflowStaticData('node') as TriggerState;
		const previous = state.known ?? {};
		const firstPoll = state.initialized !== true;
		const fired: IDataObject[] = [];

		if (event === 'added' && !firstPoll) {
			for (const certificate of certificates) {
				if (previous[certificate.id]?.version !== versionOf(certificate))
					fired.push(withEvent(certificate));
			}
		}
		if (event === 'removed' && !firstPoll) {
			const present = new Set(certificates.map((certificate) => certificate.id));
			for (const [id, entry] of Object.entries(previous)) {
				if (!present.has(id)) fired.push({ ...entry.certificate, event });
			}
		}
		if (event === 'expiringSoon') {
			const reported: Record<string, string> = {};
			for (const certificate of certificates) {
				if (!expiring(certificate)) continue;
				const version = versionOf(certificate);
				if (state.reportedExpiring?.[certificate.id] !== version)
					fired.push(withEvent(certificate));
				reported[certificate.id] = version;
			}
			// Only what is still present and expiring is kept: the state stays as small as the organization.
			state.reportedExpiring = reported;
		}

		state.known = Object.fromEntries(
			certificates.map((certificate) => [
				certificate.id,
				{ version: versionOf(certificate), certificate },
			]),
		);
		state.initialized = true;
		return fired.length ? [this.helpers.returnJsonArray(fired)] : null;
	}
}
