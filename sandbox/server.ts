/**
 * A stateful fake of the OpenAI Admin API certificate endpoints (and GET /organization/projects),
 * following spec/openai-admin-certificates.openapi.yaml: bearer check, validation, paging,
 * error bodies, the "must be inactive" rule on delete. It can inject faults, add latency, enforce a
 * requests-per-minute limit, and logs every request for assertions.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { auditLogOf } from './auditLog';
import { answerAuditLogs, recordingAuditEvent } from './auditLogApi';
import { listen } from './listen';
import type { X509Certificate } from 'node:crypto';

import type { MtlsHost } from './mtlsHost';
import { organizationAnchors, startMtlsHost } from './mtlsHost';
import type { StoredCertificate, StoredProject } from './organization';
import { Organization, pemValidity } from './organization';

export type FaultKind =
	| '429'
	| '429-retry-after'
	| '429-retry-after-date'
	| '429-retry-after-ms'
	| '500'
	| '502'
	| '503'
	| '504'
	| 'drop'
	| 'slow'
	| 'html'
	| 'empty'
	| 'text'
	| 'error';

export interface Fault {
	kind: FaultKind;
	/** Only requests this matches get the fault (default: any). */
	match?: (request: LoggedRequest) => boolean;
	/** Retry-After seconds for the 429-retry-after kinds (default 1). */
	retryAfterSeconds?: number;
	/** For '429-retry-after-ms': the retry-after-ms header OpenAI also sends (default 20). */
	retryAfterMs?: number;
	/** Status for html/empty/text bodies (default 502). */
	status?: number;
	/** For 'slow': how long to hold the answer, in ms (default 5000). */
	delayMs?: number;
	/** For 'error': the OpenAI error message sent with `status`. */
	message?: string;
}

export interface LoggedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	body: unknown;
	authorization: string | undefined;
	/** When it arrived (ms) and the status it got (undefined for a dropped connection). */
	at: number;
	status?: number;
	fault?: FaultKind;
	/** Refused by the configured rate limit (not an injected fault). */
	rateLimited?: boolean;
	/** Whether it came through the mTLS host, and the subject of the client certificate it presented. */
	overMtls?: boolean;
	clientSubject?: string;
	/** The spec operation answered, for schema checks. */
	operationId?: string;
	/** The spec schema the answer follows when it is not the operation's own (the older toggle shape). */
	schema?: string;
	response?: unknown;
}

export interface FakeAdminApiOptions {
	apiKey?: string;
	port?: number;
	host?: string;
	/** Added before each answer, in ms. */
	latencyMs?: number;
	/**
	 * A token bucket refilled at `perMinute` requests per minute holding at most `burst` (default: a
	 * minute's worth, i.e. a sliding-minute limit); beyond it, 429 with or without Retry-After.
	 */
	rateLimit?: { perMinute: number; retryAfter: boolean; burst?: number };
	/** Answer activate/deactivate with the older paged-list shape. */
	legacyToggleShape?: boolean;
	organization?: Organization;
	/** Port of the mTLS API host started beside it (default: any free port). */
	mtlsPort?: number;
	/** The mTLS host's server certificate and key (npm start keeps one across starts). */
	mtlsIdentity?: { cert: string; key: string };
	/**
	 * Whether Admin API requests need a client certificate while a certificate is active for the
	 * organization, as OpenAI's help centre says (default true). Off only for tests about something else.
	 */
	adminMtls?: boolean;
}

