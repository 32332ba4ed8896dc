/**
 * The sandbox's mTLS API host: what activation does to traffic. HTTPS on 127.0.0.1 with its own server
 * certificate (made with openssl at start); it asks every client for a certificate and answers
 * `GET /v1/models`. A request belongs to a project by its key (one key per project, `projectKey`). If any
 * certificate is active for the organization or that project, the request must present a client
 * certificate that chains to one of them; with nothing active there it passes without one.
 *
 * The chain is judged by OpenSSL itself (`openssl verify -purpose sslclient -partial_chain`: issuer,
 * signature, validity, CA constraints, through the intermediates the client sent), not by the node's
 * own trust helpers, so the two are independent.
 *
 * It is also an mTLS host of the Admin API: requests to any other /v1 path go to the fake Admin API
 * (`admin`), with the client chain they presented; the fake judges them with `judgeClient` too.
 *
 * Refusals use the request-time codes of OpenAI's Mutual TLS guide: `certificate_required` (none
 * presented), `invalid_certificate` (no Authority Key Identifier), `certificate_verification_failed`
 * (presented, but it chains to no certificate active in scope). The guide gives no status for them;
 * the sandbox answers 401 (spec/NOTES.md).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

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

/** Every parseable certificate in the content of the certificates active in scope. */
function anchorsInScope(organization: Organization, projectId: string): X509Certificate[] {
	const ids = new Set([
		...organization.activeInOrganization,
		...(organization.activeInProject.get(projectId) ?? []),
	]);
	const anchors: X509Certificate[] = [];
	for (const id of ids) {
		// Mutual TLS guide: of a PEM holding several certificates, only the first is the anchor.
		const content = organization.certificates.get(id)?.content ?? '';
		const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(content);
		try {
			if (first) anchors.push(new X509Certificate(first[0]));
		} catch {
			// Not a certificate OpenSSL could use: it anchors nothing (but still counts as active).
		}
	}
	return anchors;
}

type Verdict = { ok: true } | { ok: false; reason: string };

/** openssl verify, memoised for a second per (anchors, chain): probes repeat the same question many times. */
function chainVerifier(workDir: string) {
	const cache = new Map<string, { until: number; verdict: Promise<Verdict> }>();
	let counter = 0;

	async function run(anchors: X509Certificate[], chain: X509Certificate[]): Promise<Verdict> {
		if (anchors.length === 0)
			return {
				ok: false,
				reason: 'no active certificate in scope is a parseable X.509 certificate',
			};
		counter += 1;
		const base = join(workDir, `verify-${counter}`);
		await writeFile(
			`${base}-anchors.pem`,
			anchors.map((certificate) => certificate.toString()).join('\n'),
		);
		await writeFile(`${base}-leaf.pem`, chain[0].toString());
		const args = [
			'verify',
			'-purpose',
			'sslclient',
			'-partial_chain',
			'-CAfile',
			`${base}-anchors.pem`,
		];
		if (chain.length > 1) {
			await writeFile(
				`${base}-untrusted.pem`,
				chain
					.slice(1)
					.map((certificate) => certificate.toString())
					.join('\n'),
			);
			args.push('-untrusted', `${base}-untrusted.pem`);
		}
		args.push(`${base}-leaf.pem`);
		return await new Promise<Verdict>((resolve) => {
			execFile('openssl', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
				for (const suffix of ['anchors', 'leaf', 'untrusted'])
					rmSync(`${base}-${suffix}.pem`, { force: true });
				if (!error) return resolve({ ok: true });
				const reason =
					/error \d+ at \d+ depth lookup: (.*)/.exec(`${stderr}\n${stdout}`)?.[1] ??
					(stderr || stdout).trim().split('\n').pop() ??
					'verification failed';
				resolve({ ok: false, reason });
			});
		});
	}

	return (anchors: X509Certificate[], chain: X509Certificate[]): Promise<Verdict> => {
		const key = createHash('sha256')
			.update(
				anchors
					.map((certificate) => certificate.fingerprint256)
					.sort()
					.join(','),
			)
			.update('|')
			.update(chain.map((certificate) => certificate.fingerprint256).join(','))
			.digest('hex');
		const now = Date.now();
		const cached = cache.get(key);
		if (cached && cached.until > now) return cached.verdict;
		const verdict = run(anchors, chain);
		cache.set(key, { until: now + 1000, verdict });
		return verdict;
	};
}

/** An Authority Key Identifier extension (OID 2.5.29.35) in the certificate's DER. */
function hasAuthorityKeyIdentifier(certificate: X509Certificate): boolean {
	return certificate.raw.includes(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]));
}

export type ClientVerdict = { ok: true } | { ok: false; code: string; message: string };

export type ChainVerifier = ReturnType<typeof chainVerifier>;

/**
 * OpenAI's request-time judgement of a client in a scope where `anchors` are active (the guide's order):
 * a certificate must be presented, have an Authority Key Identifier, and chain to an active anchor.
 */
export async function judgeClient(
	verify: ChainVerifier,
	anchors: X509Certificate[],
	chain: X509Certificate[],
	scope: string,
): Promise<ClientVerdict> {
	if (chain.length === 0) {
		const message = `A client certificate is required: mutual TLS is enforced for ${scope} (a certificate is active there).`;
		return { ok: false, code: 'certificate_required', message };
	}
	if (!hasAuthorityKeyIdentifier(chain[0])) {
		const message = `The client certificate is invalid: it has no Authority Key Identifier.`;
		return { ok: false, code: 'invalid_certificate', message };
	}
	const verdict = await verify(anchors, chain);
	if (verdict.ok) return verdict;
	const message = `The client certificate was not accepted: it does not chain to a certificate active for ${scope} (${verdict.reason}).`;
	return { ok: false, code: 'certificate_verification_failed', message };
}

/** Every parseable certificate in the content of the certificates active for the organization. */
export function organizationAnchors(organization: Organization): X509Certificate[] {
	return anchorsInScope(organization, '');
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
