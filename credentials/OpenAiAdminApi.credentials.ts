import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import {
	ADMIN_BASE_URL_RULE,
	baseUrlField,
	credentialBaseUrl,
	destinationProblem,
	requestTarget,
} from '../nodes/OpenAiCertificates/transport/baseUrl';

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
		baseUrlField(
			ADMIN_BASE_URL_RULE,
			'Base URL',
			'Change only for a proxy, a regional host or a local test server. Plain http:// is accepted only for loopback addresses, so the admin key never travels unencrypted.',
		),
	];

	// A function rather than the declarative `{ type: 'generic' }` form: n8n 2.x resolves a declarative header's
	// `={{$credentials.apiKey}}` through its sandboxed expression engine on every request, which measured as
	// 20-30% of this node's per-item cost in the real app (CONTRIBUTING.md, Performance). And n8n runs it for every
	// request that carries the key — this node's, the credential test's, an HTTP Request node using this
	// credential — so it is the one place that enforces where the key may go: https, or plain http only to
	// loopback, and never along a redirect.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// The credential test request comes here too: the Base URL rule and the allowed domains hold for it.
		const base = credentialBaseUrl(credentials);
		if ('problem' in base)
			throw new UserError(`The OpenAI Admin API key was not sent: ${base.problem}`);
		// And wherever this request goes (an HTTP Request node may name any URL): the same rule.
		const target = requestTarget(
			requestOptions as { baseURL?: unknown; url?: unknown; uri?: unknown },
		);
		const problem =
			target === undefined ? 'the request has no valid URL' : destinationProblem(target);
		if (problem !== undefined) {
			throw new UserError(`The OpenAI Admin API key was not sent: ${problem}`);
		}
		const noRedirects = { followRedirect: false, followAllRedirects: false };
		return {
			...requestOptions,
			...noRedirects,
			disableFollowRedirect: true,
			maxRedirects: 0,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiKey)}` },
		};
	}

	// An admin endpoint: a non-admin key is refused here, so a wrong key shows when the credential is saved.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/organization/certificates',
			method: 'GET',
			qs: { limit: 1 },
		},
	};
}
