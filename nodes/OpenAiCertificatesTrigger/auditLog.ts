import type { IDataObject, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_REQUEST_SETTINGS, listPages } from '../OpenAiCertificates/transport';

/** Reads the organization's audit log (GET /organization/audit_logs) through the shared transport and paging. */

export const CERTIFICATE_EVENT_TYPES = [
	'certificate.created',
	'certificate.updated',
	'certificate.deleted',
	'certificates.activated',
	'certificates.deactivated',
] as const;

export type CertificateEventType = (typeof CERTIFICATE_EVENT_TYPES)[number];

export interface CertificateReference extends IDataObject {
	id: string;
	name?: string;
}

/** One audit log event, checked: the fields the trigger relies on are there and of the documented types. */
export interface AuditLogEntry extends IDataObject {
	id: string;
	type: CertificateEventType;
	effective_at: number;
	actor?: IDataObject | null;
	project?: { id: string; name?: string };
}

export interface AuditLogQuery {
	types: CertificateEventType[];
	projectIds: string[];
	/** Only events with `effective_at` at or after this (Unix seconds). */
	since?: number;
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const isReference = (value: unknown): value is CertificateReference =>
	isObject(value) && typeof value.id === 'string' && value.id !== '';

/** What is wrong with an audit log event, or undefined when it has the documented shape. */
function entryProblem(entry: unknown): string | undefined {
	if (!isObject(entry)) return 'an event that is not an object';
	if (typeof entry.id !== 'string' || entry.id === '') return 'an event without an ID';
	if (!CERTIFICATE_EVENT_TYPES.includes(entry.type as CertificateEventType))
		return `event ${entry.id} of a type that was not asked for (${String(entry.type)})`;
	if (!Number.isSafeInteger(entry.effective_at))
		return `event ${entry.id} without an effective_at time`;
	if (entry.project !== undefined && entry.project !== null && !isReference(entry.project))
		return `event ${entry.id} with a project that has no ID`;
	if (entry.actor !== undefined && entry.actor !== null && !isObject(entry.actor))
		return `event ${entry.id} with an actor that is not an object`;
	const type = entry.type as CertificateEventType;
	const details = entry[type];
	const certificates = isObject(details) ? details.certificates : undefined;
	const valid = type.startsWith('certificates.')
		? Array.isArray(certificates) && certificates.every(isReference)
		: isReference(details);
	return valid ? undefined : `event ${entry.id} without the certificate it concerns`;
}

function checkedEntries(context: IPollFunctions, objects: unknown): AuditLogEntry[] {
	const problem = Array.isArray(objects)
		? objects.map(entryProblem).find((found) => found !== undefined)
		: 'a list whose data is not an array';
	if (problem !== undefined) {
		throw new NodeOperationError(
			context.getNode(),
			`The OpenAI Admin API answered the audit log with ${problem}`,
			{
				description:
					'Nothing was reported and nothing was remembered; the next poll reads the same events again.',
			},
		);
	}
	return objects as AuditLogEntry[];
}

const MENTIONS_AUDIT_LOGGING = /audit[\s_-]*log/i;
const SAYS_NOT_ENABLED =
	/\b(not|n't|never)\b[\w\s-]{0,30}\b(enabled|activated|turned on|switched on|available|configured)\b|\b(disabled|enable|activate|turn on)\b/i;

/** Whether a failed audit log request says that audit logging is off (the API's status and wording are undocumented). */
export function isAuditLoggingOff(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const status = Number(error.httpCode);
	if (!(status >= 400 && status < 500) || status === 401 || status === 429) return false;
	const response = (error.errorResponse ?? {}) as JsonObject;
	const text = [error.message, response.code, response.type, response.message]
		.filter((part) => typeof part === 'string')
		.join(' ');
	return (
		/audit[\s_-]*log[\w-]*[\s_-](not[\s_-]*enabled|disabled|not[\s_-]*activated)/i.test(text) ||
		(MENTIONS_AUDIT_LOGGING.test(text) && SAYS_NOT_ENABLED.test(text))
	);
}

function auditLoggingOffError(context: IPollFunctions, error: NodeApiError): NodeApiError {
	return new NodeApiError(context.getNode(), (error.errorResponse ?? {}) as JsonObject, {
		message: 'Audit logging is not enabled for this OpenAI organization',
		description:
			`OpenAI answered: "${error.message}". The Certificate Changed events are read from the audit log. ` +
			'An organization owner can turn it on in the OpenAI platform: Settings → Organization → Data controls → ' +
			'Audit logging. Once on, it cannot be turned off again, and only changes made after that are logged.',
		httpCode: error.httpCode ?? undefined,
	});
}

/**
 * The audit log's certificate events, newest first as the API lists them, page after page (stopping the
 * iteration stops the requests). Every event is checked before it is used.
 */
export async function* auditLogEntries(
	context: IPollFunctions,
	query: AuditLogQuery,
): AsyncGenerator<AuditLogEntry> {
	const qs: IDataObject = { 'event_types[]': [...query.types] };
	if (query.projectIds.length) qs['project_ids[]'] = [...query.projectIds];
	if (query.since !== undefined) qs['effective_at[gte]'] = query.since;
	const pages = listPages<IDataObject>(
		context,
		['organization', 'audit_logs'],
		qs,
		DEFAULT_REQUEST_SETTINGS,
	);
	try {
		for await (const page of pages) yield* checkedEntries(context, page.objects);
	} catch (error) {
		throw isAuditLoggingOff(error) ? auditLoggingOffError(context, error as NodeApiError) : error;
	}
}
