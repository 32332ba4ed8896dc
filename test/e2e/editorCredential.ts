import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer } from 'node:http';

import type { Page } from 'playwright-core';

import { freePort } from '../../sandbox/n8nApp';
import type { FakeAdminApi } from '../../sandbox/server';

/**
 * The credential's Test, in the real app: what the editor's Test button (and saving a credential) calls,
 * `POST /rest/credentials/test` with the stored credential and the fields as edited, sent from the signed-in
 * page. A good key passes; a wrong key fails without echoing it; a plain-http Base URL that is not loopback and a
 * Base URL that redirects are refused without the key reaching anything.
 */

interface CredentialChecks {
	page: Page;
	base: string;
	check: (name: string, body: () => Promise<void>) => Promise<void>;
	api: FakeAdminApi;
	credential: { id: string; name: string };
	/** The sandbox credential's data (its mTLS host, the admin client certificate of an enforcing organization). */
	data: Record<string, string>;
}

const WRONG_KEY = 'sk-admin-not-this-organizations-key-SECRET42';

/** A server that counts what reaches it; `redirectTo` answers every request with a 307 there. */
async function listener(host: string, redirectTo?: string) {
	const seen: string[] = [];
	const server: Server = createServer((request, response) => {
		seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
		if (redirectTo) response.writeHead(307, { Location: `${redirectTo}${request.url}` });
		response.end('{"object":"list","data":[],"has_more":false}');
	});
	const port = await freePort();
	await new Promise<void>((resolve) => server.listen(port, host, resolve));
	return { port, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function checkCredentialTest(context: CredentialChecks): Promise<void> {
	const { page, base, check, api, credential, data: sandbox } = context;
	// n8n binds its session cookie to the editor's browser ID, sent as a header (a request without it is refused
	// and the cookie cleared).
	const browserId = await page.evaluate<string | null>('localStorage.getItem("n8n-browserId")');
	assert.ok(browserId, 'the editor keeps a browser ID');
	const test = async (data: Record<string, string>) => {
		const response = await page.request.post(`${base}/rest/credentials/test`, {
			headers: { 'browser-id': browserId },
			data: { credentials: { ...credential, type: 'openAiAdminApi', data } },
		});
		const text = await response.text();
		assert.equal(response.status(), 200, text);
		return (JSON.parse(text) as { data: { status: string; message: string } }).data;
	};

	await check(
		'the credential Test in the app: the sandbox key passes, a wrong key fails without echoing it',
		async () => {
			assert.deepEqual(await test(sandbox), {
				status: 'OK',
				message: 'Connection successful!',
			});
			const wrong = await test({ ...sandbox, apiKey: WRONG_KEY });
			assert.equal(wrong.status, 'Error', JSON.stringify(wrong));
			// n8n authenticates again after a 401 and repeats the request: the user still sees the 401.
			assert.doesNotMatch(wrong.message, /was not sent|must name a path/, wrong.message);
			const keyOnly = await test({ apiKey: api.apiKey, host: 'custom', baseUrl: api.baseUrl });
			assert.equal(keyOnly.status, 'Error', JSON.stringify(keyOnly));
			assert.ok(
				!wrong.message.includes(WRONG_KEY) && !wrong.message.includes('SECRET'),
				wrong.message,
			);
		},
	);

	await check(
		'the credential Test in the app: plain http to a non-loopback address and a redirect are refused, the key sent nowhere',
		async () => {
			// 0.0.0.0 is not loopback by the rule, yet on Linux it reaches a server listening on all addresses: had the
			// key been sent, this server would have seen it.
			const anyAddress = await listener('0.0.0.0');
			const redirect = await listener('127.0.0.1', api.baseUrl.replace(/\/v1$/, ''));
			const logged = api.log.length;
			try {
				const plain = await test({
					apiKey: api.apiKey,
					host: 'custom',
					baseUrl: `http://0.0.0.0:${anyAddress.port}/v1`,
				});
				assert.equal(plain.status, 'Error', JSON.stringify(plain));
				assert.match(plain.message, /was not sent/);
				assert.deepEqual(anyAddress.seen, []);

				const redirected = await test({
					apiKey: api.apiKey,
					host: 'custom',
					baseUrl: `http://127.0.0.1:${redirect.port}/v1`,
				});
				assert.equal(redirected.status, 'Error', JSON.stringify(redirected));
				assert.equal(redirect.seen.length, 1, JSON.stringify(redirect.seen));
				assert.ok(!redirected.message.includes(api.apiKey), redirected.message);
				assert.equal(api.log.length, logged, 'the redirect was followed to the Admin API');
			} finally {
				await anyAddress.close();
				await redirect.close();
			}
		},
	);
}
