import type { FakeAdminApi, FakeAdminApiOptions } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import type { Credentials, RunNodeOptions } from '../harness/runWorkflow';
import { runNode } from '../harness/runWorkflow';
import { responseProblems } from './spec';

/**
 * For suites about something else than the node's own admin access: the fake does not ask Admin API
 * requests for a client certificate while a certificate is active for the organization (OpenAI does, and
 * so does the fake by default; test/guards/adminAccess.test.ts proves the node under it).
 */
export const WITHOUT_ADMIN_MTLS: FakeAdminApiOptions = { adminMtls: false };

/**
 * For a test about something else that activates for the organization with a key-only credential: the
 * organization already enforces mTLS (an unrelated CA active for it), so the node's guard of its own
 * admin access has nothing to lose (a key-only node is refused there already) and the fake, opted out
 * with WITHOUT_ADMIN_MTLS, lets it through.
 */
export function alreadyEnforcing(api: FakeAdminApi): string {
	return api.organization.addCertificate({
		name: 'Enforcing CA (seeded)',
		activeInOrganization: true,
	}).id;
}

/** A fresh fake Admin API per test, and a runner bound to it. */
export function useFakeAdminApi(options: FakeAdminApiOptions = {}) {
	const context = {} as {
		api: FakeAdminApi;
		credentials: Credentials;
		run: (
			options: Omit<RunNodeOptions, 'credentials'> & { credentials?: Credentials },
		) => ReturnType<typeof runNode>;
	};
	beforeEach(async () => {
		context.api = await startFakeAdminApi(options);
		context.credentials = { apiKey: context.api.apiKey, baseUrl: context.api.baseUrl };
		context.run = (runOptions) => runNode({ credentials: context.credentials, ...runOptions });
	});
	afterEach(async () => {
		await context.api.close();
		// Whatever a test made the fake answer still conforms to the spec.
		expect(context.api.log.flatMap(responseProblems)).toEqual([]);
	});
	return context;
}

export const certificateLocator = (value: string, mode: 'id' | 'list' = 'id') => ({
	__rl: true,
	mode,
	value,
});

/** Delete parameters for the certificate whose ID each input item holds (`{ id }`). */
export const deleteEach = (options: Record<string, unknown>) => ({
	resource: 'certificate',
	operation: 'delete',
	certificateId: certificateLocator('={{ $json.id }}'),
	options,
});

/** A plain HTTP call to the fake (no node involved), with its key or another; the JSON answer. */
export function fakeCaller(api: () => FakeAdminApi) {
	return async (method: string, path: string, body?: unknown, key?: string) => {
		const response = await fetch(`${api().baseUrl}${path}`, {
			method,
			headers: {
				Authorization: `Bearer ${key ?? api().apiKey}`,
				'Content-Type': 'application/json',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: (await response.json()) as Record<string, any> };
	};
}
