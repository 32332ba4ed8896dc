import type { Logger } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import type { Fault } from '../../sandbox/server';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

/** Every log line n8n-core or the node writes during the tests, to search for the key. */
const logLines: string[] = [];
const capture = (level: string) => (message: string, meta?: object) => {
	logLines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
};
const logger = {
	error: capture('error'),
	warn: capture('warn'),
	info: capture('info'),
	debug: capture('debug'),
	scoped: () => logger,
} as unknown as Logger;
const silent = () => {};
const silentLogger = {
	error: silent,
	warn: silent,
	info: silent,
	debug: silent,
} as unknown as Logger;

const errorPaths: Array<{
	name: string;
	faults?: Fault[];
	apiKey?: (key: string) => string;
	baseUrl?: (url: string) => string;
	id?: string;
	options?: Record<string, unknown>;
}> = [
	{ name: 'wrong key (the API echoes it back)', apiKey: (key) => `${key}-wrong` },
	{ name: '403', faults: [{ kind: 'error', status: 403, message: 'Forbidden' }] },
	{ name: '404', id: 'cert_missing' },
	{ name: 'certificate active', id: 'cert_active' },
	{
		name: '429 exhausted',
		faults: [{ kind: '429', retryAfterSeconds: 0 }],
		options: { maxRetries: 0 },
	},
	{ name: '500 exhausted', faults: [{ kind: '500' }], options: { maxRetries: 0 } },
	{ name: 'HTML body', faults: [{ kind: 'html' }], options: { maxRetries: 0 } },
	{ name: 'text body', faults: [{ kind: 'text', status: 400 }] },
	{ name: 'empty body', faults: [{ kind: 'empty', status: 400 }] },
	{ name: 'dropped connection', faults: [{ kind: 'drop' }], options: { maxRetries: 0 } },
	{
		name: 'timeout',
		faults: [{ kind: 'slow', delayMs: 1500 }],
		options: { maxRetries: 0, timeout: 300 },
	},
	{
		name: 'connection refused',
		baseUrl: () => 'http://127.0.0.1:9/v1',
		options: { maxRetries: 0 },
	},
	{ name: 'plain http base URL', baseUrl: () => 'http://api.example.com/v1' },
	{ name: 'invalid ID', id: "={{ '../x' }}" },
	{
		name: 'key echoed in an error message with a different status',
		faults: [
			{
				kind: 'error',
				status: 400,
				message: 'Key sk-admin-sandbox-0123456789abcdefSECRET is not allowed here',
			},
		],
	},
];

describe('The admin key never leaves the credential', () => {
	const fake = useFakeAdminApi();
	const originalWrite = { stdout: process.stdout.write, stderr: process.stderr.write };
	beforeEach(() => {
		logLines.length = 0;
		LoggerProxy.init(logger);
		// Anything printed to the console (n8n's own logger writes there) or the process streams counts too.
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
				logLines.push(
					args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
				);
			});
		}
		for (const stream of ['stdout', 'stderr'] as const) {
			process[stream].write = ((chunk: unknown, ...rest: unknown[]) => {
				logLines.push(String(chunk));
				return (originalWrite[stream] as (...args: unknown[]) => boolean).call(
					process[stream],
					chunk,
					...rest,
				);
			}) as typeof process.stdout.write;
		}
	});
	afterEach(() => {
		jest.restoreAllMocks();
		process.stdout.write = originalWrite.stdout;
		process.stderr.write = originalWrite.stderr;
	});
	// n8n-workflow's logger is one per module registry, shared with the files after this one in its bundle.
	afterAll(() => LoggerProxy.init(silentLogger));

	it.each(
		errorPaths.flatMap((path) =>
			[false, true].map((continueOnFail) => ({ ...path, continueOnFail })),
		),
	)(
		'$name (continue on fail: $continueOnFail)',
		async ({ faults, apiKey, baseUrl, id, options, continueOnFail }) => {
			fake.api.organization.addCertificate({ id: 'cert_active', activeInOrganization: true });
			fake.api.faults.push(...(faults ?? []));
			const key = apiKey ? apiKey(fake.api.apiKey) : fake.api.apiKey;
			const { items, error, run } = await fake.run({
				continueOnFail,
				credentials: {
					apiKey: key,
					baseUrl: baseUrl ? baseUrl(fake.api.baseUrl) : fake.api.baseUrl,
				},
				parameters: {
					resource: 'certificate',
					operation: 'delete',
					certificateId: certificateLocator(id ?? 'cert_active'),
					options: options ?? {},
				},
			});
			// The path failed as intended: an error item under Continue On Fail, the run's error otherwise.
			expect([typeof items[0]?.json.error, typeof error]).toEqual(
				continueOnFail ? ['string', 'undefined'] : ['undefined', 'object'],
			);

			const everything = [
				JSON.stringify(items),
				JSON.stringify(error ?? {}),
				String(error?.stack ?? ''),
				String(error?.description ?? ''),
				JSON.stringify(run.data.resultData),
				...logLines,
			].join('\n');
			for (const secret of [key, fake.api.apiKey, 'sandbox-0123456789abcdefSECRET']) {
				expect(everything).not.toContain(secret);
			}
			// n8n-core logs each run: the search above did read real log lines.
			expect(logLines.length).toBeGreaterThan(0);
		},
	);
});
