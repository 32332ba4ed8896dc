/**
 * Fault injection: the faults a test queues (consumed in order by the requests they match) or a seeded
 * share of matching requests (setFaultRate), and what each kind of fault does to the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError, errorBody, send, sendRateLimited } from './answers';
import type { FakeAdminApi, Fault, LoggedRequest } from './fakeAdminApi';

/** A seeded generator, so a fault rate picks the same requests in every run. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return ((state >>> 0) % 1_000_000) / 1_000_000;
	};
}

export interface FaultSource {
	/** The queued faults (FakeAdminApi.faults). */
	faults: Fault[];
	/** The fault a request gets: the first queued one it matches, else perhaps one of the fault rate's. */
	pick(request: LoggedRequest): Fault | undefined;
	setFaultRate: FakeAdminApi['setFaultRate'];
}

export function faultSource(): FaultSource {
	const faults: Fault[] = [];
	let faultRate:
		| {
				rate: number;
				faults: Fault[];
				random: () => number;
				match?: (request: LoggedRequest) => boolean;
		  }
		| undefined;

	return {
		faults,
		pick(request) {
			const index = faults.findIndex((fault) => !fault.match || fault.match(request));
			if (index !== -1) return faults.splice(index, 1)[0];
			if (
				faultRate &&
				(!faultRate.match || faultRate.match(request)) &&
				faultRate.random() < faultRate.rate
			) {
				return { ...faultRate.faults[Math.floor(faultRate.random() * faultRate.faults.length)] };
			}
			return undefined;
		},
		setFaultRate(rate, kinds, seed = 42, match) {
			const faults = kinds.map((kind) =>
				typeof kind === 'string' ? { kind, retryAfterSeconds: 1, delayMs: 1500 } : kind,
			);
			faultRate = rate > 0 ? { rate, faults, random: seededRandom(seed), match } : undefined;
		},
	};
}

/**
 * Applies a fault to a request: true when the fault answered it (or dropped the connection), false when
 * the request goes on (a 'slow' fault, after its delay).
 */
export async function injectFault(
	fault: Fault,
	incoming: IncomingMessage,
	response: ServerResponse,
	request: LoggedRequest,
): Promise<boolean> {
	request.fault = fault.kind;
	switch (fault.kind) {
		case 'drop':
			incoming.socket.destroy();
			return true;
		case 'slow':
			await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
			return false;
		case '429':
			sendRateLimited(response, request);
			return true;
		case '429-retry-after':
			sendRateLimited(response, request, {
				'Retry-After': String(fault.retryAfterSeconds ?? 1),
			});
			return true;
		case '429-retry-after-ms':
			sendRateLimited(response, request, {
				'retry-after-ms': String(fault.retryAfterMs ?? 20),
			});
			return true;
		case '429-retry-after-date':
			sendRateLimited(response, request, {
				'Retry-After': new Date(Date.now() + (fault.retryAfterSeconds ?? 1) * 1000).toUTCString(),
			});
			return true;
		case '500':
		case '502':
		case '503':
		case '504':
			send(
				response,
				request,
				Number(fault.kind),
				errorBody(
					new ApiError(
						Number(fault.kind),
						'The server had an error while processing your request.',
						'server_error',
					),
				),
			);
			return true;
		case 'html':
			send(
				response,
				request,
				fault.status ?? 502,
				'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
			);
			return true;
		case 'empty':
			request.status = fault.status ?? 502;
			response.writeHead(request.status);
			response.end();
			return true;
		case 'text':
			send(
				response,
				request,
				fault.status ?? 502,
				'upstream connect error or disconnect/reset before headers',
			);
			return true;
		case 'error':
			send(
				response,
				request,
				fault.status ?? 400,
				errorBody(new ApiError(fault.status ?? 400, fault.message ?? 'Error')),
			);
			return true;
	}
}
