/**
 * What the fake's answers list: the certificate and project objects of the spec, and its cursor paging.
 */
import { ApiError } from './answers';
import type { LoggedRequest } from './fakeAdminApi';
import type { Organization, StoredCertificate, StoredProject } from './organization';

/**
 * The validity dates an answer lists: the stored ones, or (organization.roundedDates, a test's choice)
 * rounded down to the hour, as an API might list them: nothing documents that OpenAI echoes the PEM's
 * dates to the second.
 */
function listedDates(organization: Organization, certificate: StoredCertificate) {
	const round = (seconds: number) =>
		organization.roundedDates ? seconds - (seconds % 3600) : seconds;
	return { valid_at: round(certificate.valid_at), expires_at: round(certificate.expires_at) };
}

export function organizationCertificate(
	organization: Organization,
	certificate: StoredCertificate,
) {
	return {
		object: 'organization.certificate',
		id: certificate.id,
		name: certificate.name,
		created_at: certificate.created_at,
		certificate_details: listedDates(organization, certificate),
		active: organization.activeInOrganization.has(certificate.id),
	};
}

export function projectCertificate(
	organization: Organization,
	projectId: string,
	certificate: StoredCertificate,
) {
	return {
		object: 'organization.project.certificate',
		id: certificate.id,
		name: certificate.name,
		created_at: certificate.created_at,
		certificate_details: listedDates(organization, certificate),
		active: organization.activeInProject.get(projectId)?.has(certificate.id) ?? false,
	};
}

export function certificateObject(
	organization: Organization,
	certificate: StoredCertificate,
	withContent: boolean,
) {
	return {
		object: 'certificate',
		id: certificate.id,
		name: certificate.name,
		created_at: certificate.created_at,
		certificate_details: {
			...listedDates(organization, certificate),
			...(withContent ? { content: certificate.content } : {}),
		},
	};
}

export function projectObject(project: StoredProject) {
	return {
		id: project.id,
		object: 'organization.project',
		name: project.name,
		created_at: project.created_at,
		archived_at: project.archived_at,
		status: project.archived_at === null ? 'active' : 'archived',
	};
}

export function single(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Cursor paging exactly as the spec: limit 1–100 (default 20), after = an object ID, order asc|desc. */
export function page<T extends { id: string }>(
	all: T[],
	query: LoggedRequest['query'],
	withOrder: boolean,
) {
	const rawLimit = single(query.limit);
	let limit = 20;
	if (rawLimit !== undefined) {
		if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > 100) {
			throw new ApiError(
				400,
				`Invalid 'limit': expected an integer between 1 and 100, got '${rawLimit}'.`,
				'invalid_request_error',
				'limit',
				'invalid_value',
			);
		}
		limit = Number(rawLimit);
	}
	let ordered = all;
	if (withOrder) {
		const order = single(query.order) ?? 'desc';
		if (order !== 'asc' && order !== 'desc') {
			throw new ApiError(
				400,
				`Invalid 'order': expected 'asc' or 'desc', got '${order}'.`,
				'invalid_request_error',
				'order',
				'invalid_value',
			);
		}
		ordered = order === 'desc' ? [...all].reverse() : all;
	}
	const after = single(query.after);
	let start = 0;
	if (after !== undefined) {
		const index = ordered.findIndex((object) => object.id === after);
		start = index === -1 ? ordered.length : index + 1;
	}
	const data = ordered.slice(start, start + limit);
	return {
		object: 'list' as const,
		data,
		first_id: data.length ? data[0].id : null,
		last_id: data.length ? data[data.length - 1].id : null,
		has_more: start + limit < ordered.length,
	};
}
