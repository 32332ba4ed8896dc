/**
 * The sandbox's mTLS API host: what activation does to traffic. HTTPS on 127.0.0.1 with its own server
 * certificate (made with openssl at start); it asks every client for a certificate and answers
 * `GET /v1/models`. A request belongs to a project by its key (one key per project, `projectKey`). If any
 * certificate is active for the organization or that project, the request must present a client
 * certificate that chains to one of them; with nothing active there it passes without one.
 *
 * It is also an mTLS host of the Admin API: requests to any other /v1 path go to the fake Admin API
 * (`admin`), with the client chain they presented; the fake judges them with `judgeClient` too.
 *
 * The judgement of a presented chain (OpenSSL, and the refusal codes of OpenAI's Mutual TLS guide) is
 * in clientJudgement.ts.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

import type { ClientVerdict } from './clientJudgement';
import { anchorsInScope, chainVerifier, judgeClient } from './clientJudgement';
import { listen } from './listen';
import type { Organization } from './organization';

export interface MtlsRequest {
	at: number;
	path: string;
	/** The project the key belongs to (undefined for an unknown key). */
	projectId?: string;
	/** Subject of the client certificate presented, if any. */
	clientSubject?: string;
	status: number;
	code?: string;
}

export interface MtlsHost {
	/** e.g. https://127.0.0.1:12345/v1 — the mTLS API host's base URL. */
	baseUrl: string;
	/** The host's server certificate (self-signed, for 127.0.0.1 and localhost): give it to clients as `ca`. */
	serverCertificatePem: string;
	/** The API key of a project: requests with it belong to that project's scope. */
	projectKey(projectId: string): string;
	log: MtlsRequest[];
	/** OpenAI's request-time judgement of a presented chain where `anchors` are active (judgeClient). */
	judge(
		anchors: X509Certificate[],
		chain: X509Certificate[],
		scope: string,
	): Promise<ClientVerdict>;
	close(): Promise<void>;
}

/** The fake Admin API's handler, for requests to its paths on this host, with the chain presented. */
export type AdminHandler = (
	incoming: IncomingMessage,
	response: ServerResponse,
	chain: X509Certificate[],
) => void;

/** The paths of the project API this host answers itself (project keys); the rest are the Admin API's. */
const PROJECT_API = new Map([
	['/v1/models', 'GET'],
	['/v1/chat/completions', 'POST'],
]);

export const PROJECT_KEY_PREFIX = 'sk-proj-sandbox-';

export function projectKey(projectId: string): string {
	return `${PROJECT_KEY_PREFIX}${projectId}`;
}

let serverIdentity: { cert: string; key: string } | undefined;

