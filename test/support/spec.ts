import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import type { LoggedRequest } from '../../sandbox/server';

/** The Admin API spec, the project's contract (`spec/`), and validators for its response schemas. */
const SPEC_PATH = join(__dirname, '..', '..', 'spec', 'openai-admin-certificates.openapi.yaml');

interface Operation {
	operationId: string;
	responses: Record<
		string,
		{ $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } }
	>;
}

function load(path: string) {
	return parse(readFileSync(path, 'utf8')) as {
		paths: Record<string, Record<string, Operation>>;
		components: { schemas: Record<string, unknown> };
	};
}

const spec = load(SPEC_PATH);
/** The audit log endpoint and its certificate event schemas: a spec file of their own. */
export const AUDIT_SPEC_PATH = join(
	__dirname,
	'..',
	'..',
	'spec',
	'openai-admin-audit-logs.openapi.yaml',
);
const auditSpec = load(AUDIT_SPEC_PATH);

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('unixtime', true);
ajv.addSchema({ components: spec.components }, 'spec');
ajv.addSchema({ components: auditSpec.components }, 'audit');

/** The certificate operations (the audit log's are in auditOperations). */
export const operations = Object.values(spec.paths).flatMap((methods) => Object.values(methods));
export const auditOperations = Object.values(auditSpec.paths).flatMap((methods) =>
	Object.values(methods),
);

function schemaRefFor(operationId: string, status: number, schema: string | undefined): string {
	if (status !== 200) return 'spec#/components/schemas/ErrorResponse';
	if (schema !== undefined) return `spec#/components/schemas/${schema}`;
	const operation = operations.find((candidate) => candidate.operationId === operationId);
	const auditOperation = auditOperations.find((candidate) => candidate.operationId === operationId);
	if (!operation && !auditOperation) throw new Error(`Operation ${operationId} is not in the spec`);
	const [id, found] = operation ? ['spec', operation] : ['audit', auditOperation!];
	return `${id}${found.responses['200'].content!['application/json'].schema.$ref}`;
}

/** Problems of one logged answer against the spec (an empty list when it conforms). */
export function responseProblems(request: LoggedRequest): string[] {
	if (!request.operationId || request.status === undefined || request.fault) return [];
	const validate = ajv.getSchema(
		schemaRefFor(request.operationId, request.status, request.schema),
	)!;
	if (validate(request.response)) return [];
	return (validate.errors ?? []).map(
		(error) => `${request.method} ${request.path} ${error.instancePath} ${error.message}`,
	);
}
