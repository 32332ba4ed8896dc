import type { IDataObject, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { AuditLogEntry, CertificateEventType } from '../OpenAiCertificates/helpers/answers';
import { asNodeError } from '../OpenAiCertificates/helpers/nodeErrors';
import { DEFAULT_REQUEST_SETTINGS, ENDPOINTS, listObjects } from '../OpenAiCertificates/transport';

/** Reads the organization's audit log (GET /organization/audit_logs) through the shared transport and paging. */

export interface AuditLogQuery {
	types: CertificateEventType[];
	projectIds: string[];
	/** Only events with `effective_at` at or after this (Unix seconds). */
	since?: number;
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

/** What a failed audit log read says: audit logging off, an answer not used, or the transport's error. */
function auditLogFailure(context: IPollFunctions, error: unknown) {
	if (isAuditLoggingOff(error)) return auditLoggingOffError(context, error as NodeApiError);
	const failure = asNodeError(context.getNode(), error, undefined);
	// An answer without the documented shape (a 2xx the entry's check refused) is not used.
	if (failure instanceof NodeApiError && /^2/.test(failure.httpCode ?? ''))
		failure.description = `Nothing was reported and nothing was remembered; the next poll reads the same events again. Check that the Base URL in the credential points to the OpenAI Admin API and not to a proxy's login or error page.`;
	return failure;
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
	const call = { endpoint: ENDPOINTS['list-audit-logs'], qs };
	try {
		yield* listObjects(context, call, DEFAULT_REQUEST_SETTINGS);
	} catch (error) {
		throw auditLogFailure(context, error);
	}
}
