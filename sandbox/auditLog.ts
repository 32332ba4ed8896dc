import type { Organization } from './organization';
import { nowSeconds } from './organization';

/**
 * The fake's audit log (spec/openai-admin-audit-logs.openapi.yaml): every certificate write the fake
 * serves is recorded as OpenAI records it, with the actor derived from the key that was used, and
 * GET /organization/audit_logs lists the events newest first with the documented filters and paging.
 * Several keys can be accepted (each its own actor), so tests can tell a rotation job from a person.
 */

export type AuditEventType =
	| 'certificate.created'
	| 'certificate.updated'
	| 'certificate.deleted'
	| 'certificates.activated'
	| 'certificates.deactivated';

export interface AuditActor {
	type: 'session' | 'api_key';
	session?: { user: { id: string; email: string }; ip_address: string };
	api_key?: {
		id: string;
		type: 'user' | 'service_account';
		user?: { id: string; email: string };
		service_account?: { id: string };
	};
}

export interface AuditEvent {
	id: string;
	type: AuditEventType;
	effective_at: number;
	actor: AuditActor;
	project?: { id: string; name: string };
	[details: string]: unknown;
}

/** What the fake answers while audit logging is off (the real status and body are undocumented: see spec/NOTES.md). */
export const AUDIT_LOGGING_DISABLED = {
	status: 403,
	message:
		'Audit logging is not enabled for this organization. An organization owner can enable it in the organization settings under Data controls.',
	code: 'audit_logging_not_enabled',
};

export class AuditLog {
	readonly events: AuditEvent[] = [];
	/** False answers GET /organization/audit_logs with AUDIT_LOGGING_DISABLED (the status and message can be changed). */
	enabled = true;
	disabledAnswer = { ...AUDIT_LOGGING_DISABLED };
	/**
	 * The organization's default project, which OpenAI associates every admin-key action with that is not
	 * scoped to a project (spec/NOTES.md, "Project"). Undefined: the oldest project that is not archived.
	 */
	defaultProjectId: string | undefined;
	/** The clock of `effective_at` (Unix seconds); tests pin it to put events in the same second. */
	clock: () => number = nowSeconds;
	private readonly actors = new Map<string, AuditActor>();
	private sequence = 0;

	/** Accepts `apiKey` as an admin key of this organization, acting as `actor` (by default an owner's admin key). */
	addKey(apiKey: string, actor?: AuditActor): AuditActor {
		const known = this.actors.get(apiKey);
		if (known && !actor) return known;
		const number = this.actors.size + 1;
		const owned: AuditActor = actor ?? {
			type: 'api_key',
			api_key: {
				id: `key_sandbox${number}`,
				type: 'user',
				user: { id: `user-sandbox${number}`, email: `admin${number}@sandbox.local` },
			},
		};
		this.actors.set(apiKey, owned);
		return owned;
	}

	/** The actor a request's `Authorization` header stands for, or undefined for an unknown key. */
	actorOf(authorization: string | undefined): AuditActor | undefined {
		const key = authorization?.replace(/^Bearer\s+/i, '');
		return key === undefined ? undefined : this.actors.get(key);
	}

	record(
		type: AuditEventType,
		actor: AuditActor,
		details: unknown,
		project?: { id: string; name: string },
	): AuditEvent {
		this.sequence += 1;
		const effectiveAt = this.clock();
		const day = new Date(effectiveAt * 1000).toISOString().slice(0, 10).replace(/-/g, '');
		const event: AuditEvent = {
			id: `audit_log-${this.sequence.toString(36).padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}_${day}`,
			type,
			effective_at: effectiveAt,
			actor,
			...(project ? { project } : {}),
			[type]: details,
		};
		this.events.push(event);
		return event;
	}

	/** Events newest first (effective_at, then the order they were recorded). */
	newestFirst(): AuditEvent[] {
		return this.events
			.map((event, index) => ({ event, index }))
			.sort((a, b) => b.event.effective_at - a.event.effective_at || b.index - a.index)
			.map(({ event }) => event);
	}
}

/** The project an admin-key action not scoped to a project is recorded under, if the organization has one. */
export function defaultProjectOf(
	organization: Organization,
	log: AuditLog,
): { id: string; name: string } | undefined {
	const projects = [...organization.projects.values()].filter((project) => !project.archived_at);
	const project =
		log.defaultProjectId === undefined
			? projects.sort((a, b) => a.created_at - b.created_at)[0]
			: organization.projects.get(log.defaultProjectId);
	return project && { id: project.id, name: project.name };
}

const logs = new WeakMap<Organization, AuditLog>();

/** The audit log of a fake organization (made on first use). */
export function auditLogOf(organization: Organization): AuditLog {
	let log = logs.get(organization);
	if (!log) {
		log = new AuditLog();
		logs.set(organization, log);
	}
	return log;
}
