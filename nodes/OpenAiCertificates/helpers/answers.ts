import type { IDataObject } from 'n8n-workflow';

import { idProblem } from './ids';

/**
 * The Admin API's objects as `spec/` describes its answers: their types, and a check for each answer
 * (transport/endpoints.ts names the check of each endpoint). An HTML page, `null`, truncated JSON or a
 * list whose `data` is not a list is an error that says what came back, never data. The checks cover
 * what the spec requires and every field this package reads; unknown fields pass. Pure.
 */

/** Validity of a certificate, in Unix seconds; `content` (the PEM) only when asked for. */
export interface CertificateDetails extends IDataObject {
	valid_at?: number;
	expires_at?: number;
	content?: string;
}

/** One certificate as Get, Upload and Rename answer it; the lists add whether it is active there. */
export interface Certificate extends IDataObject {
	object: string;
	id: string;
	name: string | null;
	created_at: number;
	certificate_details: CertificateDetails;
	active?: boolean;
}

/** A certificate as a list (the organization's, a project's) or an activation answer carries it. */
export interface ListedCertificate extends Certificate {
	active: boolean;
}

export interface CertificateDeleted extends IDataObject {
	object: string;
	id: string;
}

/** One project of the organization (only what the node reads). */
export interface Project extends IDataObject {
	id: string;
	name?: string;
	/** When the project was archived (seconds), or null; archived projects take no requests. */
	archived_at?: number | null;
}

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

/** One audit log event: the fields the trigger relies on are there and of the documented types. */
export interface AuditLogEntry extends IDataObject {
	id: string;
	type: CertificateEventType;
	effective_at: number;
	actor?: IDataObject | null;
	project?: { id: string; name?: string };
}

/** One page of a cursor-paged list. */
export interface ListPage<T> {
	object?: string;
	data: T[];
	first_id?: string | null;
	last_id?: string | null;
	has_more: boolean;
}

/** A check: undefined when the value has the shape, else what is wrong with it; `T` is what passes. */
export type Shape<T = unknown> = ((value: unknown, at?: string) => string | undefined) & {
	readonly checks?: T;
};

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** A short description of a value for error messages: its kind and, for text, its beginning. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return `a list of ${value.length}`;
	if (typeof value === 'string') {
		const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
		return `the text ${JSON.stringify(shown)}`;
	}
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}

/** A field's rule: what it must be, and whether it may be absent. */
type Rule = [ok: (value: unknown) => boolean, wanted: string, optional?: 'optional'];
const TEXT: Rule = [(v) => typeof v === 'string', 'text'];
const TEXT_OR_NULL: Rule = [(v) => v === null || typeof v === 'string', 'text or null'];
const BOOLEAN: Rule = [(v) => typeof v === 'boolean', 'true or false'];
const UNIX_TIME: Rule = [(v) => typeof v === 'number' && Number.isFinite(v), 'a Unix time'];
const optional = ([ok, wanted]: Rule): Rule => [ok, wanted, 'optional'];
const anId = (what: string): Rule => [(v) => typeof v === 'string' && !idProblem(v), what];

/** The first field of `value` that breaks its rule, in the rules' order. */
function fieldsProblem(value: Fields, rules: Record<string, Rule>, at: string): string | undefined {
	for (const [name, [ok, wanted, absent]] of Object.entries(rules)) {
		const field = value[name];
		if (absent && field === undefined) continue;
		if (!ok(field)) return `${at}.${name} is ${describeValue(field)}, not ${wanted}`;
	}
	return undefined;
}

function objectOf<T>(what: string, rules: Record<string, Rule>, more?: Shape): Shape<T> {
	return (value, at = 'the answer') => {
		if (!isObject(value)) return `${at} is ${describeValue(value)}, not ${what}`;
		return fieldsProblem(value, rules, at) ?? more?.(value, at);
	};
}

