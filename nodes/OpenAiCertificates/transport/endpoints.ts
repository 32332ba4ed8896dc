import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { CertificateDeleted, Shape } from '../helpers/answers';
import {
	activationShape as activation,
	auditLogEntryShape,
	certificateListShape,
	certificateShape,
	deletedShape,
	describeValue,
	listOf,
	projectShape,
} from '../helpers/answers';

/**
 * The Admin API as `spec/` describes it: one entry per operationId (method, path, answer shape). Every
 * request names its entry, so a request the table does not know does not compile, and every 2xx answer
 * passes the entry's check before any code uses it. test/transport/endpoints.test.ts holds it to `spec/`.
 */
export interface Endpoint<Answer, Path extends string = string> {
	method: IHttpRequestMethods;
	/** Below the base URL, as the spec writes it; `{name}` is an ID the call gives (`ids`). */
	path: Path;
	answer: Shape<Answer>;
	/** Whether the answer is about the certificate asked for: its `id` must be that ID. */
	aboutCertificate?: boolean;
	/** False for a write that must never be sent twice (upload): repeated only when surely not processed. */
	idempotent?: boolean;
}

/** The names of a path template's `{…}` segments. */
type Ids<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
	? Name | Ids<Rest>
	: never;
/** The IDs a call of an endpoint gives, by the names its path template uses. */
export type IdsOf<E> = E extends Endpoint<unknown, infer Path> ? Record<Ids<Path>, string> : never;

function entry<Answer, Path extends string>(
	method: IHttpRequestMethods,
	path: Path,
	answer: Shape<Answer>,
	more: { aboutCertificate?: boolean; idempotent?: boolean } = {},
): Endpoint<Answer, Path> {
	return { method, path, answer, ...more };
}

const HELD = 'organization/certificates';
const CERTIFICATE = 'organization/certificates/{certificate_id}';
const OF_PROJECT = 'organization/projects/{project_id}/certificates';
const ORG = 'organization.certificate';
const PROJECT = 'organization.project.certificate';
const ABOUT = { aboutCertificate: true };
/** Undefined when a repeat found it gone: the attempt whose answer was lost deleted it. */
const deleted = deletedShape as Shape<CertificateDeleted | undefined>;

/** Activates or deactivates (`verb`) certificates held at `held`; the answer lists them as `object`s. */
function toggle<Path extends string, Verb extends 'activate' | 'deactivate'>(
	held: Path,
	verb: Verb,
	object: string,
) {
	const answer = activation(object, verb === 'activate' ? 'activation' : 'deactivation');
	return entry('POST', `${held}/${verb}` as `${Path}/${Verb}`, answer);
}

/** Keyed by the spec's operationIds (spec/openai-admin-certificates.openapi.yaml, …-audit-logs.openapi.yaml). */
export const ENDPOINTS = {
	listOrganizationCertificates: entry('GET', HELD, certificateListShape),
	uploadCertificate: entry('POST', HELD, certificateShape, { idempotent: false }),
	activateOrganizationCertificates: toggle(HELD, 'activate', ORG),
	deactivateOrganizationCertificates: toggle(HELD, 'deactivate', ORG),
	getCertificate: entry('GET', CERTIFICATE, certificateShape, ABOUT),
	modifyCertificate: entry('POST', CERTIFICATE, certificateShape, ABOUT),
	deleteCertificate: entry('DELETE', CERTIFICATE, deleted, ABOUT),
	listProjectCertificates: entry('GET', OF_PROJECT, certificateListShape),
	activateProjectCertificates: toggle(OF_PROJECT, 'activate', PROJECT),
	deactivateProjectCertificates: toggle(OF_PROJECT, 'deactivate', PROJECT),
	'list-projects': entry('GET', 'organization/projects', listOf(projectShape, 'projects')),
	'list-audit-logs': entry('GET', 'organization/audit_logs', listOf(auditLogEntryShape, 'events')),
};

/** What is wrong with a 2xx answer of an endpoint to a call with these IDs, if anything. */
export function answerProblem(
	endpoint: Endpoint<unknown>,
	body: unknown,
	ids: Record<string, string> | undefined,
): string | undefined {
	const problem = endpoint.answer(body);
	if (problem !== undefined || !endpoint.aboutCertificate) return problem;
	const answered = (body as IDataObject).id;
	const asked = ids?.certificate_id;
	return answered === asked
		? undefined
		: `the answer.id is ${describeValue(answered)}, not ${JSON.stringify(asked)} that was asked for`;
}
