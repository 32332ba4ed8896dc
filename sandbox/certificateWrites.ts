/**
 * The certificate writes behind the routes with the most rules: an upload (the PEM checked, the
 * organization's limit) and activation or deactivation, for the organization or a project.
 */
import { ApiError } from './answers';
import type { FakeAdminApiOptions, LoggedRequest } from './fakeAdminApi';
import { certificateObject, organizationCertificate, projectCertificate } from './listing';
import type { Organization } from './organization';
import { pemValidity } from './organization';

/** A certificate's `name` as upload and modify take it: absent, or text. */
export function checkName(name: unknown): void {
	if (name === undefined || typeof name === 'string') return;
	throw new ApiError(
		400,
		"Invalid 'name': expected a string.",
		'invalid_request_error',
		'name',
		'invalid_type',
	);
}

/** POST /organization/certificates: the PEM (`certificate`, or `content`) and name checked, then stored. */
export function uploadCertificate(organization: Organization, request: LoggedRequest) {
	const body = (request.body ?? {}) as {
		certificate?: unknown;
		content?: unknown;
		name?: unknown;
	};
	const pem = body.certificate ?? body.content;
	if (typeof pem !== 'string' || pem.trim() === '') {
		throw new ApiError(
			400,
			"Missing required parameter: 'certificate'.",
			'invalid_request_error',
			'certificate',
			'missing_required_parameter',
		);
	}
	checkName(body.name);
	const validity = pemValidity(pem);
	if (!validity) {
		throw new ApiError(
			400,
			'Invalid certificate: expected a PEM-encoded X.509 certificate.',
			'invalid_request_error',
			'certificate',
			'mtls_certificate_invalid',
		);
	}
	if (validity.expires_at < Math.floor(Date.now() / 1000)) {
		throw new ApiError(
			400,
			'The certificate has expired.',
			'invalid_request_error',
			'certificate',
			'expired_certificate',
		);
	}
	if (organization.certificates.size >= organization.maxCertificates) {
		throw new ApiError(
			400,
			`An organization can hold at most ${organization.maxCertificates} certificates.`,
			'invalid_request_error',
			'certificate',
			'limit_reached',
		);
	}
	const certificate = organization.addCertificate({
		content: pem,
		name: (body.name as string | undefined) ?? null,
	});
	return certificateObject(organization, certificate, false);
}

function certificateIdsOf(organization: Organization, body: unknown): string[] {
	const ids = (body as { certificate_ids?: unknown } | undefined)?.certificate_ids;
	if (
		!Array.isArray(ids) ||
		ids.length < 1 ||
		ids.length > 10 ||
		ids.some((id) => typeof id !== 'string')
	) {
		throw new ApiError(
			400,
			"Invalid 'certificate_ids': expected an array of 1 to 10 certificate IDs.",
			'invalid_request_error',
			'certificate_ids',
			'invalid_value',
		);
	}
	for (const id of ids as string[]) {
		if (!organization.certificates.has(id)) {
			throw new ApiError(
				404,
				`No certificate found with id '${id}'.`,
				'invalid_request_error',
				'certificate_ids',
				'not_found',
			);
		}
	}
	return [...new Set(ids as string[])];
}

/** Activates or deactivates the requested certificates, for the organization or (projectId) a project. */
export function toggle(
	organization: Organization,
	request: LoggedRequest,
	options: FakeAdminApiOptions,
	projectId: string | undefined,
	activate: boolean,
) {
	const ids = certificateIdsOf(organization, request.body);
	const active =
		projectId === undefined
			? organization.activeInOrganization
			: organization.activeInProject.get(projectId)!;
	for (const id of ids) {
		if (activate) active.add(id);
		else active.delete(id);
	}
	const data = ids.map((id) =>
		projectId === undefined
			? organizationCertificate(organization, organization.certificates.get(id)!)
			: projectCertificate(organization, projectId, organization.certificates.get(id)!),
	);
	if (options.legacyToggleShape) {
		request.schema =
			projectId === undefined ? 'ListCertificatesResponse' : 'ListProjectCertificatesResponse';
		return {
			object: 'list',
			data,
			first_id: data[0]?.id ?? null,
			last_id: data[data.length - 1]?.id ?? null,
			has_more: false,
		};
	}
	const scope =
		projectId === undefined ? 'organization.certificate' : 'organization.project.certificate';
	return { object: `${scope}.${activate ? 'activation' : 'deactivation'}`, data };
}
