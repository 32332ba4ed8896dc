import { OpenAiAdminApi } from '../../credentials/OpenAiAdminApi.credentials';
import { checkedBaseUrl } from '../../credentials/shared/baseUrl';
import { testCredential } from '../harness/credentialTest';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

const credentialType = new OpenAiAdminApi();

describe('OpenAI Admin API credential', () => {
	const fake = useFakeAdminApi();

	it('declares the API key as a required password and a Base URL defaulting to the real API', () => {
		const [apiKey, host, baseUrl] = credentialType.properties;
		expect(apiKey).toMatchObject({
			name: 'apiKey',
			type: 'string',
			required: true,
			typeOptions: { password: true },
		});
		expect(apiKey.hint).toMatch(/sk-admin-/);
		expect(host).toMatchObject({ name: 'host', default: 'https://api.openai.com/v1' });
		expect(host.options?.map((option) => (option as { value: string }).value)).toEqual([
			'https://api.openai.com/v1',
			'https://mtls.api.openai.com/v1',
			'https://mtls-us.api.openai.com/v1',
			'https://mtls-eu.api.openai.com/v1',
			'custom',
		]);
		expect(baseUrl).toMatchObject({ name: 'baseUrl', default: 'https://api.openai.com/v1' });
		// Optional: only organizations that enforce mTLS for the whole organization need it.
		for (const name of ['clientCertificate', 'privateKey', 'passphrase']) {
			const field = credentialType.properties.find((property) => property.name === name);
			expect(field).toMatchObject({ typeOptions: expect.objectContaining({ password: true }) });
			expect(field?.required).toBeFalsy();
		}
	});

	it('ignores what a caller asks of TLS, proxies and agents: the key goes only to the checked target, its certificate checked', async () => {
		const authenticated = (await credentialType.authenticate(
			{ apiKey: 'sk-admin-abc' },
			{
				url: 'https://api.openai.com/v1/organization/certificates',
				skipSslCertificateValidation: true,
				proxy: { host: '10.0.0.1', port: 3128, protocol: 'http' },
				agentOptions: { ca: 'attacker CA', rejectUnauthorized: false, host: 'evil.example' },
				...({ rejectUnauthorized: false } as object),
			},
		)) as unknown as Record<string, unknown>;
		expect(authenticated).toMatchObject({
			url: 'https://api.openai.com/v1/organization/certificates',
			rejectUnauthorized: true,
			skipSslCertificateValidation: false,
			agentOptions: { rejectUnauthorized: true },
		});
		expect(authenticated).not.toHaveProperty('proxy');
		expect(authenticated.agentOptions).toEqual({ rejectUnauthorized: true });
	});

	it('judges the URL n8n sends (url before uri, a URL object too), and writes the checked one into both', async () => {
		await expect(
			credentialType.authenticate({ apiKey: 'sk-admin-abc' }, {
				uri: 'https://api.openai.com/v1/models',
				url: 'https://evil.example/x',
			} as never),
		).rejects.toThrow(/key was not sent: https:\/\/evil\.example\/x is not below/);
		const both = (await credentialType.authenticate({ apiKey: 'sk-admin-abc' }, {
			uri: 'https://evil.example/x',
			url: 'https://api.openai.com/v1/models',
		} as never)) as unknown as Record<string, unknown>;
		expect([both.url, both.uri]).toEqual([
			'https://api.openai.com/v1/models',
			'https://api.openai.com/v1/models',
		]);
		const fromObject = await credentialType.authenticate({ apiKey: 'sk-admin-abc' }, {
			url: new URL('https://api.openai.com/v1/models'),
		} as never);
		expect(fromObject.url).toBe('https://api.openai.com/v1/models');
	});

	it('authenticates with the key as a bearer token, keeping the request headers, and turns redirects off', async () => {
		const options = {
			url: 'https://api.openai.com/v1/organization/certificates',
			headers: { Accept: 'application/json' },
		};
		const authenticated = await credentialType.authenticate({ apiKey: 'sk-admin-abc' }, options);
		expect(authenticated.headers).toEqual({
			Accept: 'application/json',
			Authorization: 'Bearer sk-admin-abc',
		});
		expect(authenticated).toMatchObject({
			disableFollowRedirect: true,
			maxRedirects: 0,
			followRedirect: false,
			followAllRedirects: false,
		});
		expect(options.headers).toEqual({ Accept: 'application/json' });
	});

	it.each(['', '/'])(
		'tests the key against an admin endpoint: GET /organization/certificates?limit=1 (Base URL ending in "%s")',
		async (ending) => {
			const result = await testCredential({
				apiKey: fake.api.apiKey,
				baseUrl: `${fake.api.baseUrl}${ending}`,
			});
			expect(result.status).toBe('OK');
			expect(fake.api.log).toHaveLength(1);
			expect(fake.api.log[0]).toMatchObject({
				method: 'GET',
				path: '/v1/organization/certificates',
				query: { limit: '1' },
				authorization: `Bearer ${fake.api.apiKey}`,
			});
		},
	);

	it('makes a wrong or non-admin key fail the test', async () => {
		const result = await testCredential({
			apiKey: 'sk-proj-a-project-key-000000',
			baseUrl: fake.api.baseUrl,
		});
		expect(result.status).toBe('Error');
		expect(fake.api.log[0].status).toBe(401);
	});
});

describe('Base URL: the key never travels unencrypted', () => {
	const fake = useFakeAdminApi();

	it.each([
		['http://api.openai.com/v1'],
		['http://10.0.0.5:8080/v1'],
		['http://127.0.0.1.evil.example/v1'],
		['http://localhost.evil.example/v1'],
		['ftp://127.0.0.1/v1'],
		['https://user:pass@api.openai.com/v1'],
		['https://api.openai.com/v1?x=1'],
		['not a url'],
	])('refuses %s before any request', async (baseUrl) => {
		const { error } = await fake.run({
			credentials: { apiKey: fake.api.apiKey, baseUrl },
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator('cert_a'),
			},
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/Base URL/);
		expect(fake.api.log).toHaveLength(0);
	});

	it.each([
		['https://api.openai.com/v1', 'https://api.openai.com/v1'],
		['https://proxy.example.com/openai/v1/', 'https://proxy.example.com/openai/v1'],
		['http://localhost:8080/v1', 'http://localhost:8080/v1'],
		['http://127.0.0.1/v1', 'http://127.0.0.1/v1'],
		['http://127.5.6.7:9/v1', 'http://127.5.6.7:9/v1'],
		['http://[::1]:8080/v1', 'http://[::1]:8080/v1'],
		['', 'https://api.openai.com/v1'],
	])('accepts %s', (raw, expected) => {
		expect(checkedBaseUrl(raw)).toEqual({ url: expected });
	});

	it('sends to a loopback http URL', async () => {
		const certificate = fake.api.organization.addCertificate();
		const { error } = await fake.run({
			credentials: {
				apiKey: fake.api.apiKey,
				baseUrl: fake.api.baseUrl.replace('127.0.0.1', 'localhost'),
			},
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(certificate.id),
			},
		});
		expect(error).toBeUndefined();
		expect(fake.api.log).toHaveLength(1);
	});
});
