import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * A misbehaving Admin API for tests: answers what each test scripts (HTML on 200, truncated JSON, bodies
 * dripped or cut mid-way, redirects, broken gzip, odd headers), over http or https, and passes everything
 * else to an upstream (the sandbox) so state-changing flows still work — or lets the upstream act on a
 * request and then loses or garbles its answer (`pass`). Logs every request it sees.
 */

export interface SeenRequest {
	method: string;
	/** Path with query, as received (e.g. /v1/organization/certificates?limit=1). */
	url: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: string;
	/** Answered by a scripted route (true) or passed upstream (false). */
	scripted: boolean;
}

export interface UpstreamAnswer {
	status: number;
	headers: IncomingMessage['headers'];
	body: string;
}

export type Handler = (request: SeenRequest, response: ServerResponse) => void | Promise<void>;

interface Route {
	match: (request: SeenRequest) => boolean;
	handler: Handler;
	remaining: number;
}

export interface HostileServer {
	port: number;
	/** The base URL (…/v1) with the given host, default 127.0.0.1. */
	baseUrl(host?: string): string;
	log: SeenRequest[];
	/**
	 * Passes a request to the upstream and hands back its answer without sending it: a handler that
	 * lets the sandbox act on a request (store an upload) and then loses or garbles the answer.
	 */
	pass(request: SeenRequest): Promise<UpstreamAnswer>;
	/** Scripts the next `times` requests that match (default: all of them). */
	on(match: string | ((request: SeenRequest) => boolean), handler: Handler, times?: number): void;
	close(): Promise<void>;
}

const matcher = (match: string | ((request: SeenRequest) => boolean)) => {
	if (typeof match !== 'string') return match;
	const [method, path] = match.split(' ');
	return (request: SeenRequest) => request.method === method && request.path === path;
};

export async function startHostileServer(
	options: { upstream?: string; tls?: { key: string; cert: string }; host?: string } = {},
): Promise<HostileServer> {
	const routes: Route[] = [];
	const log: SeenRequest[] = [];
	const sockets = new Set<Socket>();

	const listener = (incoming: IncomingMessage, response: ServerResponse) => {
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			const url = incoming.url ?? '/';
			const request: SeenRequest = {
				method: incoming.method ?? 'GET',
				url,
				path: url.split('?')[0],
				headers: incoming.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				scripted: false,
			};
			log.push(request);
			const route = routes.find((candidate) => candidate.remaining > 0 && candidate.match(request));
			if (route) {
				route.remaining -= 1;
				request.scripted = true;
				void Promise.resolve(route.handler(request, response)).catch(() => response.destroy());
			} else if (options.upstream) {
				forward(options.upstream, request, response);
			} else {
				json(response, 404, {
					error: {
						message: 'Not scripted',
						type: 'invalid_request_error',
						param: null,
						code: null,
					},
				});
			}
		});
	};
	const server: Server = options.tls
		? createHttpsServer(options.tls, listener)
		: createHttpServer(listener);
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('secureConnection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		port,
		baseUrl: (urlHost = '127.0.0.1') => `${options.tls ? 'https' : 'http'}://${urlHost}:${port}/v1`,
		log,
		on: (match, handler, times = Number.POSITIVE_INFINITY) => {
			routes.unshift({ match: matcher(match), handler, remaining: times });
		},
		pass: async (request) => {
			if (!options.upstream) throw new Error('pass() needs an upstream');
			return await upstreamAnswer(options.upstream, request);
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

function sendUpstream(
	upstream: string,
	request: SeenRequest,
	onAnswer: (answer: IncomingMessage) => void,
	onError: (error: Error) => void,
): void {
	const target = new URL(upstream);
	const headers = { ...request.headers, host: target.host };
	const outgoing = httpRequest(
		{
			host: target.hostname,
			port: target.port,
			method: request.method,
			path: request.url,
			headers,
		},
		onAnswer,
	);
	outgoing.on('error', onError);
	outgoing.end(request.body);
}

function forward(upstream: string, request: SeenRequest, response: ServerResponse): void {
	sendUpstream(
		upstream,
		request,
		(answer) => {
			response.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(response);
		},
		() => response.destroy(),
	);
}

function upstreamAnswer(upstream: string, request: SeenRequest): Promise<UpstreamAnswer> {
	return new Promise((resolve, reject) =>
		sendUpstream(
			upstream,
			request,
			(answer) => {
				const chunks: Buffer[] = [];
				answer.on('data', (chunk: Buffer) => chunks.push(chunk));
				answer.on('end', () =>
					resolve({
						status: answer.statusCode ?? 502,
						headers: answer.headers,
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				);
			},
			reject,
		),
	);
}

// Scripted answers.

export function json(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	response.end(text);
}

export function raw(
	response: ServerResponse,
	status: number,
	text: string,
	headers: Record<string, string> = {},
): void {
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	response.end(text);
}

/** Headers at once, then the body a few bytes at a time, `gapMs` apart. */
export async function drip(
	response: ServerResponse,
	text: string,
	gapMs: number,
	bytesPerChunk = 2,
): Promise<void> {
	response.writeHead(200, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	for (let offset = 0; offset < text.length; offset += bytesPerChunk) {
		if (response.destroyed) return;
		response.write(text.slice(offset, offset + bytesPerChunk));
		await new Promise((resolve) => setTimeout(resolve, gapMs));
	}
	response.end();
}

/** Headers promise the whole body; part of it is sent, then the connection is dropped. */
export function dropMidBody(response: ServerResponse, text: string): void {
	response.writeHead(200, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	response.write(text.slice(0, Math.floor(text.length / 2)));
	setTimeout(() => response.socket?.destroy(), 20);
}

/** Says gzip, sends bytes that are not. */
export function brokenGzip(response: ServerResponse): void {
	const bytes = Buffer.concat([
		gzipSync('{"object":"list"}').subarray(0, 10),
		Buffer.from('not gzip at all, really not'),
	]);
	response.writeHead(200, {
		'content-type': 'application/json',
		'content-encoding': 'gzip',
		'content-length': bytes.length,
	});
	response.end(bytes);
}

export const openAiError = (
	message: string,
	code: string | null = null,
	type = 'invalid_request_error',
) => ({
	error: { message, type, param: null, code },
});
