import { OpenAiMtlsClientApi } from '../../credentials/OpenAiMtlsClientApi.credentials';
import { clientAcceptedBy } from '../../nodes/OpenAiCertificates/helpers/chain';
import { makeCertificate } from '../../sandbox/certificates';

const credentialType = new OpenAiMtlsClientApi();

const ca = makeCertificate({ ca: true, commonName: 'Client CA 2027' });
const intermediate = makeCertificate({
	ca: true,
	commonName: 'Client issuing CA 2027',
	issuer: ca,
});
const client = makeCertificate({ commonName: 'workload-1', issuer: intermediate });
const otherCa = makeCertificate({ ca: true, commonName: 'Client CA 2026' });

const data = {
	clientCertificate: `${client.pem}${intermediate.pem}`,
	privateKey: client.keyPem,
	passphrase: '',
	apiKey: 'sk-proj-abcdefghijklmnop',
	serverCa: '',
	baseUrl: 'https://mtls.api.openai.com/v1',
};

describe('OpenAI mTLS Client API credential', () => {
	it("declares the client certificate, private key and project key as passwords, and OpenAI's mTLS host as default", () => {
		const field = (name: string) =>
			credentialType.properties.find((property) => property.name === name);
		for (const name of ['clientCertificate', 'privateKey', 'passphrase', 'apiKey']) {
			expect(field(name)?.typeOptions).toMatchObject({ password: true });
		}
		expect(field('host')).toMatchObject({ default: 'https://mtls.api.openai.com/v1' });
		// The hosts of OpenAI's Mutual TLS guide, and a custom Base URL (a proxy, the sandbox).
		expect(field('host')?.options?.map((option) => (option as { value: string }).value)).toEqual([
			'https://mtls.api.openai.com/v1',
			'https://mtls-us.api.openai.com/v1',
			'https://mtls-eu.api.openai.com/v1',
			'custom',
		]);
		expect(field('baseUrl')?.displayOptions).toEqual({ show: { host: ['custom'] } });
		expect(credentialType.test.request).toMatchObject({
			url: '/models',
			method: 'GET',
			disableFollowRedirect: true,
		});
	});

	it('sends the project key and hands the certificate and key to the HTTPS agent, never following redirects', async () => {
		const options = await credentialType.authenticate(data, {
			url: '/models',
			headers: { Accept: 'application/json' },
		});
		expect(options).toMatchObject({
			url: 'https://mtls.api.openai.com/v1/models',
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			headers: { Accept: 'application/json', Authorization: 'Bearer sk-proj-abcdefghijklmnop' },
			agentOptions: { cert: data.clientCertificate.trim(), key: client.keyPem.trim() },
		});
		expect(options.agentOptions).not.toHaveProperty('ca');
		expect(options.agentOptions).not.toHaveProperty('passphrase');
		const withExtras = await credentialType.authenticate(
			{ ...data, passphrase: 'pw', serverCa: otherCa.pem },
			{ url: '/models' },
		);
		expect(withExtras.agentOptions).toMatchObject({ passphrase: 'pw', ca: otherCa.pem.trim() });
	});

	it.each([
		['http://mtls.example.com/v1', /plain http:\/\/, which would send the project key unencrypted/],
		['ftp://127.0.0.1/v1', /must start with https:\/\//],
		['https://user:pw@mtls.api.openai.com/v1', /must not contain a user name/],
	])(
		'refuses the Base URL %s on every request, the credential test included',
		async (baseUrl, problem) => {
			await expect(
				credentialType.authenticate({ ...data, baseUrl }, { url: '/models' }),
			).rejects.toThrow(problem);
		},
	);

	it('sends plain http only to loopback, and only below the base URL', async () => {
		const loopback = await credentialType.authenticate(
			{ ...data, baseUrl: 'http://127.0.0.1:8443/v1/' },
			{ url: '/models' },
		);
		expect(loopback.url).toBe('http://127.0.0.1:8443/v1/models');
		for (const url of [
			'https://elsewhere.example.com/models',
			'https://mtls.api.openai.com/v2/models',
			'https://mtls.api.openai.com/v1x',
			'http://mtls.api.openai.com/v1/models',
		]) {
			await expect(credentialType.authenticate(data, { url })).rejects.toThrow(
				/key was not sent: .*(not below the credential's Base URL|plain http)/,
			);
		}
		// A path is always taken below the base URL, whatever it looks like.
		for (const url of ['//elsewhere.example.com/models', 'models']) {
			const options = await credentialType.authenticate(data, { url });
			expect(new URL(options.url).origin).toBe('https://mtls.api.openai.com');
		}
	});

	it.each([
		['a path in url', { url: '/chat/completions' }, 'url'],
		['an absolute url', { url: 'https://mtls.api.openai.com/v1/chat/completions' }, 'url'],
		[
			'a legacy uri (the HTTP Request node)',
			{ uri: 'https://mtls.api.openai.com/v1/chat/completions' },
			'uri',
		],
		[
			'baseURL + url',
			{ baseURL: 'https://mtls.api.openai.com/v1', url: '/chat/completions' },
			'url',
		],
	])(
		'accepts %s below the base URL, and its own output again (n8n repeats authenticate after a 401)',
		async (_name, request, key) => {
			const once = await credentialType.authenticate(data, request as never);
			const target = 'https://mtls.api.openai.com/v1/chat/completions';
			expect((once as unknown as Record<string, unknown>)[key]).toBe(target);
			expect(once).not.toHaveProperty('baseURL');
			const twice = await credentialType.authenticate(data, once);
			expect((twice as unknown as Record<string, unknown>)[key]).toBe(target);
			expect(twice.headers).toEqual({ Authorization: 'Bearer sk-proj-abcdefghijklmnop' });
			expect(twice.agentOptions).toEqual(once.agentOptions);
		},
	);
});

describe('whether a client certificate chains to a CA (the one chain check, trust.ts)', () => {
	const now = () => Math.floor(Date.now() / 1000);
	const accepted = (clientPem: string, caPem: string) =>
		clientAcceptedBy(clientPem, caPem, now()).accepted;

	it('follows the intermediates the client sends, leaf first', () => {
		expect(accepted(data.clientCertificate, ca.pem)).toBe(true);
		expect(accepted(data.clientCertificate, intermediate.pem)).toBe(true);
		expect(accepted(client.pem, ca.pem)).toBe(false);
		expect(accepted(data.clientCertificate, otherCa.pem)).toBe(false);
	});

	it('checks the signature, not only the issuer name', () => {
		const impostor = makeCertificate({ ca: true, commonName: 'Client CA 2027', key: 'rsa' });
		expect(accepted(data.clientCertificate, impostor.pem)).toBe(false);
	});

	it('checks validity, as the mTLS host does: an expired client certificate is not accepted', () => {
		const expired = makeCertificate({
			commonName: 'workload-expired',
			issuer: ca,
			notBeforeOffset: -7200,
			notAfterOffset: -3600,
		});
		expect(clientAcceptedBy(expired.pem, ca.pem, now())).toEqual({
			accepted: false,
			reason: expect.stringMatching(/workload-expired.* has expired/),
		});
		expect(clientAcceptedBy('no certificate', ca.pem, now())).toMatchObject({ accepted: false });
	});
});
