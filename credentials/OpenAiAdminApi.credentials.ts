import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { ADMIN_BASE_URL_RULE } from './shared/baseUrl';
import {
	authorizedRequest,
	clientCertificateFields,
	hostFields,
	OPENAI_HOSTS,
} from './shared/clientTls';

export class OpenAiAdminApi implements ICredentialType {
	name = 'openAiAdminApi';

	displayName = 'OpenAI Admin API';

	icon: Icon = {
		light: 'file:../icons/openAiCertificates.svg',
		dark: 'file:../icons/openAiCertificates.dark.svg',
	};

	documentationUrl = 'https://platform.openai.com/docs/api-reference/administration';

	properties: INodeProperties[] = [
		{
			displayName: 'Admin API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			hint: 'An organization admin key (starts with sk-admin-), created by an organization owner on the Admin keys page of the OpenAI platform settings. Project and user keys do not work here.',
		},
		...hostFields(ADMIN_BASE_URL_RULE, OPENAI_HOSTS),
		{
			displayName:
				'Once a certificate is active for the organization, OpenAI requires a client certificate on Admin API requests too: choose an mTLS host and add a client certificate issued by a CA active for the organization.',
			name: 'adminMtlsNotice',
			type: 'notice',
			default: '',
		},
		...clientCertificateFields(
			false,
			'Optional: needed once a certificate is active for the whole organization. Issued by a CA active for the organization.',
		),
	];

	// A function rather than the declarative `{ type: 'generic' }` form: n8n 2.x resolves a declarative header's
	// `={{$credentials.apiKey}}` through its sandboxed expression engine on every request, which measured as
	// 20-30% of this node's per-item cost in the real app (npm run bench, case 5). And n8n runs it for every
	// request that carries the key — this node's, the credential test's, an HTTP Request node using this
	// credential, and again after a 401 — so it is the one place that enforces where the key may go: below
	// the credential's Base URL, https (plain http only to loopback), never along a redirect.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return authorizedRequest(credentials, requestOptions, ADMIN_BASE_URL_RULE);
	}

	// An admin endpoint: a non-admin key is refused here, so a wrong key shows when the credential is saved.
	test: ICredentialTestRequest = {
		request: { url: '/organization/certificates', method: 'GET', qs: { limit: 1 } },
	};
}
