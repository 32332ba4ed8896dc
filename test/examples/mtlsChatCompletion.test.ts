import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { testCredential } from '../harness/credentialTest';
import type { WorkflowData } from '../harness/runWorkflow';
import { runWorkflow } from '../harness/runWorkflow';
import { adminCredential, makeAdminClient } from '../support/adminClient';
import { useFakeAdminApi } from '../support/fakeApi';

/**
 * examples/mtls-chat-completion.json: n8n's own HTTP Request node calling an OpenAI endpoint through the mTLS
 * host with the OpenAI mTLS Client API credential (client certificate, project key), through real n8n-core
 * and n8n-nodes-base 2.41 against the sandbox's mTLS host. The node passes the whole address (`uri`); n8n
 * authenticates again after a 401 with what the credential returned the first time.
 */
describe('examples/mtls-chat-completion.json: OpenAI calls through the mTLS host with the HTTP Request node', () => {
	const fake = useFakeAdminApi();
	const workload = makeAdminClient('Workload CA');
	const stranger = makeAdminClient('Unrelated CA');
	const example = JSON.parse(
		readFileSync(join(__dirname, '..', '..', 'examples', 'mtls-chat-completion.json'), 'utf8'),
	) as WorkflowData;

	function seeded() {
		fake.api.organization.addProject({ id: 'proj_a' });
		fake.api.organization.addCertificate({
			content: workload.ca.pem,
			activeInProjects: ['proj_a'],
		});
	}
	const mtlsCredential = (
		client = workload.client,
		apiKey = fake.api.mtls.projectKey('proj_a'),
	): ICredentialDataDecryptedObject => ({
		clientCertificate: client.pem,
		privateKey: client.keyPem,
		apiKey,
		host: 'custom',
		baseUrl: fake.api.mtls.baseUrl,
		serverCa: fake.api.mtls.serverCertificatePem,
	});
	/** The example with its URL on the sandbox's mTLS host, run with the given credential. */
	async function runExample(credential: ICredentialDataDecryptedObject) {
		const workflow = JSON.parse(
			JSON.stringify(example).split('https://mtls.api.openai.com/v1').join(fake.api.mtls.baseUrl),
		) as WorkflowData;
		const run = await runWorkflow(workflow, fake.credentials, {
			otherCredentials: { openAiMtlsClientApi: credential },
		});
		const task = (name: string) => run.data.resultData.runData[name]?.[0];
		const request = task('Chat completion through the mTLS host');
		return {
			error: request?.error,
			answer: task('Answer')?.data?.main?.[0]?.[0]?.json as IDataObject | undefined,
			seen: JSON.stringify(run),
		};
	}

	it('gets a chat completion: the client certificate presented, the project key as the bearer', async () => {
		seeded();
		const { error, answer } = await runExample(mtlsCredential());
		expect(error).toBeUndefined();
		expect(answer).toEqual({ answer: 'Hello from the sandbox mTLS host.' });
		expect(fake.api.mtls.log.map((entry) => [entry.path, entry.projectId, entry.status])).toEqual([
			['/v1/chat/completions', 'proj_a', 200],
		]);
		expect(fake.api.mtls.log[0].clientSubject).toMatch(/Workload CA admin client/);
	});

	it('a wrong client certificate: the error says the mTLS host refused it; the private key is nowhere', async () => {
		seeded();
		const { error, seen } = await runExample(mtlsCredential(stranger.client));
		expect(`${error?.message} ${error?.description}`).toMatch(
			/client certificate was not accepted: it does not chain to a certificate active for project proj_a/,
		);
		expect(fake.api.mtls.log.map((entry) => entry.code)).toEqual([
			'certificate_verification_failed',
		]);
		expect(seen).not.toContain(stranger.client.keyPem.split('\n')[1]);
		expect(seen).not.toContain(fake.api.mtls.projectKey('proj_a'));
	});

	it('a wrong project key: the 401 reads as the 401, whether or not n8n authenticates again', async () => {
		seeded();
		const { error } = await runExample(
			mtlsCredential(workload.client, 'sk-proj-sandbox-proj_nope'),
		);
		expect(String(error?.message)).not.toMatch(/was not sent|must name a path/);
		expect(`${error?.message} ${error?.description}`).toMatch(/401|Incorrect API key/);
		expect(fake.api.mtls.log.length).toBeGreaterThan(0);
		expect(fake.api.mtls.log.every((entry) => entry.status === 401)).toBe(true);
	});

	it('the mTLS credential test: passes, and fails on a wrong certificate or key with what the host said', async () => {
		seeded();
		expect(await testCredential(mtlsCredential(), 'openAiMtlsClientApi')).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const wrongCertificate = await testCredential(
			mtlsCredential(stranger.client),
			'openAiMtlsClientApi',
		);
		const wrongKey = await testCredential(
			mtlsCredential(workload.client, 'sk-proj-sandbox-proj_nope'),
			'openAiMtlsClientApi',
		);
		for (const result of [wrongCertificate, wrongKey]) {
			expect(result.status).toBe('Error');
			expect(result.message).not.toMatch(/was not sent|must name a path/);
		}
		expect(fake.api.mtls.log.map((entry) => entry.code ?? entry.status)).toEqual([
			200,
			'certificate_verification_failed',
			'certificate_verification_failed',
			401,
			401,
		]);
	});

	it('the admin credential test: a wrong key reads as the 401, a missing admin client certificate as what OpenAI said', async () => {
		const admin = makeAdminClient('Admin CA');
		fake.api.organization.addCertificate({ content: admin.ca.pem, activeInOrganization: true });
		expect(await testCredential(adminCredential(fake.api, admin.client))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const wrongKey = await testCredential({
			...adminCredential(fake.api, admin.client),
			apiKey: 'sk-admin-wrong-0123456789',
		});
		const noClient = await testCredential(adminCredential(fake.api));
		for (const result of [wrongKey, noClient]) {
			expect(result.status).toBe('Error');
			expect(result.message).not.toMatch(/was not sent|must name a path/);
		}
		const codes = fake.api.log.map(
			(request) => (request.response as any)?.error?.code ?? request.status,
		);
		expect(codes).toEqual([
			200,
			'invalid_api_key',
			'invalid_api_key',
			'certificate_required',
			'certificate_required',
		]);
	});
});
