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
		run: (options: Omit<RunNodeOptions, 'credentials'> & { credentials?: Credentials }) => ReturnType<typeof runNode>;
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

export const certificateLocator = (value: string, mode: 'id' | 'list' = 'id') => ({ __rl: true, mode, value });

/** Delete parameters for the certificate whose ID each input item holds (`{ id }`). */
export const deleteEach = (options: Record<string, unknown>) => ({
	resource: 'certificate',
	operation: 'delete',
	certificateId: certificateLocator('={{ $json.id }}'),
	options,
});
