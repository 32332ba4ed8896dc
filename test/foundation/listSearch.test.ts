import { OpenAiCertificates } from '../../nodes/OpenAiCertificates/OpenAiCertificates.node';
import { loadOptionsContext } from '../harness/runWorkflow';
import { adminCredential, makeAdminClient } from '../support/adminClient';
import { useFakeAdminApi } from '../support/fakeApi';

const { methods } = new OpenAiCertificates();
const { searchCertificates, searchProjects } = methods.listSearch;
const { getCertificates } = methods.loadOptions;

describe('Resource locator list search', () => {
	const fake = useFakeAdminApi();

	it("Activate/Deactivate pick certificates from the organization's list, each saying whether it is active for the organization", async () => {
		// Active for the organization: the credential presents an admin client certificate of that CA.
		const admin = makeAdminClient('Client CA 2027');
		const active = fake.api.organization.addCertificate({
			name: 'Client CA 2027',
			content: admin.ca.pem,
			activeInOrganization: true,
		});
		const inactive = fake.api.organization.addCertificate({ name: 'Spare CA' });
		const context = loadOptionsContext(
			{ resource: 'certificate', operation: 'activate' },
			adminCredential(fake.api, admin.client),
		);
		expect(await getCertificates.call(context)).toEqual([
			{
				name: `Spare CA (${inactive.id})`,
				value: inactive.id,
				description: `${inactive.id}, not active for the organization`,
			},
			{
				name: `Client CA 2027 (${active.id})`,
				value: active.id,
				description: `${active.id}, active for the organization`,
			},
		]);
		expect(fake.api.log.map((request) => request.path)).toEqual(['/v1/organization/certificates']);
	});

	it('lists certificates by name and ID, paging through the API with a token', async () => {
		for (let index = 0; index < 130; index++)
			fake.api.organization.addCertificate({ name: `cert number ${index}` });
		const context = loadOptionsContext(
			{ resource: 'certificate', operation: 'delete' },
			fake.credentials,
		);

		const first = await searchCertificates.call(context);
		expect(first.results.length).toBeGreaterThanOrEqual(20);
		expect(first.results[0]).toEqual({
			name: `cert number 129 (${fake.api.organization.certificateList()[129].id})`,
			value: fake.api.organization.certificateList()[129].id,
		});
		expect(first.paginationToken).toEqual(expect.any(String));
		expect(fake.api.log[0]).toMatchObject({
			method: 'GET',
			path: '/v1/organization/certificates',
			query: { limit: '100' },
		});

		const second = await searchCertificates.call(
			context,
			undefined,
			first.paginationToken as string,
		);
		expect(fake.api.log[1].query.after).toBe(first.paginationToken);
		const all = [...first.results, ...second.results].map((result) => result.value);
		expect(new Set(all).size).toBe(130);
		expect(second.paginationToken).toBeUndefined();
	});

	it('filters by name or ID, case-insensitively, across pages', async () => {
		const wanted = [];
		for (let index = 0; index < 250; index++) {
			const certificate = fake.api.organization.addCertificate({
				name: index % 50 === 0 ? `Production CA ${index}` : `other ${index}`,
			});
			if (index % 50 === 0) wanted.push(certificate.id);
		}
		const context = loadOptionsContext({}, fake.credentials);
		const byName = await searchCertificates.call(context, 'production ca');
		expect(byName.results.map((result) => result.value).sort()).toEqual([...wanted].sort());
		expect(fake.api.log).toHaveLength(3);

		const byId = await searchCertificates.call(context, wanted[2].toUpperCase());
		expect(byId.results.map((result) => result.value)).toEqual([wanted[2]]);
	});

	it('lists projects', async () => {
		fake.api.organization.addProject({ id: 'proj_a', name: 'Payments' });
		fake.api.organization.addProject({ id: 'proj_b', name: 'Search' });
		const result = await searchProjects.call(loadOptionsContext({}, fake.credentials), 'pay');
		expect(result.results).toEqual([{ name: 'Payments (proj_a)', value: 'proj_a' }]);
		expect(fake.api.log[0].path).toBe('/v1/organization/projects');
	});
});
