import type { ServerResponse } from 'node:http';

import {
	certificateLocator,
	fakeCaller,
	alreadyEnforcing,
	useFakeAdminApi,
	WITHOUT_ADMIN_MTLS,
} from '../support/fakeApi';
import type { HostileServer, SeenRequest } from '../support/hostileServer';
import { json, startHostileServer } from '../support/hostileServer';

/**
 * An answer missing what the spec requires (spec/NOTES.md, "Strict shapes") is refused, never read as
 * "inactive": `active` on every certificate of the organization's and a project's list, and the `object`
 * an activate or deactivate call answers with (the current revision's, or the older revision's "list").
 * The sandbox's own answer is taken and one field changed by a server in front of it.
 */
describe('Answers missing what the spec requires', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const call = fakeCaller(() => fake.api);
	let hostile: HostileServer;
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
	});
	afterEach(async () => {
		await hostile.close();
	});

	const run = (parameters: Record<string, unknown>) =>
		fake.run({
			credentials: { apiKey: fake.api.apiKey, baseUrl: hostile.baseUrl() },
			parameters: { ...parameters, options: { maxRetries: 0, ...(parameters.options ?? {}) } },
		});
	/** Answers with the sandbox's own answer to the same request, changed by `edit`. */
	const edited =
		(edit: (body: Record<string, any>) => void) =>
		async (request: SeenRequest, response: ServerResponse) => {
			const body = request.body === '' ? undefined : (JSON.parse(request.body) as unknown);
			const answer = await call(request.method, request.url.replace(/^\/v1/, ''), body);
			const { status } = answer;
			edit(answer.body);
			json(response, status, answer.body);
		};
	const withoutActive = edited((body) => delete body.data[1].active);

	it('Get Many refuses an organization list whose certificate has no `active`, naming it, and never reads it as inactive', async () => {
		const [first, second] = [
			fake.api.organization.addCertificate({ activeInOrganization: true }),
			fake.api.organization.addCertificate({ activeInOrganization: true }),
		];
		const getMany = {
			resource: 'certificate',
			operation: 'getAll',
			returnAll: true,
			filters: { activeIn: 'nowhere' },
		};
		const before = await run(getMany);
		expect(before.error).toBeUndefined();
		expect(before.items).toEqual([]);

		hostile.on('GET /v1/organization/certificates', withoutActive);
		const { items, error } = await run(getMany);
		expect(items).toEqual([]);
		expect(error?.message).toMatch(/not what the API reference promises/);
		expect(`${error?.message} ${error?.description}`).toMatch(
			/the answer\.data\[1\]\.active is missing, not true or false/,
		);
		expect(
			[first, second].every(({ id }) => fake.api.organization.activeInOrganization.has(id)),
		).toBe(true);
	});

	it("a project's certificate list without `active` is refused the same way", async () => {
		fake.api.organization.addCertificate({ activeInProjects: ['proj_a'] });
		fake.api.organization.addCertificate({ activeInProjects: ['proj_a'] });
		const getMany = {
			resource: 'projectCertificate',
			operation: 'getAll',
			projectId: certificateLocator('proj_a'),
			returnAll: true,
		};
		const before = await run(getMany);
		expect(before.items.map((item) => item.json.active)).toEqual([true, true]);

		hostile.on('GET /v1/organization/projects/proj_a/certificates', withoutActive);
		const { error } = await run(getMany);
		expect(`${error?.message} ${error?.description}`).toMatch(
			/the answer\.data\[1\]\.active is missing, not true or false/,
		);
	});

	it.each([
		['a deactivation for an activate call', 'organization.certificate.deactivation'],
		[
			"a project's activation for an organization call",
			'organization.project.certificate.activation',
		],
		['no object at all', undefined],
	])('Activate refuses an answer whose object is %s', async (_name, object) => {
		alreadyEnforcing(fake.api);
		const { id } = fake.api.organization.addCertificate();
		hostile.on(
			'POST /v1/organization/certificates/activate',
			edited((body) => {
				if (object === undefined) delete body.object;
				else body.object = object;
			}),
		);
		const { error } = await run({
			resource: 'certificate',
			operation: 'activate',
			certificateIds: id,
			options: { confirmOrganizationEnforcement: true },
		});
		expect(`${error?.message} ${error?.description}`).toMatch(
			/the answer\.object is .*, not "organization\.certificate\.activation" \(or "list", as an older revision of the API answered\)/,
		);
	});

	it("accepts the older revision's list answer and refuses one whose certificate lacks `active`", async () => {
		const { id } = fake.api.organization.addCertificate({ activeInProjects: ['proj_a'] });
		const deactivate = {
			resource: 'projectCertificate',
			operation: 'deactivate',
			projectId: certificateLocator('proj_a'),
			certificateIds: id,
		};
		const asList = (body: Record<string, any>) =>
			Object.assign(body, { object: 'list', first_id: id, last_id: id, has_more: false });
		hostile.on('POST /v1/organization/projects/proj_a/certificates/deactivate', edited(asList), 1);
		const accepted = await run(deactivate);
		expect(accepted.error).toBeUndefined();
		expect(accepted.items[0].json).toMatchObject({ object: 'list' });

		fake.api.organization.activeInProject.get('proj_a')!.add(id);
		hostile.on(
			'POST /v1/organization/projects/proj_a/certificates/deactivate',
			edited((body) => delete asList(body).data[0].active),
		);
		const { error } = await run(deactivate);
		expect(`${error?.message} ${error?.description}`).toMatch(
			/the answer\.data\[0\]\.active is missing, not true or false/,
		);
	});
});
