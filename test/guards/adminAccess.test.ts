import { presentedClientChain } from '../../nodes/OpenAiCertificates/guards/adminAccess/adminAccess';
import { clientCertificateProblem } from '../../credentials/shared/clientTls';
import { adminCredential, makeAdminClient } from '../support/adminClient';
import { rotateParameters, writes } from '../support/canary';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';
import { triggerPoller } from '../support/pollTrigger';
import { watchTraffic } from '../support/trafficProbe';

/**
 * OpenAI's help centre ("OpenAI Mutual TLS Beta Program", FAQ "Who can access and modify certificates?"):
 * once mTLS is activated at the organization level, certificates are enforced on Admin API requests as
 * well. The fake does the same by default; these tests run the node against it.
 */
describe('The node under organization-level mTLS: its own admin access', () => {
	const fake = useFakeAdminApi();
	const admin = makeAdminClient('Admin CA 2026');
	const renewed = makeAdminClient('Admin CA 2027');
	const stranger = makeAdminClient('Unrelated CA');

	/** The organization enforces mTLS: the admin CA is active for it (and for proj_a). */
	function enforcing() {
		fake.api.organization.addProject({ id: 'proj_a' });
		fake.api.organization.addProject({ id: 'proj_b' });
		return fake.api.organization.addCertificate({
			name: 'Admin CA 2026',
			content: admin.ca.pem,
			activeInOrganization: true,
			activeInProjects: ['proj_a'],
		}).id;
	}
	const GET_MANY = { resource: 'certificate', operation: 'getAll', returnAll: true };
	/** Activate for the organization, Confirm Organization-Wide Enforcement on. */
	const activateForOrganization = (certificateIds: string) =>
		fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'activate',
				certificateIds,
				options: { confirmOrganizationEnforcement: true },
			},
		});
	const refusedAdminRequests = () =>
		fake.api.log.filter((request) => request.status === 401).map((request) => request.response);

	it('works with the admin client certificate: every request goes through the mTLS host and presents it', async () => {
		const caId = enforcing();
		fake.credentials = adminCredential(fake.api, admin.client);
		const other = fake.api.organization.addCertificate({ content: stranger.ca.pem });
		const steps = [
			GET_MANY,
			{ resource: 'certificate', operation: 'get', certificateId: certificateLocator(caId) },
			{ resource: 'certificate', operation: 'upload', certificate: renewed.ca.pem, name: 'n' },
			{
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(other.id),
				name: 'renamed',
			},
			{
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: { __rl: true, mode: 'id', value: 'proj_a' },
				certificateIds: other.id,
			},
			{
				resource: 'projectCertificate',
				operation: 'deactivate',
				projectId: { __rl: true, mode: 'id', value: 'proj_a' },
				certificateIds: other.id,
			},
			{ resource: 'certificate', operation: 'delete', certificateId: certificateLocator(other.id) },
		];
		for (const parameters of steps) {
			const { error } = await fake.run({ parameters });
			expect([parameters.operation, error?.message]).toEqual([parameters.operation, undefined]);
		}
		const poller = triggerPoller(() => fake.credentials);
		expect(await poller.poll({ event: 'expiringSoon', daysBeforeExpiry: 30 })).toEqual([]);
		expect(refusedAdminRequests()).toEqual([]);
		expect(fake.api.log.length).toBeGreaterThan(steps.length);
		expect(fake.api.log.every((request) => request.overMtls)).toBe(true);
		expect(new Set(fake.api.log.map((request) => request.clientSubject))).toEqual(
			new Set([expect.stringContaining('Admin CA 2026 admin client')]),
		);
	});

	it('without a client certificate every request is refused, and the error says why and how to fix it', async () => {
		enforcing();
		for (const credentials of [
			{ apiKey: fake.api.apiKey, baseUrl: fake.api.baseUrl },
			adminCredential(fake.api),
		]) {
			fake.credentials = credentials;
			const { error } = await fake.run({
				parameters: GET_MANY,
			});
			expect(error?.description).toMatch(
				/active for the organization, so OpenAI requires a client certificate on Admin API requests too.*Client Certificate and Private Key.*mTLS host.*dashboard/,
			);
			expect(String(error?.message)).toMatch(/client certificate is required/i);
		}
		expect(refusedAdminRequests().map((body) => (body as any).error.code)).toEqual([
			'certificate_required',
			'certificate_required',
		]);
	});

	it('a client certificate of a CA not active for the organization is refused as certificate_verification_failed', async () => {
		enforcing();
		fake.credentials = adminCredential(fake.api, stranger.client);
		const { error } = await fake.run({
			parameters: GET_MANY,
		});
		expect(error?.description).toMatch(
			/does not chain to a certificate active for the organization/,
		);
		expect((refusedAdminRequests()[0] as any).error.code).toBe('certificate_verification_failed');
	});

	it('refuses, before any write, to activate the first certificate for the organization without an admin client certificate of it', async () => {
		fake.api.organization.addProject({ id: 'proj_a' });
		const ca = fake.api.organization.addCertificate({ content: admin.ca.pem });
		for (const credentials of [
			{ apiKey: fake.api.apiKey, baseUrl: fake.api.baseUrl },
			adminCredential(fake.api, stranger.client),
		]) {
			fake.credentials = credentials;
			const { error } = await activateForOrganization(ca.id);
			expect(error?.message).toMatch(
				new RegExp(
					`^Activate was not done: after "activate ${ca.id} in the organization" OpenAI would refuse this node's own Admin API requests`,
				),
			);
			expect(error?.description).toMatch(/^Nothing was changed\. Put a client certificate/);
		}
		expect(writes(fake.api.log)).toEqual([]);
		expect(fake.api.organization.activeInOrganization.size).toBe(0);
	});

	it('activates for the organization with an admin client certificate of that CA, and keeps working after', async () => {
		fake.api.organization.addProject({ id: 'proj_a' });
		const ca = fake.api.organization.addCertificate({ content: admin.ca.pem });
		fake.credentials = adminCredential(fake.api, admin.client);
		const { error } = await activateForOrganization(ca.id);
		expect(error).toBeUndefined();
		const after = await fake.run({
			parameters: GET_MANY,
		});
		expect(after.error).toBeUndefined();
		expect(refusedAdminRequests()).toEqual([]);
	});

	it('refuses to deactivate, or delete everywhere, the only organization certificate its admin client chains to while another stays active', async () => {
		const caId = enforcing();
		const otherId = fake.api.organization.addCertificate({
			content: stranger.ca.pem,
			activeInOrganization: true,
		}).id;
		fake.credentials = adminCredential(fake.api, admin.client);
		const attempts = [
			{ resource: 'certificate', operation: 'deactivate', certificateIds: caId },
			{
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator(caId),
				options: { deactivateFirst: true },
			},
		];
		for (const parameters of attempts) {
			const { error } = await fake.run({ parameters });
			expect(error?.message).toMatch(/would refuse this node's own Admin API requests/);
			expect(error?.message).toMatch(/refused: chains to no active certificate/);
			expect(error?.message).toContain(otherId);
		}
		expect(writes(fake.api.log)).toEqual([]);
		expect(fake.api.organization.whereActive(caId)).toEqual(['organization', 'proj_a']);
	});

	it('deactivating the last organization certificate leaves admin access open (nothing enforced), and a dry run shows why', async () => {
		const caId = enforcing();
		fake.credentials = adminCredential(fake.api, admin.client);
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'deactivate',
				certificateIds: caId,
				options: { dryRun: true },
			},
		});
		expect(error).toBeUndefined();
		expect(items[0].json.adminAccess).toEqual({
			acceptedNow: true,
			now: `accepted: the credential's client certificate chains to ${caId}`,
		});
		const { items: withOther } = await (async () => {
			fake.api.organization.addCertificate({
				content: stranger.ca.pem,
				activeInOrganization: true,
			});
			return await fake.run({
				parameters: {
					resource: 'certificate',
					operation: 'deactivate',
					certificateIds: caId,
					options: { dryRun: true },
				},
			});
		})();
		expect(withOther[0].json.adminAccess).toMatchObject({
			acceptedNow: true,
			refusedAfter: 0,
			refusedAfterStep: `deactivate ${caId} in the organization`,
		});
		expect(writes(fake.api.log)).toEqual([]);
	});

	it('Rotate of the organization CA pauses before deactivating it for the organization, then finishes after the credential gets a client certificate of the new CA', async () => {
		const oldId = enforcing();
		fake.credentials = adminCredential(fake.api, admin.client);
		const parameters = {
			...rotateParameters(oldId, renewed.ca, { deleteOld: true }),
			name: 'Admin CA 2027',
		};
		const dry = await fake.run({
			parameters: { ...parameters, options: { deleteOld: true, dryRun: true } },
		});
		expect(dry.items[0].json).toMatchObject({ wouldPauseFor: 'adminClientCertificate' });

		// Traffic through both runs: workloads (and the node's own admin client) of the old CA and of the new.
		const traffic = watchTraffic(fake.api, ['proj_a', 'proj_b'], {
			old: { certificatePem: admin.client.pem, keyPem: admin.client.keyPem },
			new: { certificatePem: renewed.client.pem, keyPem: renewed.client.keyPem },
		});
		const first = await fake.run({ parameters });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({
			paused: true,
			pausedFor: 'adminClientCertificate',
			activatedIn: ['organization', 'proj_a'],
			deactivatedIn: [],
			deleted: false,
		});
		expect(first.items[0].json.summary as string).toMatch(
			/^Paused before deactivating the old certificate for the organization.*the new CA.*run this Rotate again/,
		);
		const newId = first.items[0].json.newCertificateId as string;
		expect(fake.api.organization.whereActive(oldId)).toEqual(['organization', 'proj_a']);
		expect(fake.api.organization.whereActive(newId)).toEqual(['organization', 'proj_a']);

		// Run again unchanged: still paused there, nothing more written.
		const writesBefore = writes(fake.api.log).length;
		const again = await fake.run({ parameters });
		expect(again.items[0].json).toMatchObject({
			paused: true,
			pausedFor: 'adminClientCertificate',
		});
		expect(writes(fake.api.log).length).toBe(writesBefore);

		fake.credentials = adminCredential(fake.api, renewed.client);
		const last = await fake.run({ parameters });
		expect(last.error).toBeUndefined();
		expect(last.items[0].json).toMatchObject({
			paused: false,
			deactivatedIn: ['organization', 'proj_a'],
			deleted: true,
		});
		expect(fake.api.organization.certificates.has(oldId)).toBe(false);
		expect(fake.api.organization.whereActive(newId)).toEqual(['organization', 'proj_a']);
		// No admin request refused, and in every project at every state a client of either CA got through.
		expect(refusedAdminRequests()).toEqual([]);
		const summary = await traffic.finish();
		expect(summary.moments).toBeGreaterThan(4);
		expect(summary.neither).toEqual([]);
		expect(summary.unenforced).toEqual([]);
	});

	it("a client certificate on OpenAI's standard host counts as none: only the mTLS hosts ask for it", () => {
		const withCertificate = { apiKey: 'sk-admin-x', clientCertificate: admin.client.pem };
		for (const host of ['https://api.openai.com/v1', undefined])
			expect(presentedClientChain({ ...withCertificate, host })).toBeUndefined();
		for (const host of ['https://mtls.api.openai.com/v1', 'https://mtls-eu.api.openai.com/v1'])
			expect(presentedClientChain({ ...withCertificate, host })?.label).toMatch(/admin client/);
		expect(
			presentedClientChain({
				...withCertificate,
				host: 'custom',
				baseUrl: 'https://proxy.example/v1',
			})?.label,
		).toMatch(/admin client/);
	});

	it("two items deleting, at once, the two copies of the admin client's CA: one goes, the other is refused before any write", async () => {
		const org = fake.api.organization;
		org.addProject({ id: 'proj_a' });
		const copies = [
			org.addCertificate({ content: admin.ca.pem, activeInOrganization: true }),
			org.addCertificate({ content: admin.ca.pem, activeInOrganization: true }),
		];
		org.addCertificate({ content: stranger.ca.pem, activeInOrganization: true });
		fake.credentials = adminCredential(fake.api, admin.client);
		const { items } = await fake.run({
			continueOnFail: true,
			items: copies.map(({ id }) => ({ id })),
			parameters: {
				resource: 'certificate',
				operation: 'delete',
				certificateId: certificateLocator('={{ $json.id }}'),
				options: { deactivateFirst: true, concurrency: 2 },
			},
		});
		const refused = items.filter((item) => item.json.error !== undefined);
		expect(refused).toHaveLength(1);
		expect(refused[0].json.error).toMatch(/would refuse this node's own Admin API requests/);
		expect(copies.filter(({ id }) => org.certificates.has(id))).toHaveLength(1);
		expect(refusedAdminRequests()).toEqual([]);
	});

	it('a client certificate is refused before any request when the Base URL is plain http', async () => {
		enforcing();
		fake.credentials = {
			apiKey: fake.api.apiKey,
			baseUrl: fake.api.baseUrl,
			clientCertificate: admin.client.pem,
			privateKey: admin.client.keyPem,
		};
		const { error } = await fake.run({
			parameters: GET_MANY,
		});
		expect(error?.message).toMatch(
			/cannot be presented: its Base URL http:\/\/127\.0\.0\.1:\d+\/v1 is not https/,
		);
		expect(fake.api.log).toEqual([]);
	});

	it('the private key appears in no output or error', async () => {
		enforcing();
		fake.credentials = adminCredential(fake.api, stranger.client);
		const { items, error } = await fake.run({
			continueOnFail: true,
			parameters: GET_MANY,
		});
		const seen = JSON.stringify({ items, error, message: error?.message, stack: error?.stack });
		const keyBody = stranger.client.keyPem.split('\n')[1];
		expect(seen).not.toContain(keyBody);
		expect(seen).not.toContain(fake.api.apiKey);
	});
});

