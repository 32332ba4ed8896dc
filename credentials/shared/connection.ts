import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialBaseUrl } from './baseUrl';
import { clientCertificateProblem, hasClientCertificate } from './clientTls';

/** The OpenAI Admin API credential (its `name`; a literal there, as n8n's loader and linter read it). */
export const CREDENTIAL_TYPE = 'openAiAdminApi';

export type AdminApiContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** The base URL and key, read once per node run; a failed read is not remembered (the next item reports it too). */
const connections = new WeakMap<object, Promise<{ baseUrl: string; apiKey: string }>>();

/** What the run's Admin API credential gives every request: its checked Base URL and its key. */
export function adminConnection(
	context: AdminApiContext,
): Promise<{ baseUrl: string; apiKey: string }> {
	let connection = connections.get(context);
	if (connection) return connection;
	connection = (async () => {
		const credentials = await context.getCredentials(CREDENTIAL_TYPE);
		const base = credentialBaseUrl(credentials);
		if ('problem' in base) throw new NodeOperationError(context.getNode(), base.problem);
		const problem = hasClientCertificate(credentials)
			? await clientCertificateProblem(context, base.url)
			: undefined;
		if (problem) throw new NodeOperationError(context.getNode(), problem.message, problem);
		return { baseUrl: base.url, apiKey: String(credentials.apiKey ?? '') };
	})();
	connections.set(context, connection);
	connection.catch(() => connections.delete(context));
	return connection;
}
