import type { IDataObject } from 'n8n-workflow';

import { idProblem } from '../helpers/ids';

/**
 * The Admin API's answers, as `spec/` describes them: one declaration per shape, beside the transport
 * that receives them. Operations, the trigger and list searches name these instead of declaring their own.
 *
 * And the same shapes as hand-written checks: every 2xx answer passes its check before any code uses it.
 * An HTML page, `null`, truncated JSON or a list whose `data` is not a list is an error that says what
 * came back, never data. The checks cover what the spec requires and every field this package reads;
 * unknown fields pass.
 */

/** Validity of a certificate, in Unix seconds; `content` (the PEM) only when asked for. */
export interface CertificateDetails extends IDataObject {
	valid_at?: number;
	expires_at?: number;
	content?: string;
}

/** One certificate as Get, Upload and Rename answer it (`object: certificate`). */
export interface Certificate extends IDataObject {
	object: string;
	id: string;
	name: string | null;
	created_at: number;
	certificate_details: CertificateDetails;
	active?: boolean;
}

/** One certificate of the organization's list, and whether it is active for the organization. */
export interface OrganizationCertificate extends Certificate {
	active: boolean;
}

/** The answer of Delete (`object: certificate.deleted`). */
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

/** One page of a cursor-paged list (`data` and `has_more` are checked before use). */
export interface ListPage<T> {
	object?: string;
	data: T[];
	first_id?: string | null;
	last_id?: string | null;
	has_more: boolean;
}

/** A check: undefined when the value has the shape, else what is wrong with it. */
export type Shape = (value: unknown, at?: string) => string | undefined;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

const isUnixTime = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

function field(
	object: Fields,
	name: string,
	at: string,
	ok: (value: unknown) => boolean,
	wanted: string,
	optional = false,
): string | undefined {
	const value = object[name];
	if (optional && value === undefined) return undefined;
	return ok(value) ? undefined : `${at}.${name} is ${describeValue(value)}, not ${wanted}`;
}

const anId = (value: unknown) => typeof value === 'string' && idProblem(value) === undefined;
const textOrNull = (value: unknown) => value === null || typeof value === 'string';

export const certificateShape: Shape = (value, at = 'the answer') => {
	if (!isObject(value)) return `${at} is ${describeValue(value)}, not a certificate object`;
	const details = value.certificate_details;
	return (
		field(value, 'id', at, anId, 'a certificate ID') ??
		field(value, 'object', at, (v) => typeof v === 'string', 'text') ??
		field(value, 'name', at, textOrNull, 'text or null') ??
		field(value, 'created_at', at, isUnixTime, 'a Unix time') ??
		field(value, 'active', at, (v) => typeof v === 'boolean', 'true or false', true) ??
		(isObject(details)
			? (field(details, 'valid_at', `${at}.certificate_details`, isUnixTime, 'a Unix time', true) ??
				field(
					details,
					'expires_at',
					`${at}.certificate_details`,
					isUnixTime,
					'a Unix time',
					true,
				) ??
				field(
					details,
					'content',
					`${at}.certificate_details`,
					(v) => typeof v === 'string',
					'text',
					true,
				))
			: `${at}.certificate_details is ${describeValue(details)}, not an object`)
	);
};

export const projectShape: Shape = (value, at = 'the answer') => {
	if (!isObject(value)) return `${at} is ${describeValue(value)}, not a project object`;
	return (
		field(value, 'id', at, anId, 'a project ID') ??
		field(value, 'object', at, (v) => typeof v === 'string', 'text') ??
		field(value, 'name', at, textOrNull, 'text or null', true)
	);
};

function listOf(item: Shape, what: string): Shape {
	return (value, at = 'the answer') => {
		if (!isObject(value)) return `${at} is ${describeValue(value)}, not a list of ${what}`;
		if (!Array.isArray(value.data)) return `${at}.data is ${describeValue(value.data)}, not a list`;
		for (const [index, entry] of value.data.entries()) {
			const problem = item(entry, `${at}.data[${index}]`);
			if (problem !== undefined) return problem;
		}
		return (
			field(value, 'has_more', at, (v) => typeof v === 'boolean', 'true or false') ??
			field(value, 'last_id', at, textOrNull, 'text or null', value.has_more !== true)
		);
	};
}

/** A certificate as the lists and activation answers carry it: `active` (at that scope) is required there. */
const listedCertificateShape: Shape = (value, at = 'the answer') =>
	certificateShape(value, at) ??
	field(value as Fields, 'active', at, (v) => typeof v === 'boolean', 'true or false');

export const certificateListShape = listOf(listedCertificateShape, 'certificates');
export const projectListShape = listOf(projectShape, 'projects');

export const deletedShape: Shape = (value, at = 'the answer') => {
	if (!isObject(value)) return `${at} is ${describeValue(value)}, not a deletion result`;
	return (
		field(value, 'object', at, (v) => v === 'certificate.deleted', '"certificate.deleted"') ??
		field(value, 'id', at, anId, 'a certificate ID')
	);
};

/**
 * The answer of an activate or deactivate call for a scope (`organization.certificate` or
 * `organization.project.certificate`): `object` is `<scope>.activation` / `<scope>.deactivation` (the
 * current spec) or `list` (the 2025-04-29 revision typed it as the paged list); see spec/NOTES.md.
 */
function activationShape(scope: string, action: string): Shape {
	const current = `${scope}.${action === 'activate' ? 'activation' : 'deactivation'}`;
	const wanted = `"${current}" (or "list", as an older revision of the API answered)`;
	return (value, at = 'the answer') => {
		if (!isObject(value)) return `${at} is ${describeValue(value)}, not an activation result`;
		if (!Array.isArray(value.data)) return `${at}.data is ${describeValue(value.data)}, not a list`;
		for (const [index, entry] of value.data.entries()) {
			const problem = listedCertificateShape(entry, `${at}.data[${index}]`);
			if (problem !== undefined) return problem;
		}
		return field(value, 'object', at, (v) => v === current || v === 'list', wanted);
	};
}

/** Any JSON object: for endpoints this file does not know. */
export const objectShape: Shape = (value, at = 'the answer') =>
	isObject(value) ? undefined : `${at} is ${describeValue(value)}, not a JSON object`;

/** The shape, and the answer is about the certificate that was asked for (its `id` is that ID). */
function about(id: string, shape: Shape): Shape {
	return (value, at = 'the answer') => {
		const problem = shape(value, at);
		if (problem !== undefined) return problem;
		const answered = (value as Fields).id;
		return answered === id
			? undefined
			: `${at}.id is ${describeValue(answered)}, not ${JSON.stringify(id)} that was asked for`;
	};
}

/** The spec's answer shape for a method and path (segments below the base URL). */
export function answerShape(method: string, path: readonly string[]): Shape {
	const [root, collection, id, sub, action] = path;
	if (root !== 'organization') return objectShape;
	const toggle = (last: string | undefined) => last === 'activate' || last === 'deactivate';
	if (collection === 'certificates') {
		if (path.length === 2) return method === 'GET' ? certificateListShape : certificateShape;
		if (path.length === 3 && method === 'POST' && toggle(id))
			return activationShape('organization.certificate', id);
		if (path.length === 3) return about(id, method === 'DELETE' ? deletedShape : certificateShape);
	}
	if (collection === 'projects') {
		if (path.length === 2) return projectListShape;
		if (path.length === 4 && sub === 'certificates') return certificateListShape;
		if (path.length === 5 && sub === 'certificates' && toggle(action))
			return activationShape('organization.project.certificate', action);
	}
	return objectShape;
}
