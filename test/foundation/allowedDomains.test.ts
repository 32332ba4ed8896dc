import type { INode } from 'n8n-workflow';
import { injectDomainRestrictionFields, isDomainAllowed } from 'n8n-workflow';

import { OpenAiAdminApi } from '../../credentials/OpenAiAdminApi.credentials';
import { OpenAiMtlsClientApi } from '../../credentials/OpenAiMtlsClientApi.credentials';
import { credentialBaseUrl } from '../../credentials/shared/baseUrl';
import { TestCredentialsHelper } from '../harness/credentialsHelper';
import { createWorkflow, ourNode } from '../harness/runWorkflow';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

const restricted = (allowedDomains: string) => ({
	allowedHttpRequestDomains: 'domains',
	allowedDomains,
});

describe("n8n 2.x's Allowed HTTP Request Domains on the credential", () => {
	const fake = useFakeAdminApi();
	const deleteOne = (extra: Record<string, string>) => {
		const certificate = fake.api.organization.addCertificate();
		return fake.run({
			credentials: { ...fake.credentials, ...extra },
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(certificate.id),
			},
		});
	};

	it('is offered on both credentials by n8n 2.41 (they authenticate requests)', () => {
		for (const credential of [new OpenAiAdminApi(), new OpenAiMtlsClientApi()]) {
			const names = injectDomainRestrictionFields(credential).map((property) => property.name);
			expect(names).toEqual(
				expect.arrayContaining(['allowedHttpRequestDomains', 'allowedDomains']),
			);
		}
	});

	it('Specific Domains without the Base URL host: refused before any request, saying what to change', async () => {
		const { error } = await deleteOne(restricted('api.openai.com, *.example.com'));
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/Domain not allowed.*Allowed Domains.*127\.0\.0\.1/);
		expect(fake.api.log).toHaveLength(0);
	});

	it('Specific Domains with an empty list: refused before any request', async () => {
		const { error } = await deleteOne(restricted(' , '));
		expect(error?.message).toMatch(/lists none/);
		expect(fake.api.log).toHaveLength(0);
	});

	it.each([
		['Specific Domains listing the host', restricted('example.com, 127.0.0.1')],
		[
			'None (keeps it out of the HTTP Request node, not out of its own node)',
			{ allowedHttpRequestDomains: 'none' },
		],
		['All', { allowedHttpRequestDomains: 'all' }],
	])('%s: the request is sent', async (_label, extra) => {
		const { error } = await deleteOne(extra);
		expect(error).toBeUndefined();
		expect(fake.api.log.filter((request) => request.method === 'DELETE')).toHaveLength(1);
	});

	it('the credential test request (built by n8n from the credential) is refused the same way', async () => {
		const credentials = { ...fake.credentials, ...restricted('api.openai.com') };
		const node: INode = ourNode({});
		const workflow = createWorkflow({ nodes: [node], connections: {} });
		await expect(
			new TestCredentialsHelper({}).authenticate(
				credentials,
				'openAiAdminApi',
				{ url: '/organization/certificates', method: 'GET' },
				workflow,
				node,
			),
		).rejects.toThrow(/Domain not allowed/);
	});

	it.each([
		['api.openai.com', 'https://api.openai.com/v1'],
		['API.OpenAI.com.', 'https://api.openai.com/v1'],
		['*.openai.com', 'https://api.openai.com/v1'],
		['*.openai.com', 'https://openai.com/v1'],
		['*.api.openai.com', 'https://mtls.api.openai.com/v1'],
		['openai.com', 'https://api.openai.com/v1'],
		['evil.com, proxy.example.com', 'https://proxy.example.com/openai/v1'],
		['example.com', 'https://example.com.evil.test/v1'],
		['*.', 'https://api.openai.com/v1'],
	])('matches %s against %s exactly as n8n does', (allowedDomains, baseUrl) => {
		const ours = !('problem' in credentialBaseUrl({ baseUrl, ...restricted(allowedDomains) }));
		expect(ours).toBe(isDomainAllowed({ url: baseUrl, allowedDomains }));
	});
});
