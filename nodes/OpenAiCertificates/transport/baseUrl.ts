/**
 * Where the admin key may go: https anywhere, plain http only to this machine (loopback). One rule for
 * every request that carries the key — the node's, the credential test's, any node using the credential.
 * Pure: no n8n imports, so the credential can use it too.
 *
 * Hosts are judged after WHATWG URL parsing (what the HTTP client connects to): `127.1`, `2130706433` and
 * `0x7f.0.0.1` all become 127.0.0.1 and count as loopback, as do `[::1]` and the IPv4-mapped
 * `[::ffff:127.x.y.z]` (the same socket on this machine). `localhost` counts; `0.0.0.0` and other names do not.
 */

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const LOOPBACK_HOST =
	/^(localhost|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])$/i;

export function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOST.test(hostname);
}

/** Why the key must not be sent to this URL, or undefined when it may. */
export function keyDestinationProblem(url: URL): string | undefined {
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:') {
		if (isLoopbackHost(url.hostname)) return undefined;
		return `${url.origin} uses plain http://, which would send the admin key unencrypted. Use https://; plain http:// is accepted only for loopback addresses (localhost, 127.0.0.0/8, [::1], [::ffff:127.0.0.1]).`;
	}
	return `${url.protocol}// is not https://`;
}

/** The credential's base URL, checked: https, or http only to a loopback address; no user, query or fragment. */
export function checkedBaseUrl(raw: unknown): { url: string } | { problem: string } {
	const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : DEFAULT_BASE_URL;
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return {
			problem: `The Base URL "${text}" in the OpenAI Admin API credential is not a valid URL`,
		};
	}
	if (parsed.username || parsed.password || parsed.search || parsed.hash) {
		return {
			problem:
				'The Base URL in the OpenAI Admin API credential must not contain a user name, password, query or fragment',
		};
	}
	const problem = keyDestinationProblem(parsed);
	if (problem !== undefined) {
		return { problem: `The Base URL in the OpenAI Admin API credential is refused: ${problem}` };
	}
	return { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}

/** The URL a request will go to, from n8n's request options (`baseURL` + `url`, or the legacy `uri`). */
export function requestTarget(options: {
	baseURL?: unknown;
	url?: unknown;
	uri?: unknown;
}): URL | undefined {
	const url = typeof options.url === 'string' ? options.url : options.uri;
	try {
		if (typeof url !== 'string') {
			return typeof options.baseURL === 'string' ? new URL(options.baseURL) : undefined;
		}
		if (typeof options.baseURL === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
			return new URL(`${options.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`);
		}
		return new URL(url);
	} catch {
		return undefined;
	}
}
