import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { baseUrlField, credentialBaseUrl } from '../nodes/OpenAiCertificates/transport/baseUrl';
import {
	MTLS_BASE_URL_RULE,
	MTLS_CHECK_PATH,
} from '../nodes/OpenAiCertificates/transport/mtlsClient';

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
		{
			displayName: 'Client Certificate',
			name: 'clientCertificate',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			required: true,
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----',
			description:
				'The client certificate in PEM format, issued by the CA being rotated in; the leaf first, then every intermediate',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			required: true,
			default: '',
			description:
				'The private key of the client certificate, in PEM format. It is used only in the TLS handshake and never appears in output, errors or logs.',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'passphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The passphrase of an encrypted private key; leave empty otherwise',
		},
		{
			displayName: 'Project API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			hint: 'A key of the project that the request should be made in (the canary project when Rotate verifies a canary)',
		},
		{
			displayName: 'Server CA Certificate',
			name: 'serverCa',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description:
				"Only for a test server with its own server certificate (such as this package's sandbox): the PEM of the CA that issued it, trusted instead of the public CAs. Leave empty for OpenAI.",
		},
		baseUrlField(
			MTLS_BASE_URL_RULE,
			'mTLS Base URL',
			"OpenAI's mTLS API host; https://mtls-eu.api.openai.com/v1 for EU data residency. Plain http:// is accepted only for loopback addresses, and redirects are never followed.",
		),
	];

	// Every request with this credential, the credential test included, goes to the checked base URL,
	// presents the client certificate and never follows a redirect.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const base = credentialBaseUrl(credentials, MTLS_BASE_URL_RULE);
		if ('problem' in base) throw new Error(base.problem);
		if (!/^\/[^/]/.test(requestOptions.url)) {
			throw new Error(
				'A request with the OpenAI mTLS Client API credential must name a path below its mTLS Base URL',
			);
		}
		const options: IHttpRequestOptions = {
			...requestOptions,
			url: `${base.url}${requestOptions.url}`,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiKey)}` },
			agentOptions: { ...requestOptions.agentOptions, ...tlsClientOptions(credentials) },
		};
		delete options.baseURL;
		return options;
	}

	test: ICredentialTestRequest = {
		request: { url: MTLS_CHECK_PATH, method: 'GET', disableFollowRedirect: true },
	};
}

/** What n8n's HTTPS agent needs for the handshake: the certificate, its key, a test server's CA. */
function tlsClientOptions(credentials: ICredentialDataDecryptedObject) {
	const text = (name: string) => String(credentials[name] ?? '').trim();
	return {
		cert: text('clientCertificate'),
		key: text('privateKey'),
		...(text('passphrase') === '' ? {} : { passphrase: text('passphrase') }),
		...(text('serverCa') === '' ? {} : { ca: text('serverCa') }),
	};
}
