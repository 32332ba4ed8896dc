/**
 * A stateful fake of the OpenAI Admin API certificate endpoints (and GET /organization/projects),
 * following spec/openai-admin-certificates.openapi.yaml: bearer check, validation, paging,
 * error bodies, the "must be inactive" rule on delete. It can inject faults, add latency, enforce a
 * requests-per-minute limit, and logs every request for assertions.
 *
 * This file is the server and its request pipeline; each stage has its own module: faults.ts,
 * rateLimit.ts, adminAccess.ts, routes.ts (with auditLogApi.ts). The shapes they share are in
 * fakeAdminApi.ts, re-exported here.
 */
import type { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { clientCertificateRequired, refusedClientCertificate, refusedKey } from './adminAccess';
import { ApiError, errorBody } from './answers';
import { auditLogOf } from './auditLog';
import type { FakeAdminApi, FakeAdminApiOptions, LoggedRequest } from './fakeAdminApi';
import { faultSource, injectFault } from './faults';
import { listen } from './listen';
import { startMtlsHost } from './mtlsHost';
import { Organization } from './organization';
import { rateLimit } from './rateLimit';
import { answerRoute } from './routes';

export type {
	FakeAdminApi,
	FakeAdminApiOptions,
	Fault,
	FaultKind,
	LoggedRequest,
} from './fakeAdminApi';

export const DEFAULT_API_KEY = 'sk-admin-sandbox-0123456789abcdefSECRET';

function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
	const query: Record<string, string | string[]> = {};
	for (const [key, value] of search) {
		const existing = query[key];
		query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
	}
	return query;
}

/** The log entry of a request as it arrived: a body that is not JSON is kept as its text. */
function loggedRequest(
	incoming: IncomingMessage,
	url: URL,
	rawBody: string,
	chain: X509Certificate[] | undefined,
): LoggedRequest {
	let body: unknown = undefined;
	if (rawBody !== '') {
		try {
			body = JSON.parse(rawBody);
		} catch {
			body = rawBody;
		}
	}
	return {
		method: incoming.method ?? 'GET',
		path: url.pathname,
		query: parseQuery(url.searchParams),
		body,
		authorization: incoming.headers.authorization,
		at: Date.now(),
		overMtls: chain !== undefined,
		clientSubject: chain?.[0]?.subject.replace(/\n/g, ', '),
	};
}

export async function startFakeAdminApi(options: FakeAdminApiOptions = {}): Promise<FakeAdminApi> {
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const organization = options.organization ?? new Organization();
	// The admin key the fake accepts; more keys (other actors in the audit log) via auditLogOf(organization).addKey.
	auditLogOf(organization).addKey(apiKey);
	const log: LoggedRequest[] = [];
	const faults = faultSource();
	const rateLimited = rateLimit(options);
	let onRequest: FakeAdminApi['onRequest'];
	let inFlight = 0;
	let maxInFlight = 0;

	/** The pipeline: log, the test's hook, latency, faults, rate limit, access, then the routes. */
	async function handle(
		incoming: IncomingMessage,
		response: ServerResponse,
		rawBody: string,
		chain?: X509Certificate[],
	) {
		const url = new URL(incoming.url ?? '/', 'http://fake');
		const request = loggedRequest(incoming, url, rawBody, chain);
		log.push(request);
		await onRequest?.(request);
		if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
		const fault = faults.pick(request);
		if (fault && (await injectFault(fault, incoming, response, request))) return;
		if (rateLimited(response, request)) return;
		if (
			clientCertificateRequired(organization, options) &&
			(await refusedClientCertificate(organization, mtls, chain, response, request))
		)
			return;
		if (refusedKey(organization, response, request)) return;
		answerRoute(organization, options, response, request, url.pathname);
	}

	function receive(incoming: IncomingMessage, response: ServerResponse, chain?: X509Certificate[]) {
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			inFlight += 1;
			maxInFlight = Math.max(maxInFlight, inFlight);
			response.on('close', () => {
				inFlight -= 1;
			});
			const body = Buffer.concat(chunks).toString('utf8');
			handle(incoming, response, body, chain).catch((error: unknown) => {
				if (!response.headersSent) {
					response.writeHead(500, { 'Content-Type': 'application/json' });
					response.end(
						JSON.stringify(
							errorBody(
								new ApiError(500, `Fake Admin API failure: ${String(error)}`, 'server_error'),
							),
						),
					);
				}
			});
		});
	}

	const server: Server = createServer((incoming, response) => receive(incoming, response));
	server.keepAliveTimeout = 30_000;
	const listening = await listen(server, options);
	const mtls = await startMtlsHost(organization, {
		port: options.mtlsPort,
		host: options.host,
		admin: receive,
		identity: options.mtlsIdentity,
	});

	return {
		baseUrl: `http://127.0.0.1:${listening.port}/v1`,
		apiKey,
		organization,
		log,
		faults: faults.faults,
		options,
		mtls,
		setFaultRate: faults.setFaultRate,
		get maxInFlight() {
			return maxInFlight;
		},
		get onRequest() {
			return onRequest;
		},
		set onRequest(hook) {
			onRequest = hook;
		},
		close: async () => {
			await mtls.close();
			await listening.close();
		},
	};
}
