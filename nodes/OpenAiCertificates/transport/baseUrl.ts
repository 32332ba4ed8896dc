/**
 * The Base URL rule of every credential of this package: https, or plain http only to a loopback
 * address, so a key (or a client certificate's handshake) never travels unencrypted. Pure.
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

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

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
	if (parsed.protocol === 'http:' && !LOOPBACK_HOST.test(parsed.hostname)) {
		return {
			problem: `The Base URL ${parsed.origin} uses plain http://, which would send ${rule.secret} unencrypted. Use https://; plain http:// is accepted only for loopback addresses (localhost, 127.0.0.0/8, [::1]).`,
		};
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return {
			problem: `The Base URL in the ${rule.credential} credential must start with https://`,
		};
	}
	return { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}
