/**
 * Who may call the fake Admin API: a client certificate once mTLS is active for the organization, then
 * an admin key the organization's audit log knows (its actors). Each check answers a refused request
 * 401 and returns true.
 */
import type { X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { ApiError, errorBody, send } from './answers';
import { auditLogOf } from './auditLog';
import { organizationAnchors } from './clientJudgement';
import type { FakeAdminApiOptions, LoggedRequest } from './fakeAdminApi';
import type { MtlsHost } from './mtlsHost';
import type { Organization } from './organization';

/**
 * Help centre ("Who can access and modify certificates?"): once mTLS is active for the organization,
 * Admin API requests need an accepted client certificate too; the plain host asks for none.
 */
export function clientCertificateRequired(
	organization: Organization,
	options: FakeAdminApiOptions,
): boolean {
	return options.adminMtls !== false && organization.activeInOrganization.size > 0;
}

/** Refuses a request whose client chain (none on the plain host) the mTLS host does not accept. */
export async function refusedClientCertificate(
	organization: Organization,
	mtls: MtlsHost,
	chain: X509Certificate[] | undefined,
	response: ServerResponse,
	request: LoggedRequest,
): Promise<boolean> {
	const scope = 'the organization (Admin API requests included)';
	const verdict = await mtls.judge(organizationAnchors(organization), chain ?? [], scope);
	if (verdict.ok) return false;
	const error = new ApiError(401, verdict.message, 'invalid_request_error', null, verdict.code);
	send(response, request, 401, errorBody(error));
	return true;
}

/** Refuses a request without an admin key the organization knows. */
export function refusedKey(
	organization: Organization,
	response: ServerResponse,
	request: LoggedRequest,
): boolean {
	if (auditLogOf(organization).actorOf(request.authorization)) return false;
	const given = request.authorization?.replace(/^Bearer\s+/i, '') ?? '';
	// Like the real API, the answer names the key it got (here in full: the worst case for leaks).
	send(
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
	return true;
}
