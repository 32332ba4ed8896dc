import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import type { HostileServer } from '../support/hostileServer';
import {
	drip,
	dropMidBody,
	json,
	openAiError,
	raw,
	startHostileServer,
} from '../support/hostileServer';

/**
 * Answers that cannot be trusted, from a hostile server in front of the sandbox: 2xx answers are checked
 * before use, paging stops, the timeout covers the body, a body cut mid-way is retried, Max Retries is a
 * cap under concurrency, and odd Retry-After values are ignored. (Uploads whose answer is lost or
 * garbled: exactlyOnce.test.ts.)
 */
describe('Answers that cannot be trusted', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	let hostile: HostileServer;
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
	});
	afterEach(async () => {
		await hostile.close();
	});

	const run = (
		parameters: Record<string, unknown>,
		extra: { continueOnFail?: boolean; items?: IDataObject[] } = {},
	) =>
		fake.run({
			credentials: { apiKey: fake.api.apiKey, baseUrl: hostile.baseUrl() },
			parameters,
			...extra,
		});
	const sentTo = (method: string, path: string) =>
		hostile.log.filter((request) => request.method === method && request.path === `/v1${path}`);
	const getMany = {
		resource: 'certificate',
		operation: 'getAll',
		returnAll: true,
		options: { maxRetries: 0 },
	};

	it.each([
		[
			'an HTML page',
			'<!doctype html><html><body><h1>Sign in to the proxy</h1></body></html>',
			/HTTP 200 with an HTML page: "Sign in to the proxy"/,
		],
		['truncated JSON', '{"object":"list","data":[{"id":"cert_a"', /HTTP 200 with a non-JSON body/],
		['null', 'null', /HTTP 200 with JSON null/],
		[
			'a list whose data is not a list',
			'{"object":"list","data":"cert_a","has_more":false}',
			/the answer\.data is the text "cert_a", not a list/,
		],
		[
			'a certificate without an id',
			'{"object":"list","data":[{"object":"organization.certificate","name":null,"created_at":1,"certificate_details":{},"active":true}],"has_more":false,"first_id":null,"last_id":null}',
			/the answer\.data\[0\]\.id is missing, not a certificate ID/,
		],
	])(
		'Get Many refuses %s on 200 and says what came back; under Continue On Fail it is an error item',
		async (_name, body, said) => {
			hostile.on('GET /v1/organization/certificates', (_request, response) =>
				raw(response, 200, body),
			);
			const { error } = await run(getMany);
			expect(error?.message).toMatch(/not what the API reference promises/);
			expect(`${error?.message} ${error?.description}`).toMatch(said);
			const { items } = await run(getMany, { continueOnFail: true, items: [{}, {}] });
			expect(items.map((item) => [typeof item.json.error, item.pairedItem])).toEqual([
				['string', { item: 0 }],
				['string', { item: 1 }],
			]);
		},
	);

	it('Delete does not report "already deleted" for an answer it cannot read', async () => {
		const certificate = fake.api.organization.addCertificate();
		hostile.on(`DELETE /v1/organization/certificates/${certificate.id}`, (_request, response) =>
			raw(response, 200, '<html>OK</html>'),
		);
		const { error } = await run({
			resource: 'certificate',
			operation: 'delete',
			certificateId: certificateLocator(certificate.id),
			options: { ignoreNotFound: true },
		});
		expect(error?.message).toMatch(/HTTP 200 with an HTML page/);
	});

	it('Rotate stops at the upload when its answer never has an ID (looked for after each: not there), and never activates a null ID', async () => {
		const old = fake.api.organization.addCertificate({ activeInOrganization: true });
		hostile.on('POST /v1/organization/certificates', (_request, response) =>
			json(response, 200, {
				object: 'certificate',
				name: 'new',
				created_at: 1,
				certificate_details: {},
			}),
		);
		const { makeCertificate } = await import('../../sandbox/certificates');
		const { error } = await run({
			resource: 'certificate',
			operation: 'rotate',
			certificateId: certificateLocator(old.id),
			certificate: makeCertificate({ ca: true }).pem,
			options: { maxRetries: 1, retryDelay: 0 },
		});
		expect(error?.message).toMatch(/not what the API reference promises/);
		expect(error?.description).toMatch(/Nothing was changed: the new certificate was not uploaded/);
		expect(sentTo('POST', '/organization/certificates')).toHaveLength(2);
		expect(sentTo('POST', '/organization/certificates/activate')).toHaveLength(0);
		expect(sentTo('POST', '/organization/certificates/deactivate')).toHaveLength(0);
	});

	it('property: whatever JSON a 200 to Get carries, the item gets the certificate or a paired error, never a crash', async () => {
		const certificate = fake.api.organization.addCertificate();
		const path = `/v1/organization/certificates/${certificate.id}`;
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.jsonValue(),
					fc.record({
						id: fc.oneof(fc.string(), fc.constant(certificate.id)),
						object: fc.string(),
						name: fc.oneof(fc.string(), fc.constant(null)),
						created_at: fc.oneof(fc.integer(), fc.string()),
						certificate_details: fc.jsonValue(),
					}),
				),
				async (body) => {
					hostile.on(`GET ${path}`, (_request, response) => json(response, 200, body), 1);
					const { items } = await run(
						{
							resource: 'certificate',
							operation: 'get',
							certificateId: certificateLocator(certificate.id),
							options: { maxRetries: 0, includeDetails: true },
						},
						{ continueOnFail: true },
					);
					expect(items).toHaveLength(1);
					expect(items[0].pairedItem).toEqual({ item: 0 });
					if (items[0].json.error === undefined) expect(items[0].json.id).toBe(certificate.id);
					else expect(items[0].json.error).toMatch(/not what the API reference promises/);
				},
			),
			{ numRuns: 30 },
		);
	});

	it('paging stops when empty pages keep promising more, and says why', async () => {
		let cursor = 0;
		hostile.on('GET /v1/organization/certificates', (_request, response) => {
			cursor += 1;
			json(response, 200, {
				object: 'list',
				data: [],
				has_more: true,
				first_id: null,
				last_id: `cert_page${cursor}`,
			});
		});
		const { error } = await run({
			resource: 'certificate',
			operation: 'getAll',
			returnAll: false,
			limit: 5,
		});
		expect(error?.message).toMatch(
			/Stopped paging through \/organization\/certificates: 3 empty pages in a row still said more pages follow/,
		);
		expect(sentTo('GET', '/organization/certificates')).toHaveLength(3);
	});

	it('paging stops at the page limit when every page has one new certificate and more', async () => {
		let cursor = 0;
		hostile.on('GET /v1/organization/certificates', (_request, response) => {
			cursor += 1;
			const id = `cert_${cursor}`;
			json(response, 200, {
				object: 'list',
				data: [
					{
						object: 'organization.certificate',
						id,
						name: null,
						created_at: 1,
						certificate_details: { valid_at: 1, expires_at: 2 },
						active: false,
					},
				],
				has_more: true,
				first_id: id,
				last_id: id,
			});
		});
		const { error } = await run({ resource: 'certificate', operation: 'getAll', returnAll: true });
		expect(error?.message).toMatch(/read the maximum of 1000 pages/);
		expect(sentTo('GET', '/organization/certificates')).toHaveLength(1000);
	}, 120_000);

	it('the Timeout covers the body: a body dripped after the headers is cut off, not read to the end', async () => {
		const body = JSON.stringify({
			object: 'list',
			data: [],
			has_more: false,
			first_id: null,
			last_id: null,
		});
		let completed: boolean | undefined;
		hostile.on('GET /v1/organization/certificates', async (_request, response) => {
			response.on('close', () => (completed ??= response.writableFinished));
			await drip(response, body, 150);
		});
		const { error } = await run({ ...getMany, options: { maxRetries: 0, timeout: 1000 } });
		expect(error?.message).toMatch(/timed out/);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(completed).toBe(false);
		expect(sentTo('GET', '/organization/certificates')).toHaveLength(1);
	});

	it('a connection dropped mid-body is retried like one dropped before the answer', async () => {
		const certificate = fake.api.organization.addCertificate();
		const path = `/v1/organization/certificates/${certificate.id}`;
		hostile.on(
			`GET ${path}`,
			(_request, response) =>
				dropMidBody(response, JSON.stringify({ object: 'certificate', id: certificate.id })),
			1,
		);
		const { items, error } = await run({
			resource: 'certificate',
			operation: 'get',
			certificateId: certificateLocator(certificate.id),
			options: { retryDelay: 0 },
		});
		expect(error).toBeUndefined();
		expect(items[0].json.id).toBe(certificate.id);
		expect(
			hostile.log.filter((request) => request.path === path).map((request) => request.scripted),
		).toEqual([true, false]);
	});

	it.each([0, 1, 3])(
		'Max Retries %i is a cap: with 429s while other items succeed at Concurrency 4, one request is sent at most that + 1 times',
		async (maxRetries) => {
			const certificates = Array.from({ length: 8 }, () => fake.api.organization.addCertificate());
			const refused = certificates[0].id;
			hostile.on(`DELETE /v1/organization/certificates/${refused}`, (_request, response) =>
				json(response, 429, openAiError('Rate limit reached', 'rate_limit_exceeded', 'requests'), {
					'retry-after': '0',
				}),
			);
			const { items } = await run(
				{
					resource: 'certificate',
					operation: 'delete',
					certificateId: certificateLocator('={{ $json.id }}'),
					options: { maxRetries, concurrency: 4, retryDelay: 10 },
				},
				{ continueOnFail: true, items: certificates.map(({ id }) => ({ id })) },
			);
			expect(sentTo('DELETE', `/organization/certificates/${refused}`)).toHaveLength(
				maxRetries + 1,
			);
			expect(items[0].json.httpCode).toBe('429');
			expect(items.slice(1).map((item) => item.json.object)).toEqual(
				Array(7).fill('certificate.deleted'),
			);
		},
	);

	it.each([['-3600'], ['3600, 5'], ['1 2 3'], ['soon'], ['Tue, 29 Nov 2026']])(
		'ignores Retry-After %j and backs off as usual (a valid 3600 would be refused as too long)',
		async (value) => {
			const certificate = fake.api.organization.addCertificate();
			const path = `/v1/organization/certificates/${certificate.id}`;
			hostile.on(
				`GET ${path}`,
				(_request, response) =>
					json(response, 429, openAiError('Rate limit reached'), { 'retry-after': value }),
				1,
			);
			const { error } = await run({
				resource: 'certificate',
				operation: 'get',
				certificateId: certificateLocator(certificate.id),
				options: { retryDelay: 10 },
			});
			expect(error).toBeUndefined();
			expect(hostile.log.filter((request) => request.path === path)).toHaveLength(2);
		},
	);

	it('a valid Retry-After of 3600 is reported instead of waited for', async () => {
		const certificate = fake.api.organization.addCertificate();
		hostile.on(`GET /v1/organization/certificates/${certificate.id}`, (_request, response) =>
			json(response, 429, openAiError('Rate limit reached'), { 'retry-after': '3600' }),
		);
		const { error } = await run({
			resource: 'certificate',
			operation: 'get',
			certificateId: certificateLocator(certificate.id),
		});
		expect(error?.description).toMatch(/asked to wait 3600 seconds/);
	});
});
