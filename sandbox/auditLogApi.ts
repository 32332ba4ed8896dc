import type { AuditActor, AuditEvent, AuditEventType } from './auditLog';
import { auditLogOf, defaultProjectOf } from './auditLog';
import type { Organization } from './organization';
import type { LoggedRequest } from './fakeAdminApi';

/**
 * The fake's side of the audit log: GET /organization/audit_logs (filters, paging) and the recording
 * of an audit event for every certificate write the fake serves. Hooked into routes.ts in two places.
 */

const EVENT_TYPES: AuditEventType[] = [
	'certificate.created',
	'certificate.updated',
	'certificate.deleted',
	'certificates.activated',
	'certificates.deactivated',
];

interface Answer {
	status: number;
	body: unknown;
}

class QueryError extends Error {
	constructor(
		message: string,
		readonly param: string,
	) {
		super(message);
	}
}

function values(query: LoggedRequest['query'], key: string): string[] | undefined {
	const value = query[key];
	return value === undefined ? undefined : ([] as string[]).concat(value);
}

function integerParam(query: LoggedRequest['query'], key: string): number | undefined {
	const value = values(query, key)?.pop();
	if (value === undefined) return undefined;
	if (!/^-?\d+$/.test(value))
		throw new QueryError(`Invalid '${key}': expected an integer, got '${value}'.`, key);
	return Number(value);
}

function actorIdentities(actor: AuditActor | null): { ids: string[]; emails: string[] } {
	const user = actor?.session?.user ?? actor?.api_key?.user;
	const ids = [actor?.api_key?.id, actor?.api_key?.service_account?.id, user?.id].filter(
		(id): id is string => !!id,
	);
	return { ids, emails: user ? [user.email] : [] };
}

function resourceIds(event: AuditEvent): string[] {
	const details = event[event.type] as { id?: string; certificates?: Array<{ id: string }> };
	return details.certificates
		? details.certificates.map((certificate) => certificate.id)
		: [details.id ?? ''];
}

/** The filters of the spec, each applied when given. */
function matchesFilters(query: LoggedRequest['query'], event: AuditEvent): boolean {
	const bounds: Array<[string, (at: number, bound: number) => boolean]> = [
		['effective_at[gt]', (at, bound) => at > bound],
		['effective_at[gte]', (at, bound) => at >= bound],
		['effective_at[lt]', (at, bound) => at < bound],
		['effective_at[lte]', (at, bound) => at <= bound],
	];
	for (const [key, holds] of bounds) {
		const bound = integerParam(query, key);
		if (bound !== undefined && !holds(event.effective_at, bound)) return false;
	}
	const { ids, emails } = actorIdentities(event.actor);
	const anyOf = (key: string, candidates: string[]) => {
		const wanted = values(query, key);
		return wanted === undefined || candidates.some((candidate) => wanted.includes(candidate));
	};
	return (
		anyOf('event_types[]', [event.type]) &&
		anyOf('project_ids[]', event.project ? [event.project.id] : []) &&
		anyOf('actor_ids[]', ids) &&
		anyOf('actor_emails[]', emails) &&
		anyOf('resource_ids[]', resourceIds(event))
	);
}

function pageOf(events: AuditEvent[], query: LoggedRequest['query']): Answer['body'] {
	const limit = integerParam(query, 'limit') ?? 20;
	if (limit < 1 || limit > 100)
		throw new QueryError(
			`Invalid 'limit': expected an integer between 1 and 100, got '${limit}'.`,
			'limit',
		);
	const after = values(query, 'after')?.pop();
	const before = values(query, 'before')?.pop();
	let start = 0;
	let end = events.length;
	if (after !== undefined)
		start = events.findIndex((event) => event.id === after) + 1 || events.length;
	if (before !== undefined)
		end = Math.max(
			0,
			events.findIndex((event) => event.id === before),
		);
	const window = events.slice(start, end);
	const data = before !== undefined ? window.slice(-limit) : window.slice(0, limit);
	return {
		object: 'list',
		data,
		first_id: data.length ? data[0].id : null,
		last_id: data.length ? data[data.length - 1].id : null,
		has_more: window.length > limit,
	};
}

function errorAnswer(
	status: number,
	message: string,
	param: string | null,
	code: string | null,
): Answer {
	return { status, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/** The answer to GET /organization/audit_logs, or undefined for any other request. */
export function answerAuditLogs(
	organization: Organization,
	request: LoggedRequest,
	path: string | undefined,
): Answer | undefined {
	if (path !== '/organization/audit_logs') return undefined;
	if (request.method !== 'GET')
		return errorAnswer(405, `Invalid URL (${request.method} ${request.path})`, null, null);
	request.operationId = 'list-audit-logs';
	const log = auditLogOf(organization);
	if (!log.enabled)
		return errorAnswer(
			log.disabledAnswer.status,
			log.disabledAnswer.message,
			null,
			log.disabledAnswer.code,
		);
	try {
		const unknown = (values(request.query, 'event_types[]') ?? []).filter(
			(type) => !EVENT_TYPES.includes(type as AuditEventType),
		);
		if (unknown.length)
			throw new QueryError(
				`Invalid 'event_types[]': unknown event type '${unknown[0]}'.`,
				'event_types[]',
			);
		const events = log.newestFirst().filter((event) => matchesFilters(request.query, event));
		return { status: 200, body: pageOf(events, request.query) };
	} catch (error) {
		if (!(error instanceof QueryError)) throw error;
		return errorAnswer(400, error.message, error.param, 'invalid_value');
	}
}

interface Named {
	id: string;
	name: string | null;
}

const named = ({ id, name }: Named) => ({ id, name: name ?? '' });

/**
 * Runs a route's handler and, when it succeeds and is a certificate write, records its audit event
 * as the actor of the key the request used.
 */
export function recordingAuditEvent<T>(
	organization: Organization,
	operationId: string,
	params: string[],
	request: LoggedRequest,
	handle: () => T,
): T {
	const log = auditLogOf(organization);
	const before =
		operationId === 'deleteCertificate' ? organization.certificates.get(params[0]) : undefined;
	const result = handle();
	const actor = log.actorOf(request.authorization);
	if (!actor) return result;
	const answer = result as Named & { data?: Named[] };
	const project = operationId.endsWith('ProjectCertificates')
		? organization.projects.get(params[0])
		: undefined;
	// A project-level change is recorded under its project; any other made with an admin key, under the
	// default project (as OpenAI says it does); one made in a session, under none.
	const place = project
		? { id: project.id, name: project.name }
		: actor.type === 'api_key'
			? defaultProjectOf(organization, log)
			: undefined;
	if (operationId === 'uploadCertificate')
		log.record('certificate.created', actor, named(answer), place);
	if (operationId === 'modifyCertificate')
		log.record('certificate.updated', actor, named(answer), place);
	if (operationId === 'deleteCertificate' && before) {
		const details = { ...named(before), certificate: before.content };
		log.record('certificate.deleted', actor, details, place);
	}
	if (/^activate/.test(operationId))
		log.record(
			'certificates.activated',
			actor,
			{ certificates: (answer.data ?? []).map(named) },
			place,
		);
	if (/^deactivate/.test(operationId))
		log.record(
			'certificates.deactivated',
			actor,
			{ certificates: (answer.data ?? []).map(named) },
			place,
		);
	return result;
}
