/**
 * The Base URL rule of every credential of this package, and of every request that carries a key: https,
 * or plain http only to a loopback address, so a key (or a client certificate's handshake) never travels
 * unencrypted. Pure: no n8n imports, so the credentials use it too.
 *
 * Hosts are judged after WHATWG URL parsing, i.e. on the address the HTTP client connects to: `127.1`,
 * `2130706433` and `0x7f.0.0.1` all become 127.0.0.1 and count as loopback, as do `[::1]` and the
 * IPv4-mapped `[::ffff:127.x.y.z]` (the same loopback socket). `localhost` counts; `0.0.0.0`, `[::]`
 * and other names do not.
 */

export interface BaseUrlRule {
	/** The credential's display name, for messages. */
	credential: string;
	/** Used when the field is empty. */
	defaultUrl: string;
	/** What plain http would expose, for messages: "the admin key". */
	secret: string;
}

export const ADMIN_BASE_URL_RULE: BaseUrlRule = {
	credential: 'OpenAI Admin API',
	defaultUrl: 'https://api.openai.com/v1',
	secret: 'the admin key',
};

export const MTLS_BASE_URL_RULE: BaseUrlRule = {
	credential: 'OpenAI mTLS Client API',
	defaultUrl: 'https://mtls.api.openai.com/v1',
	secret: 'the project key',
};

/** The path every mTLS check requests: the cheap endpoint OpenAI's mTLS examples call. */
export const MTLS_CHECK_PATH = '/models';

/** The Host choice that shows the Base URL field; any other choice is the URL itself. */
export const CUSTOM_HOST = 'custom';

const LOOPBACK_HOST =
	/^(localhost|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])$/i;

export function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOST.test(hostname);
}

/** Why a secret must not be sent to this URL, or undefined when it may. */
export function destinationProblem(url: URL, secret = 'the admin key'): string | undefined {
	if (url.protocol === 'https:') return undefined;
	if (url.protocol !== 'http:') return `${url.protocol}// is not https://`;
	if (isLoopbackHost(url.hostname)) return undefined;
	return `${url.origin} uses plain http://, which would send ${secret} unencrypted. Use https://; plain http:// is accepted only for loopback addresses (localhost, 127.0.0.0/8, [::1], [::ffff:127.0.0.1]).`;
}

/** The credential's base URL without a trailing slash, or why it is refused. */
export function checkedBaseUrl(
	raw: unknown,
	rule: BaseUrlRule = ADMIN_BASE_URL_RULE,
): { url: string } | { problem: string } {
	const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : rule.defaultUrl;
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return {
			problem: `The Base URL "${text}" in the ${rule.credential} credential is not a valid URL`,
		};
	}
	if (parsed.username || parsed.password || parsed.search || parsed.hash) {
		return {
			problem: `The Base URL in the ${rule.credential} credential must not contain a user name, password, query or fragment`,
		};
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return {
			problem: `The Base URL in the ${rule.credential} credential must start with https://`,
		};
	}
	const problem = destinationProblem(parsed, rule.secret);
	if (problem !== undefined) return { problem: `The Base URL ${problem}` };
	return { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}

/**
 * n8n's "Allowed HTTP Request Domains" on a credential (n8n 2.x adds the setting to every credential that
 * authenticates requests; without it the fields are absent and nothing is restricted). Like n8n's OpenAI
 * node: "Specific Domains" must list the host of the Base URL; "None", which keeps the credential out of the
 * HTTP Request node, leaves it working here, since this package only ever sends to the credential's own
 * Base URL. Patterns as n8n matches them: comma-separated, case-insensitive, `*.example.com` matches
 * subdomains only.
 */
function allowedDomainProblem(
	credentials: Record<string, unknown>,
	url: string,
	rule: BaseUrlRule,
): string | undefined {
	if (credentials.allowedHttpRequestDomains !== 'domains') return undefined;
	const list = typeof credentials.allowedDomains === 'string' ? credentials.allowedDomains : '';
	const patterns = list
		.split(',')
		.map((pattern) => pattern.trim().toLowerCase().replace(/\.$/, ''))
		.filter((pattern) => pattern !== '');
	if (patterns.length === 0) {
		return `The ${rule.credential} credential allows Specific Domains but lists none: add the host of its Base URL to Allowed Domains, or set Allowed HTTP Request Domains to All`;
	}
	const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
	const allowed = patterns.some((pattern) =>
		pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern,
	);
	if (allowed) return undefined;
	return `Domain not allowed: the ${rule.credential} credential's Allowed Domains (${patterns.join(', ')}) do not include ${host}, the host of its Base URL. Add it there or set Allowed HTTP Request Domains to All.`;
}

/** The credential's base URL, checked against the Base URL rule and the credential's allowed domains. */
export function credentialBaseUrl(
	credentials: Record<string, unknown>,
	rule: BaseUrlRule = ADMIN_BASE_URL_RULE,
): { url: string } | { problem: string } {
	const { host } = credentials;
	const chosen = typeof host === 'string' && host !== CUSTOM_HOST ? host : credentials.baseUrl;
	const base = checkedBaseUrl(chosen, rule);
	if ('problem' in base) return base;
	const problem = allowedDomainProblem(credentials, base.url, rule);
	return problem === undefined ? base : { problem };
}
