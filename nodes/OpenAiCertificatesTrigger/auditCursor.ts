import type { IDataObject } from 'n8n-workflow';

import type { AuditLogEntry } from '../OpenAiCertificates/helpers/answers';

/**
 * Where the trigger has read the audit log up to, kept in the workflow's static data so that every
 * event is reported once across polls and restarts.
 *
 * `effective_at` has one-second granularity and the API lists newest first, so a poll can see only some
 * of the events of its newest second, and an event can be written to the log a little after events
 * stamped later. Each poll therefore re-reads from LOOKBACK_SECONDS before the newest time seen and
 * skips the IDs it has already seen there: nothing at the boundary is lost or repeated.
 */
export interface AuditCursor extends IDataObject {
	/** The newest `effective_at` read so far (Unix seconds; 0 before any event). */
	newest: number;
	/** Every event read at or after `newest - LOOKBACK_SECONDS`: ID → its `effective_at`. */
	seen: Record<string, number>;
}

/** How far back each poll re-reads, for events written to the log late or within the same second. */
export const LOOKBACK_SECONDS = 300;

/** The stored cursor, or undefined when there is none or it is not one (then a new baseline is recorded). */
export function storedCursor(stored: unknown): AuditCursor | undefined {
	if (typeof stored !== 'object' || stored === null) return undefined;
	const { newest, seen } = stored as IDataObject;
	if (!Number.isSafeInteger(newest) || (newest as number) < 0) return undefined;
	if (typeof seen !== 'object' || seen === null || Array.isArray(seen)) return undefined;
	if (!Object.values(seen).every((at) => Number.isSafeInteger(at))) return undefined;
	return { newest: newest as number, seen: seen as Record<string, number> };
}

/** The earliest `effective_at` a poll after `cursor` reads. */
export function readFrom(cursor: AuditCursor): number {
	return Math.max(0, cursor.newest - LOOKBACK_SECONDS);
}

/** The events of a poll that were not reported before. */
export function unseen(entries: AuditLogEntry[], cursor: AuditCursor): AuditLogEntry[] {
	const from = readFrom(cursor);
	return entries.filter((entry) => entry.effective_at >= from && !(entry.id in cursor.seen));
}

/** The cursor after a poll that read `entries` (all of them, from `readFrom` on). */
export function advance(cursor: AuditCursor | undefined, entries: AuditLogEntry[]): AuditCursor {
	const newest = Math.max(cursor?.newest ?? 0, ...entries.map((entry) => entry.effective_at));
	const keepFrom = newest - LOOKBACK_SECONDS;
	const seen: Record<string, number> = {};
	for (const [id, at] of Object.entries(cursor?.seen ?? {})) if (at >= keepFrom) seen[id] = at;
	for (const entry of entries)
		if (entry.effective_at >= keepFrom) seen[entry.id] = entry.effective_at;
	return { newest, seen };
}
