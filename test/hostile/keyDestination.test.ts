import type { IConnections, INode } from 'n8n-workflow';

import { OpenAiAdminApi } from '../../credentials/OpenAiAdminApi.credentials';
import { checkedBaseUrl } from '../../credentials/shared/baseUrl';
import { testCredential } from '../harness/credentialTest';
import type { Credentials } from '../harness/runWorkflow';
import { runWorkflow } from '../harness/runWorkflow';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';
import type { HostileServer } from '../support/hostileServer';
import { startHostileServer } from '../support/hostileServer';

/**
 * Every request that carries the admin key — the node's, the credential test's, and an HTTP Request node
 * using this credential — obeys one rule: https, or plain http only to loopback, and never along a
 * redirect. 0.0.0.0 reaches this machine's servers on Linux but is not loopback: it proves that a refused
 * destination receives nothing although it could have.
 */
describe('Where the admin key may go', () => {
	const fake = useFakeAdminApi();
	let hostile: HostileServer;
	let elsewhere: HostileServer;
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
		elsewhere = await startHostileServer();
	});
	afterEach(async () => {
		await hostile.close();
		await elsewhere.close();
	});

	const credentialsFor = (baseUrl: string): Credentials => ({ apiKey: fake.api.apiKey, baseUrl });
	const keysSeen = (server: HostileServer) =>
		server.log.filter((request) => request.headers.authorization !== undefined);

	async function httpRequestNode(url: string, credentials: Credentials) {
		const nodes: INode[] = [
			{
				id: '1',
				name: 'Trigger',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: '2',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [200, 0],
				parameters: {
					url,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'openAiAdminApi',
					options: {},
				},
				credentials: { openAiAdminApi: { id: '1', name: 'OpenAI Admin API' } },
			},
		];
		const connections: IConnections = {
			Trigger: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] },
		};
		const run = await runWorkflow({ nodes, connections }, credentials);
		const task = run.data.resultData.runData['HTTP Request']?.[0];
		return { error: task?.error ?? run.data.resultData.error, items: task?.data?.main?.[0] ?? [] };
	}

	it('the credential test passes against the API and sends the key once', async () => {
		const result = await testCredential(credentialsFor(hostile.baseUrl()));
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(keysSeen(hostile).map((request) => request.url)).toEqual([
			'/v1/organization/certificates?limit=1',
		]);
	});

	it('the credential test refuses plain http to a host that is not loopback, before sending', async () => {
		const result = await testCredential(credentialsFor(hostile.baseUrl('0.0.0.0')));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/key was not sent: .*http:\/\/0\.0\.0\.0:\d+ uses plain http/);
		expect(hostile.log).toHaveLength(0);
	});

	it('the credential test does not follow a redirect with the key', async () => {
		hostile.on('GET /v1/organization/certificates', (_request, response) => {
			response.writeHead(302, {
				location: `${elsewhere.baseUrl()}/organization/certificates?limit=1`,
			});
			response.end();
		});
		const result = await testCredential(credentialsFor(hostile.baseUrl()));
		expect(result.status).toBe('Error');
		expect(elsewhere.log).toHaveLength(0);
		expect(hostile.log).toHaveLength(1);
	});

	it('the node does not follow a redirect either', async () => {
		hostile.on('DELETE /v1/organization/certificates/cert_a', (_request, response) => {
			response.writeHead(307, {
				location: `${elsewhere.baseUrl()}/organization/certificates/cert_a`,
			});
			response.end();
		});
		const { error } = await fake.run({
			credentials: credentialsFor(hostile.baseUrl()),
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator('cert_a'),
			},
		});
		expect(error?.httpCode).toBe('307');
		expect(error?.description).toMatch(/does not follow redirects/);
		expect(elsewhere.log).toHaveLength(0);
	});

	it('an HTTP Request node using the credential obeys the same rule: no plain http elsewhere, no redirects', async () => {
		const refused = await httpRequestNode(
			`${hostile.baseUrl('0.0.0.0')}/organization/certificates`,
			credentialsFor(fake.api.baseUrl),
		);
		expect(String(refused.error?.message)).toMatch(/key was not sent|uses plain http/);
		const outside = await httpRequestNode(
			`${hostile.baseUrl()}/organization/certificates`,
			credentialsFor(fake.api.baseUrl),
		);
		expect(String(outside.error?.message)).toMatch(/not below the credential's Base URL/);
		expect(hostile.log).toHaveLength(0);

		hostile.on('GET /v1/organization/certificates', (_request, response) => {
			response.writeHead(302, { location: `${elsewhere.baseUrl()}/organization/certificates` });
			response.end();
		});
		const redirected = await httpRequestNode(
			`${hostile.baseUrl()}/organization/certificates`,
			credentialsFor(hostile.baseUrl()),
		);
		expect(redirected.error).toBeDefined();
		expect(keysSeen(hostile)).toHaveLength(1);
		expect(elsewhere.log).toHaveLength(0);

		const allowed = await httpRequestNode(
			`${fake.api.baseUrl}/organization/certificates`,
			credentialsFor(fake.api.baseUrl),
		);
		expect(allowed.error).toBeUndefined();
		expect(allowed.items[0].json.object).toBe('list');
	});

	// Decided: loopback is judged on the address the client connects to, after WHATWG URL parsing.
	it.each([
		['127.1', '127.0.0.1'],
		['2130706433', '127.0.0.1'],
		['0x7f.0.0.1', '127.0.0.1'],
		['[::ffff:127.0.0.1]', '[::ffff:7f00:1]'],
		['[0:0:0:0:0:0:0:1]', '[::1]'],
	])(
		'%s counts as loopback in the node, the credential test and the rule alike',
		async (host, normalised) => {
			const baseUrl = hostile.baseUrl(host);
			expect(checkedBaseUrl(baseUrl)).toEqual({ url: `http://${normalised}:${hostile.port}/v1` });
			if (host.includes(':') && !host.startsWith('[::ffff'))
				return expect(normalised).toBe('[::1]');
			expect((await testCredential(credentialsFor(baseUrl))).status).toBe('OK');
			const { error } = await fake.run({
				credentials: credentialsFor(baseUrl),
				parameters: { resource: 'certificate', operation: 'getAll', returnAll: true },
			});
			expect(error).toBeUndefined();
			expect(keysSeen(hostile)).toHaveLength(2);
		},
	);

	it.each([['0.0.0.0'], ['[::]'], ['[::ffff:10.0.0.1]'], ['128.0.0.1'], ['localhost.example.com']])(
		'%s is not loopback: the node and the credential test refuse plain http to it',
		async (host) => {
			const baseUrl = `http://${host}:${hostile.port}/v1`;
			expect(checkedBaseUrl(baseUrl)).toEqual({ problem: expect.stringMatching(/plain http/) });
			expect((await testCredential(credentialsFor(baseUrl))).message).toMatch(/key was not sent/);
			const authenticate = () =>
				new OpenAiAdminApi().authenticate(
					{ apiKey: 'sk-admin-x' },
					{ url: `${baseUrl}/organization/certificates` },
				);
			await expect(authenticate()).rejects.toThrow(/key was not sent/);
			expect(hostile.log).toHaveLength(0);
		},
	);
});