describe('Whether this n8n can present a client certificate at all', () => {
	const cancelled = () => Promise.reject(new Error('cancelled'));

	it('yes where the HTTP helper builds its agent from agentOptions (n8n-core 2.41), without sending anything', async () => {
		const helpers = {
			httpRequest: (options: { agentOptions?: object }) => {
				void { ...options.agentOptions };
				return cancelled();
			},
		};
		expect(
			await clientCertificateProblem({ helpers } as never, 'https://mtls.api.openai.com/v1'),
		).toBeUndefined();
	});

	it('nothing known when the helper stopped before building the request (SSRF protection, DNS): the real request says why', async () => {
		const helpers = {
			httpRequest: () =>
				Promise.reject(new Error('Request to 10.0.0.1 blocked by SSRF protection')),
		};
		expect(
			await clientCertificateProblem({ helpers } as never, 'https://proxy.internal/v1'),
		).toBeUndefined();
	});

	it("no where it ignores them (n8n 1.x's httpRequest): refused with what to do instead", async () => {
		const helpers = { httpRequest: cancelled };
		const problem = await clientCertificateProblem(
			{ helpers } as never,
			'https://mtls.api.openai.com/v1',
		);
		expect(problem?.message).toMatch(/cannot present the client certificate.*nothing was sent/);
		expect(problem?.description).toMatch(/n8n 1\.x.*n8n 2\.41 or later.*dashboard/);
	});
});
