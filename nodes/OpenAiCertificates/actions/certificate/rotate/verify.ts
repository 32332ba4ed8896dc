/**
 * Rotate's canary check: one request through OpenAI's mTLS host with a client certificate issued by the
 * new CA, in the canary project. It must be accepted.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Place } from '../../../api/place';
import { placeName } from '../../../api/place';
import type { MtlsAnswer, MtlsClient } from './mtlsClient';
import { MTLS_CHECK_PATH } from '../../../../../credentials/shared/baseUrl';
import { requestThroughMtlsHost } from './mtlsClient';

/** Said wherever a check through the mTLS host fails: a reason that lies in n8n, not in the certificate. */
export const N8N_1_CANNOT_PRESENT =
	"n8n 1.x's HTTP helpers ignore client certificates (n8n 2.x presents them): on n8n 1.x the mTLS host never sees the certificate, so use Pause After Canary there and check your workloads yourself.";

function whatCameBack(answer: MtlsAnswer): string {
	if (answer.status === undefined)
		return `no answer: the connection or TLS handshake failed (${answer.code ?? 'no error code'})`;
	const detail = [answer.code, answer.message].filter(Boolean).join(': ');
	return `HTTP ${answer.status}${detail ? ` (${detail})` : ''}`;
}

export async function verifyCanary(
	context: IExecuteFunctions,
	client: MtlsClient,
	place: Place,
	timeout: number,
	itemIndex: number,
): Promise<MtlsAnswer> {
	const answer = await requestThroughMtlsHost(context, client, timeout);
	if (answer.accepted) return answer;
	const projectId = placeName(place);
	throw new NodeOperationError(
		context.getNode(),
		`The mTLS host did not accept the canary request in project ${projectId}: ${whatCameBack(answer)}`,
		{
			itemIndex,
			description: `The node sent GET ${client.baseUrl}${MTLS_CHECK_PATH} with the client certificate of the OpenAI mTLS Client API credential. Check that the certificate was issued by the new CA (intermediates after it), that the private key (and passphrase) belong to it, and that the Project API Key is a key of project ${projectId}. ${N8N_1_CANNOT_PRESENT}`,
		},
	);
}
