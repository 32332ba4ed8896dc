import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi } from '../../sandbox/server';
import type { Credentials } from '../harness/runWorkflow';

/**
 * The node's own admin client under organization-level mTLS (help centre: Admin API requests need a client
 * certificate once one is active for the organization): a CA, and a client certificate it issued that the
 * OpenAI Admin API credential presents.
 */
export interface AdminClient {
	ca: GeneratedCertificate;
	client: GeneratedCertificate;
}

export function makeAdminClient(commonName = 'Admin CA'): AdminClient {
	const ca = makeCertificate({ ca: true, commonName });
	return { ca, client: makeCertificate({ commonName: `${commonName} admin client`, issuer: ca }) };
}

/** The fake's Admin API credential on its mTLS host, presenting `client` (none: the key alone). */
export function adminCredential(api: FakeAdminApi, client?: GeneratedCertificate): Credentials {
	return {
		apiKey: api.apiKey,
		host: 'custom',
		baseUrl: api.mtls.baseUrl,
		serverCa: api.mtls.serverCertificatePem,
		...(client ? { clientCertificate: client.pem, privateKey: client.keyPem } : {}),
	};
}
