import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

const CHANNELS = ['http.client.request.start', 'http.client.response.finish'] as const;

/**
 * What the node's HTTP client did, in the order it did it: per URL path, `sent` for each request it started
 * and `got <status>` for each answer it received within `timeoutMs` of starting the request (`got <status> late`
 * after that: the node's Timeout, an idle timer that starts no earlier than the request, may have fired first,
 * so the node may not have seen it). n8n-core's client runs on Node's http, which reports both on
 * its diagnostics channels. The fake cannot tell this itself: an answer written after the client gave up (its
 * Timeout fired) is written all the same, and on a loaded machine the fake may even read a request after the
 * client has already sent the next one. Call `stop()` when the run is over.
 */
export function watchClient(timeoutMs: number) {
	const events = new Map<string, string[]>();
	const started = new WeakMap<ClientRequest, number>();
	const record = (request: ClientRequest, event: string) => {
		const path = new URL(request.path, 'http://fake').pathname;
		events.set(path, [...(events.get(path) ?? []), event]);
	};
	const listeners = {
		'http.client.request.start': (message: unknown) => {
			const { request } = message as { request: ClientRequest };
			started.set(request, performance.now());
			record(request, 'sent');
		},
		'http.client.response.finish': (message: unknown) => {
			const { request, response } = message as {
				request: ClientRequest;
				response: IncomingMessage;
			};
			const late = performance.now() - (started.get(request) ?? -Infinity) >= timeoutMs;
			record(request, `got ${response.statusCode}${late ? ' late' : ''}`);
		},
	};
	for (const channel of CHANNELS) subscribe(channel, listeners[channel]);
	return {
		stop: () => {
			for (const channel of CHANNELS) unsubscribe(channel, listeners[channel]);
		},
		/** What the client did for one path (as the fake logs it, e.g. /v1/organization/certificates/cert_…). */
		events: (path: string) => events.get(path) ?? [],
	};
}
