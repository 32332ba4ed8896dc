import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AuditCursor } from './auditCursor';
import { advance, LOOKBACK_SECONDS, readFrom, storedCursor, unseen } from './auditCursor';
import type { AuditLogQuery } from './auditLog';
import { auditLogEntries } from './auditLog';
import type { AuditLogEntry, CertificateEventType } from '../OpenAiCertificates/helpers/answers';
import { CERTIFICATE_EVENT_TYPES } from '../OpenAiCertificates/helpers/answers';
import { parseId } from '../OpenAiCertificates/helpers/ids';
import type { ActorFilter } from './auditItems';
import { auditItem, passesActorFilter, passesProjectFilter } from './auditItems';

/** The trigger's "Certificate Changed" event: certificate changes read from the organization's audit log. */

export const AUDIT_EVENT = 'certificateChanged';

export const auditEventOption = {
	name: 'Certificate Changed (Audit Log)',
	value: AUDIT_EVENT,
	description:
		'A certificate was created, renamed, deleted, activated or deactivated, with who did it (needs audit logging)',
};

const show = { displayOptions: { show: { event: [AUDIT_EVENT] } } };

const CHANGE_OPTIONS: Array<{ name: string; value: CertificateEventType; description: string }> = [
	{
		name: 'Activated',
		value: 'certificates.activated',
		description: 'For the organization or a project',
	},
	{ name: 'Created', value: 'certificate.created', description: 'Uploaded to the organization' },
	{
		name: 'Deactivated',
		value: 'certificates.deactivated',
		description: 'For the organization or a project',
	},
	{ name: 'Deleted', value: 'certificate.deleted', description: 'Deleted from the organization' },
	{ name: 'Renamed', value: 'certificate.updated', description: 'Its name was changed' },
];

const listHint = 'Comma-separated';

export const auditEventProperties: INodeProperties[] = [
	{
		displayName: 'Changes',
		name: 'changes',
		type: 'multiOptions',
		options: CHANGE_OPTIONS,
		default: [...CERTIFICATE_EVENT_TYPES],
		required: true,
		description: 'Which certificate changes start the workflow',
		...show,
	},
	{
		displayName: 'Options',
		name: 'auditOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		...show,
		options: [
			{
				displayName: 'Ignore Changes By',
				name: 'ignoreActors',
				type: 'string',
				default: '',
				placeholder: 'key_abc123',
				description: `${listHint} API key IDs, user IDs, emails or service account IDs whose changes are not reported, e.g. the ID of the rotation job's admin key`,
			},
			{
				displayName: 'Only Changes By',
				name: 'onlyActors',
				type: 'string',
				default: '',
				placeholder: 'alice@example.com',
				description: `${listHint} API key IDs, user IDs, emails or service account IDs: only their changes are reported`,
			},
			{
				displayName: 'Only in Projects',
				name: 'projectIds',
				type: 'string',
				default: '',
				placeholder: 'proj_abc123',
				description: `${listHint} project IDs: only activations and deactivations in these projects are reported, including admin-key ones that may be organization-level (place organizationOrProject)`,
			},
			{
				displayName: 'Default Project ID',
				name: 'defaultProjectId',
				type: 'string',
				default: '',
				placeholder: 'proj_abc123',
				description:
					"The ID of the organization's default project. OpenAI records admin-key actions under it, so an admin-key activation recorded there may be organization-level. With it, admin-key activations recorded under other projects are reported as those projects' changes.",
			},
		],
	},
];

interface AuditPlan {
	query: AuditLogQuery;
	actors: ActorFilter;
	defaultProjectId: string | undefined;
}

/** Whether an event passes the actor and project filters (the API's project_ids[] matches the recorded project only). */
const passes = (entry: AuditLogEntry, plan: AuditPlan) =>
	passesActorFilter(entry, plan.actors) &&
	passesProjectFilter(entry, plan.query.projectIds, plan.defaultProjectId);

function readDefaultProject(context: IPollFunctions, raw: unknown): string | undefined {
	if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	const parsed = parseId(raw);
	if ('id' in parsed) return parsed.id;
	throw new NodeOperationError(
		context.getNode(),
		`Default Project ID is refused: ${parsed.problem}`,
		{
			description: "Give the ID of the organization's default project (proj_…), or leave it empty",
		},
	);
}

const listOf = (value: unknown): string[] =>
	typeof value === 'string' ? value.split(/[\s,]+/).filter((part) => part !== '') : [];

