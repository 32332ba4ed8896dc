/**
 * Bench case 5: n8n's HTTP Request node (with its built-in Retry On Fail) vs this node, both doing the same
 * deletes in the real n8n app (the end-to-end install, `n8n execute`), against the fake Admin API.
 * Times are read off the fake's own log (first DELETE to last DELETE), so n8n's start-up is not counted.
 */
import type { FakeAdminApi, FakeAdminApiOptions } from '../sandbox/server';
import { startFakeAdminApi } from '../sandbox/server';
import { freePort, prepareApp } from '../sandbox/n8nApp';
import type { Node } from '../test/e2e/workflows';
import { chain, CREDENTIAL, importInto, ours } from '../test/e2e/workflows';

export interface AppRun {
	variant: string;
	succeeded: boolean;
	error?: string;
	deleted: number;
	deletes: number;
	throttled: number;
	notFound: number;
	/** First to last DELETE the fake received, ms. */
	windowMs: number;
}

type Variant = { key: string; label: string; deleter: Node };

/** The HTTP Request node as a user would set it up with this package's credential and Retry On Fail on. */
function httpRequest(
	baseUrl: string,
	batching?: { batchSize: number; batchInterval: number },
): Node {
	return {
		id: 'delete',
		name: 'Delete',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method: 'DELETE',
			url: `=${baseUrl}/organization/certificates/{{ $json.id }}`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'openAiAdminApi',
			options: batching ? { batching: { batch: batching } } : {},
		},
		credentials: { openAiAdminApi: CREDENTIAL },
		retryOnFail: true,
		maxTries: 3,
		waitBetweenTries: 1000,
	};
}

function oursDeleting(concurrency: number): Node {
	return ours('Delete', {
		resource: 'certificate',
		operation: 'delete',
		certificateId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
		options: concurrency > 1 ? { concurrency } : {},
	});
}

export async function measureInApp(
	count: number,
	ratePerMinute: number,
): Promise<{ unlimited: AppRun[]; limited: AppRun[] }> {
	const app = prepareApp('2.41.1');
	const port = await freePort();
	// One address for every run, so the imported credential stays valid while each run gets a fresh organization.
	const setup = await startFakeAdminApi({ port });
	const imports = await importInto(app, setup);
	await setup.close();
	const baseUrl = setup.baseUrl;
	const paced = (perMinute: number) => {
		const batchInterval = Math.ceil(60_000 / perMinute);
		return {
			label: `HTTP Request node, Retry On Fail, Batching 1 item per ${batchInterval} ms`,
			deleter: httpRequest(baseUrl, { batchSize: 1, batchInterval }),
		};
	};
	const variants: Variant[] = [
		{
			key: 'http',
			label: 'HTTP Request node, Retry On Fail (3 tries, 1 s)',
			deleter: httpRequest(baseUrl),
		},
		{ key: 'httppaced', ...paced(ratePerMinute) },
		// The same, paced for a limit 10% higher than the real one: the limit is rarely known exactly.
		{ key: 'httpfast', ...paced(ratePerMinute * 1.1) },
		{ key: 'ours1', label: 'this node, concurrency 1', deleter: oursDeleting(1) },
		{ key: 'ours4', label: 'this node, concurrency 4', deleter: oursDeleting(4) },
		{ key: 'ours8', label: 'this node, concurrency 8', deleter: oursDeleting(8) },
	];
	for (const variant of variants) {
		const list = ours('List', { resource: 'certificate', operation: 'getAll', returnAll: true });
		await imports.workflow(
			`bench${variant.key}`,
			chain(`Bench: ${variant.label}`, [list, variant.deleter]),
		);
	}

	const run = async (variant: Variant, options: FakeAdminApiOptions): Promise<AppRun> => {
		const api: FakeAdminApi = await startFakeAdminApi({ ...options, port, apiKey: setup.apiKey });
		api.organization.maxCertificates = Number.MAX_SAFE_INTEGER;
		for (let index = 0; index < count; index++) api.organization.addCertificate();
		let error: string | undefined;
		try {
			await app.cli(
				['execute', `--id=${imports.ids[`bench${variant.key}`]}`, '--rawOutput'],
				600_000,
			);
		} catch (failure) {
			const printed = `${(failure as { stdout?: string }).stdout ?? ''}\n${(failure as { stderr?: string }).stderr ?? ''}`;
			error =
				printed.match(/"message":\s*"([^"]+)"/)?.[1] ?? (failure as Error).message.split('\n')[0];
		} finally {
			await api.close();
		}
		const deletes = api.log.filter((request) => request.method === 'DELETE');
		const result: AppRun = {
			variant: variant.label,
			succeeded: error === undefined,
			error,
			deleted: count - api.organization.certificates.size,
			deletes: deletes.length,
			throttled: deletes.filter((request) => request.status === 429).length,
			notFound: deletes.filter((request) => request.status === 404).length,
			windowMs: deletes.length ? deletes[deletes.length - 1].at - deletes[0].at : 0,
		};
		console.error(`  5. ${options.rateLimit ? 'limited' : 'unlimited'}: ${JSON.stringify(result)}`);
		return result;
	};

	try {
		const unlimited: AppRun[] = [];
		for (const key of ['http', 'ours1', 'ours8'])
			unlimited.push(
				await run(variants.find((variant) => variant.key === key)!, { latencyMs: 20 }),
			);
		const limited: AppRun[] = [];
		for (const key of ['http', 'httppaced', 'httpfast', 'ours4']) {
			limited.push(
				await run(variants.find((variant) => variant.key === key)!, {
					latencyMs: 20,
					rateLimit: { perMinute: ratePerMinute, retryAfter: true, burst: 10 },
				}),
			);
		}
		return { unlimited, limited };
	} finally {
		await app.stopAll();
	}
}
