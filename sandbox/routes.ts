/**
 * The fake's routes: the certificate endpoints of spec/openai-admin-certificates.openapi.yaml and
 * GET /organization/projects, and the answer an admitted request gets (the audit log's, a route's, or
 * OpenAI's 404/405), with the audit event a certificate write records.
 */
import type { ServerResponse } from 'node:http';

import { ApiError, errorBody, send } from './answers';
import { answerAuditLogs, recordingAuditEvent } from './auditLogApi';
import { checkName, toggle, uploadCertificate } from './certificateWrites';
import type { FakeAdminApiOptions, LoggedRequest } from './fakeAdminApi';
import {
	certificateObject,
	organizationCertificate,
	page,
	projectCertificate,
	projectObject,
	single,
} from './listing';
import type { Organization, StoredCertificate, StoredProject } from './organization';

interface Route {
	method: string;
	pattern: RegExp;
	operationId: string;
	handle(
		organization: Organization,
		params: string[],
		request: LoggedRequest,
		options: FakeAdminApiOptions,
	): unknown;
}

function projectOf(organization: Organization, projectId: string): StoredProject {
	const project = organization.projects.get(projectId);
	if (!project)
		throw new ApiError(
			404,
			`No project found with id '${projectId}'.`,
			'invalid_request_error',
			null,
			'not_found',
		);
	return project;
}

function certificateOf(organization: Organization, certificateId: string): StoredCertificate {
	const certificate = organization.certificates.get(certificateId);
	if (!certificate) {
		throw new ApiError(
			404,
			`No certificate found with id '${certificateId}'.`,
			'invalid_request_error',
			null,
			'not_found',
		);
	}
	return certificate;
}

function includesContent(query: LoggedRequest['query']): boolean {
	return Object.entries(query).some(
		([key, value]) =>
			/^include(\[\d*\])?$/.test(key) && ([] as string[]).concat(value).includes('content'),
	);
}

const SEGMENT = '([^/]+)';

const routes: Route[] = [
	{
		method: 'GET',
		pattern: /^\/organization\/certificates$/,
		operationId: 'listOrganizationCertificates',
		handle: (organization, _params, request) =>
			page(
				organization
					.certificateList()
					.map((certificate) => organizationCertificate(organization, certificate)),
				request.query,
				true,
			),
	},
	{
		method: 'POST',
		pattern: /^\/organization\/certificates$/,
		operationId: 'uploadCertificate',
		handle: (organization, _params, request) => uploadCertificate(organization, request),
	},
	{
		method: 'POST',
		pattern: /^\/organization\/certificates\/activate$/,
		operationId: 'activateOrganizationCertificates',
		handle: (organization, _params, request, options) =>
			toggle(organization, request, options, undefined, true),
	},
	{
		method: 'POST',
		pattern: /^\/organization\/certificates\/deactivate$/,
		operationId: 'deactivateOrganizationCertificates',
		handle: (organization, _params, request, options) =>
			toggle(organization, request, options, undefined, false),
	},
	{
		method: 'GET',
		pattern: new RegExp(`^/organization/certificates/${SEGMENT}$`),
		operationId: 'getCertificate',
		handle: (organization, [id], request) =>
			certificateObject(
				organization,
				certificateOf(organization, id),
				includesContent(request.query),
			),
	},
	{
		method: 'POST',
		pattern: new RegExp(`^/organization/certificates/${SEGMENT}$`),
		operationId: 'modifyCertificate',
		handle: (organization, [id], request) => {
			const certificate = certificateOf(organization, id);
			const name = (request.body as { name?: unknown } | undefined)?.name;
			checkName(name);
			if (typeof name === 'string') certificate.name = name;
			return certificateObject(organization, certificate, false);
		},
	},
	{
		method: 'DELETE',
		pattern: new RegExp(`^/organization/certificates/${SEGMENT}$`),
		operationId: 'deleteCertificate',
		handle: (organization, [id]) => {
			certificateOf(organization, id);
			const places = organization.whereActive(id);
			if (places.length > 0) {
				throw new ApiError(
					400,
					`Certificate '${id}' is still active (${places.join(', ')}). The certificate must be inactive for the organization and all projects before it can be deleted.`,
					'invalid_request_error',
					null,
					'certificate_in_use',
				);
			}
			organization.certificates.delete(id);
			return { object: 'certificate.deleted', id };
		},
	},
	{
		method: 'GET',
		pattern: new RegExp(`^/organization/projects/${SEGMENT}/certificates$`),
		operationId: 'listProjectCertificates',
		handle: (organization, [projectId], request) => {
			projectOf(organization, projectId);
			return page(
				organization
					.certificateList()
					.map((certificate) => projectCertificate(organization, projectId, certificate)),
				request.query,
				true,
			);
		},
	},
	{
		method: 'POST',
		pattern: new RegExp(`^/organization/projects/${SEGMENT}/certificates/activate$`),
		operationId: 'activateProjectCertificates',
		handle: (organization, [projectId], request, options) => {
			projectOf(organization, projectId);
			return toggle(organization, request, options, projectId, true);
		},
	},
	{
		method: 'POST',
		pattern: new RegExp(`^/organization/projects/${SEGMENT}/certificates/deactivate$`),
		operationId: 'deactivateProjectCertificates',
		handle: (organization, [projectId], request, options) => {
			projectOf(organization, projectId);
			return toggle(organization, request, options, projectId, false);
		},
	},
	{
		method: 'GET',
		pattern: /^\/organization\/projects$/,
		operationId: 'list-projects',
		handle: (organization, _params, request) => {
			const includeArchived = single(request.query.include_archived) === 'true';
			return page(
				organization.projectList(includeArchived).map(projectObject),
				request.query,
				false,
			);
		},
	},
];

/**
 * Answers a request that passed faults, rate limit and access: by its path under /v1 (`pathname`, as
 * it came) and its method.
 */
export function answerRoute(
	organization: Organization,
	options: FakeAdminApiOptions,
	response: ServerResponse,
	request: LoggedRequest,
	pathname: string,
) {
	const prefix = '/v1';
	const path = pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : undefined;
	const audit = answerAuditLogs(organization, request, path);
	if (audit) return send(response, request, audit.status, audit.body);
	const matching = path === undefined ? [] : routes.filter((route) => route.pattern.test(path));
	const route = matching.find((candidate) => candidate.method === request.method);
	if (!route) {
		const status = matching.length ? 405 : 404;
		return send(
			response,
			request,
			status,
			errorBody(new ApiError(status, `Invalid URL (${request.method} ${pathname})`)),
		);
	}
	request.operationId = route.operationId;
	if (typeof request.body === 'string') {
		return send(
			response,
			request,
			400,
			errorBody(new ApiError(400, 'We could not parse the JSON body of your request.')),
		);
	}
	try {
		const params = route.pattern
			.exec(path!)!
			.slice(1)
			.map((segment) => decodeURIComponent(segment));
		send(
			response,
			request,
			200,
			recordingAuditEvent(organization, route.operationId, params, request, () =>
				route.handle(organization, params, request, options),
			),
		);
	} catch (error) {
		if (!(error instanceof ApiError)) throw error;
		send(response, request, error.status, errorBody(error));
	}
}