function readPlan(context: IPollFunctions): AuditPlan {
	const changes = context.getNodeParameter('changes', []) as unknown;
	const options = context.getNodeParameter('auditOptions', {}) as IDataObject;
	const types = Array.isArray(changes) ? changes : [];
	const unknown = types.filter((type) => !CERTIFICATE_EVENT_TYPES.includes(type));
	if (types.length === 0 || unknown.length > 0) {
		throw new NodeOperationError(
			context.getNode(),
			unknown.length ? `Unknown change "${String(unknown[0])}"` : 'No change is selected',
			{ description: 'Choose at least one of the certificate changes under Changes' },
		);
	}
	return {
		query: { types: types as CertificateEventType[], projectIds: listOf(options.projectIds) },
		actors: { only: listOf(options.onlyActors), ignore: listOf(options.ignoreActors) },
		defaultProjectId: readDefaultProject(context, options.defaultProjectId),
	};
}

/** Every event from `cursor` on; without a cursor, the newest events back to LOOKBACK_SECONDS before the newest. */
async function readEntries(
	context: IPollFunctions,
	plan: AuditPlan,
	cursor: AuditCursor | undefined,
): Promise<AuditLogEntry[]> {
	const since = cursor === undefined ? undefined : readFrom(cursor);
	const entries: AuditLogEntry[] = [];
	const ids = new Set<string>();
	for await (const entry of auditLogEntries(context, { ...plan.query, since })) {
		const newest = entries[0]?.effective_at ?? entry.effective_at;
		if (cursor === undefined && entry.effective_at < newest - LOOKBACK_SECONDS) break;
		// A server that orders one second's events differently on each page repeats some: each counts once.
		if (ids.has(entry.id)) continue;
		ids.add(entry.id);
		entries.push(entry);
	}
	return entries;
}

/**
 * The item that says events may be missing: the events the last poll read (still inside the window this
 * poll re-reads) are no longer returned, so the log was cut past the stored position (its retention, or a
 * long pause); what happened in between cannot be read. Also seen once after Changes or Only in Projects
 * were changed, since the stored events were of other kinds.
 */
function gapItem(cursor: AuditCursor, entries: AuditLogEntry[]): IDataObject | undefined {
	const stored = Object.keys(cursor.seen);
	// Nothing returned: nothing newer than the stored position exists (a log loses its oldest events first),
	// so events aging out of it is no gap.
	if (stored.length === 0 || entries.length === 0) return undefined;
	const returned = new Set(entries.map((entry) => entry.id));
	if (stored.some((id) => returned.has(id))) return undefined;
	// A gap is a hole: everything returned is newer than what was read last.
	const oldest = Math.min(...entries.map((entry) => entry.effective_at));
	if (oldest <= cursor.newest) return undefined;
	const lastRead = new Date(cursor.newest * 1000).toISOString();
	return {
		event: 'auditLogGap',
		lastReadAt: cursor.newest,
		oldestReturnedAt: oldest,
		message: `The audit log no longer returns the events this trigger read last (up to ${lastRead}): certificate changes since then may be missing. Check the audit log in the OpenAI dashboard for that time.`,
	};
}

const MANUAL_SAMPLE_SIZE = 5;
const MANUAL_MAX_READ = 300;

/** A test run: the most recent matching events, so fields can be mapped; nothing is remembered. */
async function recentEvents(context: IPollFunctions, plan: AuditPlan): Promise<AuditLogEntry[]> {
	const sample: AuditLogEntry[] = [];
	let read = 0;
	for await (const entry of auditLogEntries(context, plan.query)) {
		if (passes(entry, plan)) sample.push(entry);
		read += 1;
		if (sample.length >= MANUAL_SAMPLE_SIZE || read >= MANUAL_MAX_READ) break;
	}
	return sample;
}

/**
 * One poll: reads the events since the stored cursor, reports the unseen ones that pass the filters
 * (oldest first), then moves the cursor. A failed read throws before the cursor is touched; the first
 * poll (or one after the stored cursor was damaged) records where the log stands without reporting.
 */
export async function pollAuditEvents(
	context: IPollFunctions,
): Promise<INodeExecutionData[][] | null> {
	const plan = readPlan(context);
	let fired: AuditLogEntry[];
	let gap: IDataObject | undefined;
	if (context.getMode() === 'manual') {
		fired = await recentEvents(context, plan);
	} else {
		const state = context.getWorkflowStaticData('node');
		const cursor = storedCursor(state.auditCursor);
		const entries = await readEntries(context, plan, cursor);
		fired = cursor === undefined ? [] : unseen(entries, cursor);
		fired = fired.filter((entry) => passes(entry, plan));
		gap = cursor && gapItem(cursor, entries);
		// Reported once: the stored events the log no longer returns are forgotten.
		state.auditCursor = advance(gap && cursor ? { ...cursor, seen: {} } : cursor, entries);
	}
	const items = fired.reverse().map((entry) => auditItem(entry, plan.defaultProjectId));
	if (gap) items.unshift(gap);
	return items.length ? [context.helpers.returnJsonArray(items)] : null;
}
