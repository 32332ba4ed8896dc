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
 * Refusals: OpenAI documents neither the status nor the body (see spec/NOTES.md). The SDK maintainers'
 * live check reports HTTP 401 for a missing client certificate; this host answers 401 with an OpenAI
 * error body, code `certificate_required` (none presented) or `certificate_not_accepted` (presented,
 * but it chains to no certificate active in scope).
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
	close(): Promise<void>;
}

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
function presentedChain(socket: TLSSocket): X509Certificate[] {
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
		const content = organization.certificates.get(id)?.content ?? '';
		for (const block of content.match(
			/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
		) ?? []) {
			try {
				anchors.push(new X509Certificate(block));
			} catch {
				// Not a certificate OpenSSL could use: it anchors nothing (but still counts as active).
			}
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

function errorBody(message: string, code: string, type = 'invalid_request_error') {
	return { error: { message, type, param: null, code } };
}

export async function startMtlsHost(
	organization: Organization,
	options: { port?: number; host?: string } = {},
): Promise<MtlsHost> {
	const identity = makeServerIdentity();
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
		if (incoming.method !== 'GET' || url.pathname !== '/v1/models') {
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
		if (enforced && chain.length === 0) {
			const message = `A client certificate is required: mutual TLS is enforced for project ${projectId} (a certificate is active for it or for the organization).`;
			return {
				status: 401,
				body: errorBody(message, 'certificate_required'),
				entry: { ...entry, code: 'certificate_required' },
			};
		}
		if (enforced) {
			const verdict = await verify(anchors, chain);
			if (!verdict.ok) {
				const message = `The client certificate was not accepted: it does not chain to a certificate active for project ${projectId} or the organization (${verdict.reason}).`;
				return {
					status: 401,
					body: errorBody(message, 'certificate_not_accepted'),
					entry: { ...entry, code: 'certificate_not_accepted' },
				};
			}
		}
		const body = {
			object: 'list',
			data: [{ id: 'gpt-sandbox', object: 'model', created: 1_700_000_000, owned_by: 'system' }],
		};
		return { status: 200, body, entry };
	}

	const server = createServer(
		{ cert: identity.cert, key: identity.key, requestCert: true, rejectUnauthorized: false },
		(incoming: IncomingMessage, response: ServerResponse) => {
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
		close: async () => {
			await listening.close();
			rmSync(workDir, { recursive: true, force: true });
		},
	};
}
