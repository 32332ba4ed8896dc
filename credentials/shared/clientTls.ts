/**
 * What both credentials of this package do to a request that carries their key, in one place: the host
 * choices (OpenAI's API host and its three mTLS hosts, or a custom Base URL), the request's target kept
 * under the credential's checked Base URL whatever form n8n passes it in (a path in `url`, an absolute
 * `url`, a legacy `uri`, or the credential's own earlier output when n8n authenticates again after a
 * 401), redirects off, the key as the bearer, and the client certificate handed to n8n's HTTPS agent
 * (`agentOptions`) for the TLS handshake only. Pure: no n8n runtime imports, so credentials use it.
 *
 * Hosts: OpenAI's Mutual TLS guide (developers.openai.com, api/docs/guides/mutual-tls, read 2026-12-07)
 * names mtls.api.openai.com, mtls-us.api.openai.com and mtls-eu.api.openai.com, same /v1 paths.
 */
import type { IHttpRequestOptions, RequestHelperFunctions } from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import type { BaseUrlRule } from './baseUrl';
import { credentialBaseUrl, CUSTOM_HOST, destinationProblem } from './baseUrl';

export const OPENAI_HOSTS = [
	{
		name: 'OpenAI',
		value: 'https://api.openai.com/v1',
		description: 'The standard host, api.openai.com',
	},
	{
		name: 'OpenAI mTLS',
		value: 'https://mtls.api.openai.com/v1',
		description: 'The mTLS host, mtls.api.openai.com',
	},
	{
		name: 'OpenAI mTLS, US',
		value: 'https://mtls-us.api.openai.com/v1',
		description: 'The mTLS host for US data residency, mtls-us.api.openai.com',
	},
	{
		name: 'OpenAI mTLS, EU',
		value: 'https://mtls-eu.api.openai.com/v1',
		description: 'The mTLS host for EU data residency, mtls-eu.api.openai.com',
	},
];

/**
 * The host choice of a credential: OpenAI's hosts, or Custom (shows the Base URL field). Plain data (the
 * type only describes it), so the credentials build their fields with it.
 */
export function hostFields(rule: BaseUrlRule, hosts: typeof OPENAI_HOSTS) {
	return [
		{
			displayName: 'Host',
			name: 'host',
			type: 'options' as const,
			options: [
				...hosts,
				{
					name: 'Custom Base URL',
					value: CUSTOM_HOST,
					description: 'A proxy or a local test server',
				},
			],
			default: rule.defaultUrl,
			description:
				'Where requests with this credential go. The mTLS hosts ask for the client certificate.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string' as const,
			default: rule.defaultUrl,
			displayOptions: { show: { host: [CUSTOM_HOST] } },
			description:
				'Plain http:// is accepted only for loopback addresses, so the key never travels unencrypted; redirects are never followed',
		},
	];
}

/** Client certificate fields; `required` for the mTLS client credential, optional for the admin one. */
export function clientCertificateFields(required: boolean, usage: string) {
	return [
		{
			displayName: 'Client Certificate',
			name: 'clientCertificate',
			type: 'string' as const,
			typeOptions: { password: true, rows: 6 },
			required,
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----',
			description:
				'The client certificate in PEM format: the leaf first, then every intermediate. It is public; only the TLS handshake uses it.',
			hint: usage,
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string' as const,
			typeOptions: { password: true, rows: 6 },
			required,
			default: '',
			description:
				'The private key of the client certificate, in PEM format. It is used only in the TLS handshake and never appears in output, errors or logs.',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'passphrase',
			type: 'string' as const,
			typeOptions: { password: true },
			default: '',
			description: 'The passphrase of an encrypted private key; leave empty otherwise',
		},
		{
			displayName: 'Server CA Certificate',
			name: 'serverCa',
			type: 'string' as const,
			typeOptions: { rows: 4 },
			default: '',
			displayOptions: { show: { host: [CUSTOM_HOST] } },
			description:
				"Only for a test server with its own server certificate (such as this package's sandbox): the PEM of the CA that issued it, trusted instead of the public CAs. Leave empty for OpenAI.",
		},
	];
}

type Credentials = Record<string, unknown>;

const text = (credentials: Credentials, name: string) =>
	typeof credentials[name] === 'string' ? (credentials[name] as string).trim() : '';

/** Whether the credential holds a client certificate to present. */
export function hasClientCertificate(credentials: Credentials): boolean {
	return text(credentials, 'clientCertificate') !== '';
}

/**
 * What n8n's HTTPS agent needs for the handshake — the certificate, its key, a test server's CA — made from the
 * credential alone: nothing a caller put in `agentOptions` (a CA of its own, `rejectUnauthorized`, a
 * `checkServerIdentity`, another host or socket) may decide where, or to whom, the key goes.
 */
function agentOptionsOf(credentials: Credentials) {
	const options: Record<string, unknown> = { rejectUnauthorized: true };
	if (text(credentials, 'serverCa') !== '') options.ca = text(credentials, 'serverCa');
	if (!hasClientCertificate(credentials)) return options;
	options.cert = text(credentials, 'clientCertificate');
	options.key = text(credentials, 'privateKey');
	if (text(credentials, 'passphrase') !== '') options.passphrase = text(credentials, 'passphrase');
	return options;
}

/**
 * The URL a request goes to, from any form n8n passes: `url` (a path, or absolute, a string or a URL) with or
 * without `baseURL`, or the legacy `uri`. n8n sends `url` when there is one (`url ?? uri` in its legacy path,
 * only `url` in `httpRequest`), so that is the one judged. A path is taken below the credential's base URL.
 */
