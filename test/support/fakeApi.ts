import type { FakeAdminApi, FakeAdminApiOptions } from '../../sandbox/server';
import { startFakeAdminApi } from '../../sandbox/server';
import type { Credentials, RunNodeOptions } from '../harness/runWorkflow';
import { runNode } from '../harness/runWorkflow';
import { responseProblems } from './spec';

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
