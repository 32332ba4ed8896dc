import { request } from 'node:https';

import type { MtlsHost } from '../../sandbox/mtlsHost';

/**
 * A client of the sandbox's mTLS API host: one `GET /v1/models` over a fresh TLS connection (no agent,
 * no session reuse, so every probe makes a full handshake), with a project key and optionally a client
 * certificate (PEM: the leaf first, then any intermediates, as openai-node's mTLS examples send it) and
 * its private key.
 */

export interface ProbeClient {
	/** Leaf first, then intermediates. */
	certificatePem?: string;
	keyPem?: string;
}

export interface ProbeResult {
	status: number;
	accepted: boolean;
	/** The OpenAI error code of a refusal (certificate_required, certificate_verification_failed, invalid_api_key). */
	code?: string;
	message?: string;
}

export function probeMtlsHost(
	host: MtlsHost,
	projectId: string,
	client: ProbeClient = {},
): Promise<ProbeResult> {
	const url = new URL(`${host.baseUrl}/models`);
	return new Promise((resolve, reject) => {
		const outgoing = request(
			{
				hostname: url.hostname,
				port: url.port,
				path: url.pathname,
				method: 'GET',
				headers: { Authorization: `Bearer ${host.projectKey(projectId)}` },
				ca: host.serverCertificatePem,
				cert: client.certificatePem,
				key: client.keyPem,
				agent: false,
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () => {
					const status = response.statusCode ?? 0;
					let error: { code?: string; message?: string } | undefined;
					try {
						error = (
							JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
								error?: { code?: string; message?: string };
							}
						).error;
					} catch {
						error = undefined;
					}
					resolve({ status, accepted: status === 200, code: error?.code, message: error?.message });
				});
			},
		);
		outgoing.on('error', reject);
		outgoing.end();
	});
}