/** One self-signed server certificate per process (openssl, like the sandbox's other certificates). */
export function makeServerIdentity(): { cert: string; key: string } {
	if (serverIdentity) return serverIdentity;
	const dir = mkdtempSync(join(tmpdir(), 'mtls-server-'));
	try {
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:P-256',
				'-nodes',
				'-keyout',
				'server.key',
				'-out',
				'server.pem',
				'-days',
				'30',
				'-subj',
				'/CN=localhost/O=n8n-nodes-openai-certificates sandbox mTLS host',
				'-addext',
				'subjectAltName=IP:127.0.0.1,DNS:localhost',
				'-addext',
				'basicConstraints=critical,CA:FALSE',
				'-addext',
				'extendedKeyUsage=serverAuth',
			],
			{ cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
		);
		serverIdentity = {
			cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
			key: readFileSync(join(dir, 'server.key'), 'utf8'),
		};
		return serverIdentity;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The certificates the client sent, leaf first, as PEM. */
export function presentedChain(socket: TLSSocket): X509Certificate[] {
	const chain: X509Certificate[] = [];
	let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(
		true,
	) as DetailedPeerCertificate;
	const seen = new Set<string>();
	while (current && current.raw && !seen.has(current.fingerprint256)) {
		seen.add(current.fingerprint256);
		chain.push(new X509Certificate(current.raw));
		current = current.issuerCertificate;
	}
	return chain;
}

function errorBody(message: string, code: string, type = 'invalid_request_error') {
	return { error: { message, type, param: null, code } };
}

/** What the project API answers once a request is let through: a model list, or a chat completion. */
function projectApiAnswer(path: string): unknown {
	if (path === '/v1/models') {
		return {
			object: 'list',
			data: [{ id: 'gpt-sandbox', object: 'model', created: 1_700_000_000, owned_by: 'system' }],
		};
	}
	return {
		id: 'chatcmpl-sandbox',
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: 'gpt-sandbox',
		choices: [
			{
				index: 0,
				message: { role: 'assistant', content: 'Hello from the sandbox mTLS host.' },
				finish_reason: 'stop',
			},
		],
		usage: { prompt_tokens: 1, completion_tokens: 7, total_tokens: 8 },
	};
}

export async function startMtlsHost(
	organization: Organization,
	options: {
		port?: number;
		host?: string;
		admin?: AdminHandler;
		/** Its server certificate and key (default: this process's, made at first use). */
		identity?: { cert: string; key: string };
	} = {},
): Promise<MtlsHost> {
	const identity = options.identity ?? makeServerIdentity();
	const workDir = mkdtempSync(join(tmpdir(), 'mtls-verify-'));
	const verify = chainVerifier(workDir);
	const log: MtlsRequest[] = [];
	const projectByKey = (authorization: string | undefined) => {
		const key = authorization?.replace(/^Bearer\s+/i, '') ?? '';
		if (!key.startsWith(PROJECT_KEY_PREFIX)) return undefined;
		const projectId = key.slice(PROJECT_KEY_PREFIX.length);
		return organization.projects.has(projectId) ? projectId : undefined;
	};

	async function answer(
		incoming: IncomingMessage,
	): Promise<{ status: number; body: unknown; entry: Partial<MtlsRequest> }> {
		const url = new URL(incoming.url ?? '/', 'https://mtls');
		if (PROJECT_API.get(url.pathname) !== incoming.method) {
			return {
				status: 404,
				body: errorBody(`Invalid URL (${incoming.method} ${url.pathname})`, 'unknown_url'),
				entry: {},
			};
		}
		const projectId = projectByKey(incoming.headers.authorization);
		if (!projectId) {
			return {
				status: 401,
				body: errorBody(
					'Incorrect API key provided. The sandbox mTLS host takes project keys (sk-proj-sandbox-<project ID>).',
					'invalid_api_key',
				),
				entry: {},
			};
		}
		const chain = presentedChain(incoming.socket as TLSSocket);
		const entry: Partial<MtlsRequest> = {
			projectId,
			clientSubject: chain[0]?.subject.replace(/\n/g, ', '),
		};
		const anchors = anchorsInScope(organization, projectId);
		const enforced =
			organization.activeInOrganization.size > 0 ||
			(organization.activeInProject.get(projectId)?.size ?? 0) > 0;
		if (enforced) {
			const scope = `project ${projectId} or the organization`;
			const verdict = await judgeClient(verify, anchors, chain, scope);
			if (!verdict.ok) {
				return {
					status: 401,
					body: errorBody(verdict.message, verdict.code),
					entry: { ...entry, code: verdict.code },
				};
			}
		}
		return { status: 200, body: projectApiAnswer(url.pathname), entry };
	}

	const server = createServer(
		{ cert: identity.cert, key: identity.key, requestCert: true, rejectUnauthorized: false },
		(incoming: IncomingMessage, response: ServerResponse) => {
			const path = new URL(incoming.url ?? '/', 'https://mtls').pathname;
			if (options.admin && !PROJECT_API.has(path)) {
				options.admin(incoming, response, presentedChain(incoming.socket as TLSSocket));
				return;
			}
			incoming.resume();
			incoming.on('end', () => {
				answer(incoming)
					.then(({ status, body, entry }) => {
						log.push({ at: Date.now(), path: incoming.url ?? '/', status, ...entry });
						response.writeHead(status, { 'Content-Type': 'application/json' });
						response.end(JSON.stringify(body));
					})
					.catch((error: unknown) => {
						response.writeHead(500, { 'Content-Type': 'application/json' });
						response.end(
							JSON.stringify(
								errorBody(
									`Sandbox mTLS host failure: ${String(error)}`,
									'server_error',
									'server_error',
								),
							),
						);
					});
			});
		},
	);
	const listening = await listen(server, options);

	return {
		baseUrl: `https://127.0.0.1:${listening.port}/v1`,
		serverCertificatePem: identity.cert,
		projectKey,
		log,
		judge: (anchors, chain, scope) => judgeClient(verify, anchors, chain, scope),
		close: async () => {
			await listening.close();
			rmSync(workDir, { recursive: true, force: true });
		},
	};
}