const certificateDetails = objectOf('an object', {
	valid_at: optional(UNIX_TIME),
	expires_at: optional(UNIX_TIME),
	content: optional(TEXT),
});
const CERTIFICATE_RULES: Record<string, Rule> = {
	id: anId('a certificate ID'),
	object: TEXT,
	name: TEXT_OR_NULL,
	created_at: UNIX_TIME,
	active: optional(BOOLEAN),
};
export const certificateShape: Shape<Certificate> = objectOf(
	'a certificate object',
	CERTIFICATE_RULES,
	(v, at) => certificateDetails((v as Fields).certificate_details, `${at}.certificate_details`),
);
const listedCertificateShape: Shape<ListedCertificate> = (value, at = 'the answer') =>
	certificateShape(value, at) ?? fieldsProblem(value as Fields, { active: BOOLEAN }, at);
export const projectShape: Shape<Project> = objectOf('a project object', {
	id: anId('a project ID'),
	object: TEXT,
	name: optional(TEXT_OR_NULL),
});
export const deletedShape: Shape<CertificateDeleted> = objectOf('a deletion result', {
	object: [(v) => v === 'certificate.deleted', '"certificate.deleted"'],
	id: anId('a certificate ID'),
});

const isReference = (value: unknown) =>
	isObject(value) && typeof value.id === 'string' && value.id !== '';

/** An audit log event of the certificate types (the only ones the trigger asks for). */
export const auditLogEntryShape: Shape<AuditLogEntry> = (entry, at = 'the answer') => {
	const problem = ((): string | undefined => {
		if (!isObject(entry)) return 'an event that is not an object';
		if (typeof entry.id !== 'string' || entry.id === '') return 'an event without an ID';
		const type = entry.type as CertificateEventType;
		if (!CERTIFICATE_EVENT_TYPES.includes(type))
			return `event ${entry.id} of a type that was not asked for (${String(entry.type)})`;
		if (!Number.isSafeInteger(entry.effective_at))
			return `event ${entry.id} without an effective_at time`;
		if (entry.project != null && !isReference(entry.project))
			return `event ${entry.id} with a project that has no ID`;
		if (entry.actor != null && !isObject(entry.actor))
			return `event ${entry.id} with an actor that is not an object`;
		const details = entry[type];
		const certificates = isObject(details) ? details.certificates : undefined;
		const valid = type.startsWith('certificates.')
			? Array.isArray(certificates) && certificates.every(isReference)
			: isReference(details);
		return valid ? undefined : `event ${entry.id} without the certificate it concerns`;
	})();
	return problem && `${at}: ${problem}`;
};

/** An object (`what` it must be) whose `data` is a list of `item`s; `rest` checks the other fields. */
function dataOf<T>(
	item: Shape,
	what: string,
	rest: (value: Fields, at: string) => string | undefined,
): Shape<T> {
	return (value, at = 'the answer') => {
		if (!isObject(value)) return `${at} is ${describeValue(value)}, not ${what}`;
		if (!Array.isArray(value.data)) return `${at}.data is ${describeValue(value.data)}, not a list`;
		for (const [index, entry] of value.data.entries()) {
			const problem = item(entry, `${at}.data[${index}]`);
			if (problem !== undefined) return problem;
		}
		return rest(value, at);
	};
}

export const listOf = <T>(item: Shape<T>, what: string): Shape<ListPage<T>> =>
	dataOf(item, `a list of ${what}`, (value, at) =>
		fieldsProblem(
			value,
			{
				has_more: BOOLEAN,
				last_id: value.has_more === true ? TEXT_OR_NULL : optional(TEXT_OR_NULL),
			},
			at,
		),
	);

/**
 * An activate or deactivate answer for a scope: `object` is `<scope>.activation` / `.deactivation` (the
 * current spec) or `list` (the 2025-04-29 revision typed it as the paged list); see spec/NOTES.md.
 */
export function activationShape(
	scope: string,
	action: 'activation' | 'deactivation',
): Shape<IDataObject> {
	const current = `${scope}.${action}`;
	const wanted = `"${current}" (or "list", as an older revision of the API answered)`;
	return dataOf(listedCertificateShape, 'an activation result', (value, at) =>
		fieldsProblem(value, { object: [(v) => v === current || v === 'list', wanted] }, at),
	);
}

export const certificateListShape = listOf(listedCertificateShape, 'certificates');