export interface FakeAdminApi {
	/** e.g. http://127.0.0.1:12345/v1 — what the credential's Base URL is set to. */
	baseUrl: string;
	apiKey: string;
	organization: Organization;
	log: LoggedRequest[];
	/** Faults consumed in order by the requests they match. */
	faults: Fault[];
	/**
	 * Called as each request arrives (logged, body read), before faults and routes: how a test makes
	 * something happen at that moment, such as another run deleting a certificate. A promise it returns is
	 * awaited before the request goes on (traffic probes hold the state still while they run).
	 */
	onRequest: ((request: LoggedRequest) => void | Promise<void>) | undefined;
	/** Injects a fault (a kind, or a kind with its settings) into a share of matching requests, chosen by a seeded generator. */
	setFaultRate(
		rate: number,
		kinds: Array<FaultKind | Fault>,
		seed?: number,
		match?: (request: LoggedRequest) => boolean,
	): void;
	/** The most requests that were being answered at the same time. */
	readonly maxInFlight: number;
	options: FakeAdminApiOptions;
	/** The mTLS API host over the same organization: what activation does to traffic. */
	mtls: MtlsHost;
	close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'sk-admin-sandbox-0123456789abcdefSECRET';

class ApiError {
	constructor(
		readonly status: number,
		readonly message: string,
		readonly type = 'invalid_request_error',
		readonly param: string | null = null,
		readonly code: string | null = null,
	) {}
}

function errorBody(error: ApiError) {
	return {
		error: { message: error.message, type: error.type, param: error.param, code: error.code },
	};
}

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

function organizationCertificate(organization: Organization, certificate: StoredCertificate) {
	return {
		object: 'organization.certificate',
		id: certificate.id,
		name: certificate.name,
		created_at: certificate.created_at,
		certificate_details: listedDates(organization, certificate),
		active: organization.activeInOrganization.has(certificate.id),
	};
}

function projectCertificate(
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

function certificateObject(
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

function projectObject(project: StoredProject) {
	return {
		id: project.id,
		object: 'organization.project',
		name: project.name,
		created_at: project.created_at,
		archived_at: project.archived_at,
		status: project.archived_at === null ? 'active' : 'archived',
	};
}

function single(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Cursor paging exactly as the spec: limit 1–100 (default 20), after = an object ID, order asc|desc. */
function page<T extends { id: string }>(
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

function includesContent(query: LoggedRequest['query']): boolean {
	return Object.entries(query).some(
		([key, value]) =>
			/^include(\[\d*\])?$/.test(key) && ([] as string[]).concat(value).includes('content'),
	);
}

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

function toggle(
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
		handle: (organization, _params, request) => {
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
			if (body.name !== undefined && typeof body.name !== 'string') {
				throw new ApiError(
					400,
					"Invalid 'name': expected a string.",
					'invalid_request_error',
					'name',
					'invalid_type',
				);
			}
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
		},
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
			if (name !== undefined && typeof name !== 'string') {
				throw new ApiError(
					400,
					"Invalid 'name': expected a string.",
					'invalid_request_error',
					'name',
					'invalid_type',
				);
			}
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

function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
	const query: Record<string, string | string[]> = {};
	for (const [key, value] of search) {
		const existing = query[key];
		query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
	}
	return query;
}

/** A seeded generator, so a fault rate picks the same requests in every run. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return ((state >>> 0) % 1_000_000) / 1_000_000;
	};
}

export async function startFakeAdminApi(options: FakeAdminApiOptions = {}): Promise<FakeAdminApi> {
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const organization = options.organization ?? new Organization();
	// The admin key the fake accepts; more keys (other actors in the audit log) via auditLogOf(organization).addKey.
	auditLogOf(organization).addKey(apiKey);
	const log: LoggedRequest[] = [];
	const faults: Fault[] = [];
	let faultRate:
		| {
				rate: number;
				faults: Fault[];
				random: () => number;
				match?: (request: LoggedRequest) => boolean;
		  }
		| undefined;
	let onRequest: FakeAdminApi['onRequest'];
	let inFlight = 0;
	let maxInFlight = 0;
	let tokens = options.rateLimit ? (options.rateLimit.burst ?? options.rateLimit.perMinute) : 0;
	let refilledAt = Date.now();

	function pickFault(request: LoggedRequest): Fault | undefined {
		const index = faults.findIndex((fault) => !fault.match || fault.match(request));
		if (index !== -1) return faults.splice(index, 1)[0];
		if (
			faultRate &&
			(!faultRate.match || faultRate.match(request)) &&
			faultRate.random() < faultRate.rate
		) {
			return { ...faultRate.faults[Math.floor(faultRate.random() * faultRate.faults.length)] };
		}
		return undefined;
	}

	function send(
		response: ServerResponse,
		request: LoggedRequest,
		status: number,
		body: unknown,
		headers: Record<string, string> = {},
	) {
		request.status = status;
		request.response = body;
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		response.writeHead(status, {
			'Content-Type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
			...headers,
		});
		response.end(text);
	}

	async function handle(
		incoming: IncomingMessage,
		response: ServerResponse,
		rawBody: string,
		chain?: X509Certificate[],
	) {
		const url = new URL(incoming.url ?? '/', 'http://fake');
		const request: LoggedRequest = {
			method: incoming.method ?? 'GET',
			path: url.pathname,
			query: parseQuery(url.searchParams),
			body: undefined,
			authorization: incoming.headers.authorization,
			at: Date.now(),
			overMtls: chain !== undefined,
			clientSubject: chain?.[0]?.subject.replace(/\n/g, ', '),
		};
		log.push(request);
		if (rawBody !== '') {
			try {
				request.body = JSON.parse(rawBody);
			} catch {
				request.body = rawBody;
			}
		}
		await onRequest?.(request);
		if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));

		const fault = pickFault(request);
		// OpenAI's rate-limit answer (a fault's or the rate limit's), with the headers it adds.
		const rateLimited = (headers: Record<string, string> = {}) =>
			send(
				response,
				request,
				429,
				errorBody(
					new ApiError(
						429,
						'Rate limit reached for requests.',
						'requests',
						null,
						'rate_limit_exceeded',
					),
				),
				headers,
			);
		if (fault) {
			request.fault = fault.kind;
			switch (fault.kind) {
				case 'drop':
					incoming.socket.destroy();
					return;
				case 'slow':
					await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
					break;
				case '429':
					return rateLimited();
				case '429-retry-after':
					return rateLimited({
						'Retry-After': String(fault.retryAfterSeconds ?? 1),
					});
				case '429-retry-after-ms':
					return rateLimited({
						'retry-after-ms': String(fault.retryAfterMs ?? 20),
					});
				case '429-retry-after-date':
					return rateLimited({
						'Retry-After': new Date(
							Date.now() + (fault.retryAfterSeconds ?? 1) * 1000,
						).toUTCString(),
					});
				case '500':
				case '502':
				case '503':
				case '504':
					return send(
						response,
						request,
						Number(fault.kind),
						errorBody(
							new ApiError(
								Number(fault.kind),
								'The server had an error while processing your request.',
								'server_error',
							),
						),
					);
				case 'html':
					return send(
						response,
						request,
						fault.status ?? 502,
						'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
					);
				case 'empty':
					request.status = fault.status ?? 502;
					response.writeHead(request.status);
					response.end();
					return;
				case 'text':
					return send(
						response,
						request,
						fault.status ?? 502,
						'upstream connect error or disconnect/reset before headers',
					);
				case 'error':
					return send(
						response,
						request,
						fault.status ?? 400,
						errorBody(new ApiError(fault.status ?? 400, fault.message ?? 'Error')),
					);
			}
		}

		if (options.rateLimit) {
			const now = Date.now();
			const perMs = options.rateLimit.perMinute / 60_000;
			tokens = Math.min(
				options.rateLimit.burst ?? options.rateLimit.perMinute,
				tokens + (now - refilledAt) * perMs,
			);
			refilledAt = now;
			if (tokens < 1) {
				request.fault = options.rateLimit.retryAfter ? '429-retry-after' : '429';
				request.rateLimited = true;
				const waitSeconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
				return rateLimited(
					options.rateLimit.retryAfter ? { 'Retry-After': String(waitSeconds) } : {},
				);
			}
			tokens -= 1;
		}

		// Help centre ("Who can access and modify certificates?"): once mTLS is active for the organization,
		// Admin API requests need an accepted client certificate too; the plain host asks for none.
		if (options.adminMtls !== false && organization.activeInOrganization.size > 0) {
			const scope = 'the organization (Admin API requests included)';
			const verdict = await mtls.judge(organizationAnchors(organization), chain ?? [], scope);
			if (!verdict.ok) {
				const error = new ApiError(
					401,
					verdict.message,
					'invalid_request_error',
					null,
					verdict.code,
				);
				return send(response, request, 401, errorBody(error));
			}
		}

		if (!auditLogOf(organization).actorOf(request.authorization)) {
			const given = request.authorization?.replace(/^Bearer\s+/i, '') ?? '';
			// Like the real API, the answer names the key it got (here in full: the worst case for leaks).
			return send(
				response,
				request,
				401,
				errorBody(
					new ApiError(
						401,
						`Incorrect API key provided: ${given}. You can find your admin keys in your organization settings.`,
						'invalid_request_error',
						null,
						'invalid_api_key',
					),
				),
			);
		}

		const prefix = '/v1';
		const path = url.pathname.startsWith(`${prefix}/`)
			? url.pathname.slice(prefix.length)
			: undefined;
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
				errorBody(new ApiError(status, `Invalid URL (${request.method} ${url.pathname})`)),
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

	function receive(incoming: IncomingMessage, response: ServerResponse, chain?: X509Certificate[]) {
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			inFlight += 1;
			maxInFlight = Math.max(maxInFlight, inFlight);
			response.on('close', () => {
				inFlight -= 1;
			});
			const body = Buffer.concat(chunks).toString('utf8');
			handle(incoming, response, body, chain).catch((error: unknown) => {
				if (!response.headersSent) {
					response.writeHead(500, { 'Content-Type': 'application/json' });
					response.end(
						JSON.stringify(
							errorBody(
								new ApiError(500, `Fake Admin API failure: ${String(error)}`, 'server_error'),
							),
						),
					);
				}
			});
		});
	}

	const server: Server = createServer((incoming, response) => receive(incoming, response));
	server.keepAliveTimeout = 30_000;
	const listening = await listen(server, options);
	const mtls = await startMtlsHost(organization, {
		port: options.mtlsPort,
		host: options.host,
		admin: receive,
		identity: options.mtlsIdentity,
	});

	return {
		baseUrl: `http://127.0.0.1:${listening.port}/v1`,
		apiKey,
		organization,
		log,
		faults,
		options,
		mtls,
		setFaultRate(rate, kinds, seed = 42, match) {
			const faults = kinds.map((kind) =>
				typeof kind === 'string' ? { kind, retryAfterSeconds: 1, delayMs: 1500 } : kind,
			);
			faultRate = rate > 0 ? { rate, faults, random: seededRandom(seed), match } : undefined;
		},
		get maxInFlight() {
			return maxInFlight;
		},
		get onRequest() {
			return onRequest;
		},
		set onRequest(hook) {
			onRequest = hook;
		},
		close: async () => {
			await mtls.close();
			await listening.close();
		},
	};
}
