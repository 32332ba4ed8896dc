/**
 * How the fake Admin API answers: OpenAI's error body, the answer written (and noted in the request
 * log), and OpenAI's rate-limit answer shared by injected faults and the configured rate limit.
 */
import type { ServerResponse } from 'node:http';

import type { LoggedRequest } from './fakeAdminApi';

/** An OpenAI error answer; routes throw it (a response, not an Error). */
export class ApiError {
	constructor(
		readonly status: number,
		readonly message: string,
		readonly type = 'invalid_request_error',
		readonly param: string | null = null,
		readonly code: string | null = null,
	) {}
}

export function errorBody(error: ApiError) {
	return {
		error: { message: error.message, type: error.type, param: error.param, code: error.code },
	};
}

/** Writes the answer (a string as HTML, anything else as JSON) and notes its status and body in the log. */
export function send(
	response: ServerResponse,
	request: LoggedRequest,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	request.status = status;
	request.response = body;
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	response.writeHead(status, {
		'Content-Type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
		...headers,
	});
	response.end(text);
}

/** OpenAI's rate-limit answer (a fault's or the rate limit's), with the headers it adds. */
export function sendRateLimited(
	response: ServerResponse,
	request: LoggedRequest,
	headers: Record<string, string> = {},
) {
	send(
		response,
		request,
		429,
		errorBody(
			new ApiError(
				429,
				'Rate limit reached for requests.',
				'requests',
				null,
				'rate_limit_exceeded',
			),
		),
		headers,
	);
}
