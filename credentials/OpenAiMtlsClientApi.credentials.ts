import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import {
	authorizedRequest,
	clientCertificateFields,
	hostFields,
	OPENAI_HOSTS,
} from './shared/clientTls';
import { MTLS_BASE_URL_RULE, MTLS_CHECK_PATH } from './shared/baseUrl';

/**
 * A client of OpenAI's mTLS API host: a project key and a client certificate with its private key.
 * Rotate uses it to send one request through the mTLS host after activating a new CA in the canary
 * project. The private key is handed only to n8n's HTTPS agent, for the TLS handshake.
 */
export class OpenAiMtlsClientApi implements ICredentialType {
	// Equal to MTLS_CREDENTIAL_TYPE; a literal, as n8n's loader and linter read it.
	name = 'openAiMtlsClientApi';

	displayName = 'OpenAI mTLS Client API';

	icon: Icon = {
		light: 'file:../icons/openAiCertificates.svg',
		dark: 'file:../icons/openAiCertificates.dark.svg',
	};

	documentationUrl = 'https://platform.openai.com/docs/guides/mutual-tls';

	properties: INodeProperties[] = [
		...clientCertificateFields(
			true,
			'Issued by a CA active for the project (the CA being rotated in, for Rotate).',
		),
		{
			displayName: 'Project API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			hint: 'A key of the project that the request should be made in (the canary project when Rotate verifies a canary)',
		},
		...hostFields(MTLS_BASE_URL_RULE, OPENAI_HOSTS.slice(1)),
	];

	// Every request with this credential — Rotate's canary check, the credential test, an HTTP Request node,
	// and n8n's repeat after a 401 — goes below the checked base URL, presents the client certificate and
	// never follows a redirect.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return authorizedRequest(credentials, requestOptions, MTLS_BASE_URL_RULE);
	}

	test: ICredentialTestRequest = {
		request: { url: MTLS_CHECK_PATH, method: 'GET', disableFollowRedirect: true },
	};
}
