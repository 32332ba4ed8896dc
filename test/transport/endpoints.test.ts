import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { ENDPOINTS } from '../../nodes/OpenAiCertificates/transport';

/** The endpoint table is the spec's: every entry is an operationId with its method and path, and every operation has an entry. */
describe('The endpoint table', () => {
	const operations = ['openai-admin-certificates', 'openai-admin-audit-logs'].flatMap((name) => {
		const spec = parse(
			readFileSync(join(__dirname, '..', '..', 'spec', `${name}.openapi.yaml`), 'utf8'),
		) as {
			paths: Record<string, Record<string, { operationId?: string }>>;
		};
		return Object.entries(spec.paths).flatMap(([path, methods]) =>
			Object.entries(methods)
				.filter(([, operation]) => typeof operation?.operationId === 'string')
				.map(([method, operation]) => ({
					operationId: operation.operationId as string,
					method: method.toUpperCase(),
					path,
				})),
		);
	});

	it('holds one entry per operationId of spec/, with the spec’s method and path', () => {
		const entries = Object.entries(ENDPOINTS).map(([operationId, endpoint]) => ({
			operationId,
			method: endpoint.method,
			path: `/${endpoint.path}`,
		}));
		const byId = (a: { operationId: string }, b: { operationId: string }) =>
			a.operationId.localeCompare(b.operationId);
		expect(operations.length).toBeGreaterThanOrEqual(12);
		expect(entries.sort(byId)).toEqual([...operations].sort(byId));
	});
});
