import type { IDataObject } from 'n8n-workflow';

import type {
	AuditLogEntry,
	CertificateEventType,
	CertificateReference,
} from '../OpenAiCertificates/helpers/answers';

/** What the trigger outputs for one audit log event, its place, and the actor and project filters. */

export const EVENT_NAMES: Record<CertificateEventType, string> = {
	'certificate.created': 'certificateCreated',
	'certificate.updated': 'certificateRenamed',
	'certificate.deleted': 'certificateDeleted',
	'certificates.activated': 'certificateActivated',
	'certificates.deactivated': 'certificateDeactivated',
};

export interface ActorFilter {
	/** Report only events whose actor has one of these identities (empty: everyone). */
	only: string[];
	/** Skip events whose actor has one of these identities. */
	ignore: string[];
}

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value !== '' ? value : undefined;

const objectAt = (value: unknown, key: string): IDataObject =>
	((value as IDataObject | null | undefined)?.[key] ?? {}) as IDataObject;

const defined = (fields: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

/** Who did it: a person in a session, or an API key of a user or of a service account. */
function actorOf(entry: AuditLogEntry): IDataObject {
	const actor = entry.actor ?? {};
	const session = objectAt(actor, 'session');
	const apiKey = objectAt(actor, 'api_key');
	const user = objectAt(actor.type === 'session' ? session : apiKey, 'user');
	const email = text(user.email);
	const userId = text(user.id);
	if (actor.type === 'session') {
		const ipAddress = text(session.ip_address);
		return defined({
			type: 'user',
			name: email ?? userId ?? 'unknown user',
			userId,
			email,
			ipAddress,
		});
	}
	const apiKeyId = text(apiKey.id);
	if (actor.type === 'api_key' && apiKey.type === 'service_account') {
		const serviceAccountId = text(objectAt(apiKey, 'service_account').id);
		const name = `API key ${apiKeyId ?? '?'} of service account ${serviceAccountId ?? '?'}`;
		return defined({ type: 'serviceAccount', name, apiKeyId, serviceAccountId });
	}
	if (actor.type === 'api_key') {
		const name = `API key ${apiKeyId ?? '?'} of ${email ?? userId ?? 'a user'}`;
		return defined({ type: 'apiKey', name, apiKeyId, userId, email });
	}
	return { type: 'unknown', name: 'unknown actor' };
}

/** The IDs and email an actor filter can name, lower case. */
function identitiesOf(actor: IDataObject): string[] {
	return [actor.apiKeyId, actor.userId, actor.email, actor.serviceAccountId]
		.filter((value): value is string => typeof value === 'string')
		.map((value) => value.toLowerCase());
}

export function passesActorFilter(entry: AuditLogEntry, filter: ActorFilter): boolean {
	const identities = identitiesOf(actorOf(entry));
	const named = (list: string[]) => list.some((value) => identities.includes(value.toLowerCase()));
	return (filter.only.length === 0 || named(filter.only)) && !named(filter.ignore);
}

function certificatesOf(entry: AuditLogEntry): IDataObject[] {
	const details = entry[entry.type] as IDataObject;
	const references = entry.type.startsWith('certificates.')
		? (details.certificates as CertificateReference[])
		: [details as CertificateReference];
	return references.map((reference) => ({
		id: reference.id,
		name: reference.name ?? null,
		// A deleted certificate's PEM, so it can be uploaded again.
		...(typeof reference.certificate === 'string' ? { content: reference.certificate } : {}),
	}));
}

/** Where a change was made: the organization, a project, or one of the two (the log cannot tell). */
export type Place = 'organization' | 'project' | 'organizationOrProject';

/**
 * The place of a change as the audit log records it (spec/NOTES.md, "Project"), from the event type and
 * payload rather than from whether `project` is present: OpenAI associates every admin-key action with
 * the organization's default project. A certificate is created, renamed and deleted in the organization,
 * whatever project is recorded. An activation or deactivation recorded under no project is the
 * organization's; one made in a session (the dashboard) is that project's; one made with an admin key
 * under the default project — or under any project while the default one is not known — may be either.
 */
export function placeOf(entry: AuditLogEntry, defaultProjectId: string | undefined): Place {
	if (!entry.type.startsWith('certificates.') || !entry.project) return 'organization';
	if (entry.actor?.type !== 'api_key') return 'project';
	const other = defaultProjectId !== undefined && entry.project.id !== defaultProjectId;
	return other ? 'project' : 'organizationOrProject';
}

/** Only in Projects: changes that are, or may be, in one of these projects (none given: every change). */
export function passesProjectFilter(
	entry: AuditLogEntry,
	projectIds: string[],
	defaultProjectId: string | undefined,
): boolean {
	if (projectIds.length === 0) return true;
	const inProject = placeOf(entry, defaultProjectId) !== 'organization';
	return inProject && projectIds.includes(entry.project!.id);
}

/** One output item: the change, the certificate(s), the place, the actor and the time. */
export function auditItem(entry: AuditLogEntry, defaultProjectId: string | undefined): IDataObject {
	const recorded = entry.project
		? { id: entry.project.id, name: entry.project.name ?? null }
		: null;
	const place = placeOf(entry, defaultProjectId);
	return {
		event: EVENT_NAMES[entry.type],
		certificates: certificatesOf(entry),
		place,
		project: place === 'organization' ? null : recorded,
		auditLogProject: recorded,
		actor: actorOf(entry),
		occurredAt: new Date(entry.effective_at * 1000).toISOString(),
		effectiveAt: entry.effective_at,
		auditLogId: entry.id,
		auditLogType: entry.type,
	};
}
