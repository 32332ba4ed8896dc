import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	credentialBaseUrl,
	MTLS_BASE_URL_RULE,
	MTLS_CHECK_PATH,
} from '../../../../../credentials/shared/baseUrl';
import { failureCode, openAiError, redact } from '../../../helpers/apiErrors';

/**
 * A client of OpenAI's mTLS API host, through the OpenAI mTLS Client API credential: the credential's
 * `authenticate` adds the project key and hands the client certificate and its private key to n8n's
 * HTTPS agent (`agentOptions`, applied by n8n-core 2.x). The node reads only the public parts.
 */

export const MTLS_CREDENTIAL_TYPE = 'openAiMtlsClientApi';

export interface MtlsClient {
	baseUrl: string;
	/** The client certificate (leaf first, then intermediates): public, safe to inspect. */
	clientCertificate: string;
	/** Only for redacting answers; never output. */
	apiKey: string;
}

export interface MtlsAnswer {
	accepted: boolean;
	/** The HTTP status, or undefined when no answer came (TLS or connection failure). */
	status?: number;
	/** OpenAI's error code, or the connection/TLS error code. */
	code?: string;
	/** OpenAI's error message, redacted. */
	message?: string;
}

/** Whether the node has an mTLS client credential selected. */
export function hasMtlsClient(context: IExecuteFunctions): boolean {
	return context.getNode().credentials?.[MTLS_CREDENTIAL_TYPE] !== undefined;
}

/** The credential's base URL (checked) and client certificate. The private key is not read here. */
export async function readMtlsClient(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<MtlsClient> {
	const credentials = await context.getCredentials(MTLS_CREDENTIAL_TYPE, itemIndex);
	const base = credentialBaseUrl(credentials, MTLS_BASE_URL_RULE);
	if ('problem' in base) {
		throw new NodeOperationError(context.getNode(), base.problem, { itemIndex });
	}
	return {
		baseUrl: base.url,
		clientCertificate: String(credentials.clientCertificate ?? ''),
		apiKey: String(credentials.apiKey ?? ''),
	};
}

/**
 * One `GET /models` through the mTLS host with the credential's client certificate. Resolves with
 * what came back; a refusal or a failed handshake is an answer, not an exception. The caught error
 * may carry the request options (and so the private key): only its code is kept.
 */
export async function requestThroughMtlsHost(
	context: IExecuteFunctions,
	client: MtlsClient,
	timeout: number,
): Promise<MtlsAnswer> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: MTLS_CHECK_PATH,
		json: true,
		timeout,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
	};
	let response: { statusCode: number; body: unknown };
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			MTLS_CREDENTIAL_TYPE,
			options,
		)) as { statusCode: number; body: unknown };
	} catch (error) {
		return { accepted: false, code: failureCode(error) };
	}
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return { accepted: true, status: response.statusCode };
	}
	const details = openAiError(response.body);
	return {
		accepted: false,
		status: response.statusCode,
		code: details?.code ? redact(details.code, client.apiKey) : undefined,
		message: details?.message ? redact(details.message, client.apiKey) : undefined,
	};
}
