import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { daysUntil, expiresWithinDays } from '../OpenAiCertificates/helpers/dates';
import type { NumberRule } from '../OpenAiCertificates/helpers/numbers';
import { checkNumber } from '../OpenAiCertificates/helpers/numbers';
import { DEFAULT_REQUEST_SETTINGS, ENDPOINTS, listUpTo } from '../OpenAiCertificates/transport';
import type { ListedCertificate } from '../OpenAiCertificates/helpers/answers';

/**
 * The events read from the list of the organization's certificates: Added, Removed, Expiring Soon.
 * Each poll reads the whole list (a failed or untrustworthy read throws before the stored state is
 * touched), plans what fires against what was stored, records the new state and outputs the events.
 */

export type ListEvent = 'added' | 'removed' | 'expiringSoon';

export const DAYS_BEFORE_EXPIRY: NumberRule = { label: 'Days Before Expiry', min: 0, whole: false };

const MANUAL_SAMPLE_SIZE = 5;

interface KnownCertificate extends IDataObject {
	version: string;
	certificate: IDataObject;
}

/**
 * What these events remember between polls, in the workflow's static data (queue-mode safe). Other keys
 * there (the audit-log event's `auditCursor`) are never touched.
 */
interface ListState extends IDataObject {
	initialized: true;
	/** Every certificate seen last time: ID → its version and the object, for Removed. */
	known: Record<string, KnownCertificate>;
	/** Versions already reported as expiring soon: ID → version. */
	reportedExpiring?: Record<string, string>;
}

/** Nothing stored yet, a usable state, or one that is damaged (then a new baseline is recorded silently). */
type Stored = { kind: 'none' } | { kind: 'valid'; state: ListState } | { kind: 'damaged' };

interface Poll {
	event: ListEvent;
	days: number;
	/** Unix seconds. */
	now: number;
	certificates: ListedCertificate[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const isKnown = (value: unknown): value is KnownCertificate =>
	isRecord(value) && typeof value.version === 'string' && isRecord(value.certificate);

/** Read: the stored state, checked entry by entry (static data can be edited, truncated or left by older code). */
export function storedListState(staticData: IDataObject): Stored {
	const { initialized, known, reportedExpiring } = staticData;
	if (initialized === undefined && known === undefined && reportedExpiring === undefined)
		return { kind: 'none' };
	const reportedOk =
		reportedExpiring === undefined ||
		(isRecord(reportedExpiring) &&
			Object.values(reportedExpiring).every((version) => typeof version === 'string'));
	if (initialized !== true || !isRecord(known) || !reportedOk) return { kind: 'damaged' };
	if (!Object.values(known).every(isKnown)) return { kind: 'damaged' };
	return { kind: 'valid', state: staticData as ListState };
}

/** Read: the parameters and the whole list. Throws (changing nothing) when the list can't be read or trusted. */
async function readPoll(context: IPollFunctions, event: ListEvent): Promise<Poll> {
	const days =
		event === 'expiringSoon'
			? checkNumber(
					context.getNode(),
					context.getNodeParameter('daysBeforeExpiry', 30),
					DAYS_BEFORE_EXPIRY,
				)
			: 0;
	const certificates = await listUpTo(
		context,
		{ endpoint: ENDPOINTS.listOrganizationCertificates, qs: { order: 'asc' } },
		DEFAULT_REQUEST_SETTINGS,
		undefined,
	);
	return { event, days, now: Math.floor(Date.now() / 1000), certificates };
}

/** A certificate "changes" when it is re-uploaded under the same ID or its validity changes. */
function versionOf(certificate: ListedCertificate): string {
	const details = certificate.certificate_details ?? {};
	return `${certificate.created_at ?? ''}:${details.valid_at ?? ''}:${details.expires_at ?? ''}`;
}

const isExpiring = (poll: Poll, certificate: ListedCertificate) =>
	expiresWithinDays(certificate.certificate_details?.expires_at, poll.days, poll.now);

function eventItem(poll: Poll, certificate: ListedCertificate): IDataObject {
	const json: IDataObject = { event: poll.event, ...certificate };
	const expiresAt = certificate.certificate_details?.expires_at;
	if (poll.event === 'expiringSoon' && expiresAt !== undefined)
		json.daysUntilExpiry = daysUntil(expiresAt, poll.now);
	return json;
}

/** Plan (pure): what fires, and the state to store. A damaged state only records a new baseline. */
export function planPoll(poll: Poll, stored: Stored): { fired: IDataObject[]; next: ListState } {
	const previous = stored.kind === 'valid' ? stored.state : undefined;
	const known = new Map(Object.entries(previous?.known ?? {}));
	const next: ListState = {
		initialized: true,
		known: Object.fromEntries(
			poll.certificates.map((certificate) => [
				certificate.id,
				{ version: versionOf(certificate), certificate },
			]),
		),
	};
	if (previous?.reportedExpiring) next.reportedExpiring = previous.reportedExpiring;
	const fired: IDataObject[] = [];
	if (poll.event === 'expiringSoon') {
		const reported = new Map(Object.entries(previous?.reportedExpiring ?? {}));
		next.reportedExpiring = {};
		for (const certificate of poll.certificates.filter((each) => isExpiring(poll, each))) {
			const version = versionOf(certificate);
			if (reported.get(certificate.id) !== version) fired.push(eventItem(poll, certificate));
			// Only what is still present and expiring is kept: the state stays as small as the organization.
			next.reportedExpiring[certificate.id] = version;
		}
	} else if (poll.event === 'added' && previous) {
		for (const certificate of poll.certificates)
			if (known.get(certificate.id)?.version !== versionOf(certificate))
				fired.push(eventItem(poll, certificate));
	} else if (poll.event === 'removed' && previous) {
		const present = new Set(poll.certificates.map((certificate) => certificate.id));
		for (const [id, entry] of known)
			if (!present.has(id)) fired.push({ ...entry.certificate, event: poll.event });
	}
	return { fired: stored.kind === 'damaged' ? [] : fired, next };
}

/** A manual test run: current matches (or the newest certificate) so fields can be mapped; nothing is stored. */
function manualSample(poll: Poll): IDataObject[] {
	const matches =
		poll.event === 'expiringSoon'
			? poll.certificates.filter((certificate) => isExpiring(poll, certificate))
			: [];
	if (matches.length)
		return matches.slice(0, MANUAL_SAMPLE_SIZE).map((certificate) => eventItem(poll, certificate));
	// Nothing matched: the newest certificate, labelled, so its fields can still be mapped.
	const note =
		poll.event === 'expiringSoon'
			? `No certificate expires within ${poll.days} days: this is the newest certificate, a sample to map fields`
			: 'A sample to map fields: the newest certificate (a test run does not compare with earlier polls)';
	return poll.certificates
		.slice(-1)
		.map((certificate) => ({ ...eventItem(poll, certificate), sampleOnly: true, note }));
}

/** One poll of a list event: read → plan → record → output. */
export async function pollListEvents(
	context: IPollFunctions,
	event: ListEvent,
): Promise<INodeExecutionData[][] | null> {
	const poll = await readPoll(context, event);
	let fired: IDataObject[];
	if (context.getMode() === 'manual') {
		fired = manualSample(poll);
	} else {
		const staticData = context.getWorkflowStaticData('node');
		const plan = planPoll(poll, storedListState(staticData));
		// Only this event's keys are replaced: the audit-log event's cursor beside them stays as it is.
		delete staticData.reportedExpiring;
		Object.assign(staticData, plan.next);
		fired = plan.fired;
	}
	return fired.length ? [context.helpers.returnJsonArray(fired)] : null;
}