function targetOf(options: Record<string, unknown>, base: string): URL | undefined {
	const chosen = options.url ?? options.uri;
	const given = chosen instanceof URL ? chosen.href : chosen;
	if (typeof given !== 'string' || given === '') return undefined;
	try {
		if (/^[a-z][a-z0-9+.-]*:/i.test(given)) return new URL(given);
		const root = typeof options.baseURL === 'string' ? options.baseURL : base;
		return new URL(`${root.replace(/\/+$/, '')}/${given.replace(/^\/+/, '')}`);
	} catch {
		return undefined;
	}
}

/** Whether the target is the base URL or below it (same origin, path under the base path). */
function isBelow(target: URL, base: string): boolean {
	const root = new URL(base);
	if (target.origin !== root.origin) return false;
	const path = root.pathname.replace(/\/+$/, '');
	return target.pathname === path || target.pathname.startsWith(`${path}/`);
}

/**
 * A request with the credential's key (and client certificate): refused with a message (never sent)
 * when the Base URL breaks the rule or the target is not below it.
 */
export function authorizedRequest(
	credentials: Credentials,
	options: IHttpRequestOptions,
	rule: BaseUrlRule,
): IHttpRequestOptions {
	const base = credentialBaseUrl(credentials, rule);
	if ('problem' in base)
		throw new UserError(`The ${rule.credential} key was not sent: ${base.problem}`);
	const raw = options as unknown as Record<string, unknown>;
	const target = targetOf(raw, base.url);
	const problem =
		target === undefined
			? 'the request has no valid URL'
			: (destinationProblem(target, rule.secret) ??
				(isBelow(target, base.url)
					? undefined
					: `${target.origin}${target.pathname} is not below the credential's Base URL ${base.url}`));
	if (problem !== undefined)
		throw new UserError(`The ${rule.credential} key was not sent: ${problem}`);
	// Only the checked target, the server's certificate checked, no caller's proxy (n8n's own proxy settings
	// still apply), no redirect: whatever the caller asked for, the key goes only where the rule allows.
	const authorized: Record<string, unknown> = {
		...raw,
		url: target!.href,
		followRedirect: false,
		followAllRedirects: false,
		disableFollowRedirect: true,
		maxRedirects: 0,
		sendCredentialsOnCrossOriginRedirect: false,
		rejectUnauthorized: true,
		skipSslCertificateValidation: false,
		headers: { ...(options.headers ?? {}), Authorization: `Bearer ${text(credentials, 'apiKey')}` },
		agentOptions: agentOptionsOf(credentials),
	};
	delete authorized.baseURL;
	delete authorized.proxy;
	if (raw.uri !== undefined) authorized.uri = target!.href;
	return authorized as unknown as IHttpRequestOptions;
}

/** Whether an error is the cancellation of the request (axios's CanceledError, an AbortError). */
function wasCancelled(error: unknown): boolean {
	const { name, code, message } = (error ?? {}) as {
		name?: unknown;
		code?: unknown;
		message?: unknown;
	};
	return (
		code === 'ERR_CANCELED' ||
		name === 'CanceledError' ||
		name === 'AbortError' ||
		/cancel|abort/i.test(String(message ?? ''))
	);
}

/**
 * Why the credential's client certificate cannot be presented, or undefined when it can. It needs https,
 * and an n8n whose HTTP helper hands `agentOptions` to its HTTPS agent (n8n-core 2.41 does; n8n 1.x and
 * early 2.x ignore them in `httpRequest`, and their deprecated `request` is not for community nodes). The
 * helper is asked without sending a request (a DNS look-up may happen): one already cancelled, whose agent
 * options n8n reads (or not) while building it. Only a request that got as far as being cancelled without
 * its agent options read says "cannot"; one stopped earlier (SSRF protection, DNS) says nothing, and the real
 * request meets the same stop with its own error.
 */
export async function clientCertificateProblem(
	context: { helpers: Pick<RequestHelperFunctions, 'httpRequest'> },
	baseUrl: string,
): Promise<{ message: string; description: string } | undefined> {
	if (!baseUrl.startsWith('https:')) {
		return {
			message: `The client certificate of the OpenAI Admin API credential cannot be presented: its Base URL ${baseUrl} is not https`,
			description: 'Choose an mTLS host (or an https Base URL) in the credential.',
		};
	}
	let read = false;
	const probe = {};
	Object.defineProperty(probe, 'n8nAppliesAgentOptions', {
		enumerable: true,
		get: () => (read = true),
	});
	const cancelled = new AbortController();
	cancelled.abort();
	const stopped = await context.helpers
		.httpRequest({
			method: 'GET',
			url: baseUrl,
			agentOptions: probe,
			abortSignal: cancelled.signal,
		})
		.then(
			() => undefined,
			(error: unknown) => error,
		);
	if (read || !wasCancelled(stopped)) return undefined;
	return {
		message:
			'This n8n cannot present the client certificate of the OpenAI Admin API credential: nothing was sent with the admin key',
		description:
			"n8n 1.x's HTTP helper (and early 2.x's) ignores client certificates. Run this workflow on n8n 2.41 or later, or remove the client certificate from the credential where the organization does not enforce mTLS for admin requests. An organization that does can be reached in the OpenAI dashboard, which needs no client certificate.",
	};
}
