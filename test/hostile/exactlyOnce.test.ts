import type { ServerResponse } from 'node:http';

import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import { copiesOf } from '../support/canary';
import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import type { HostileServer, SeenRequest, UpstreamAnswer } from '../support/hostileServer';
import { dropMidBody, json, openAiError, raw, startHostileServer } from '../support/hostileServer';

/**
 * Every way an upload's answer can be lost or garbled — whether or not the sandbox stored the certificate
 * first — ends with exactly one copy in the organization, the item naming it (and saying when it was found
 * by fingerprint instead of read from the answer), and a report that claims no more than is known. Upload
 * and Rotate, through n8n-core, against a hostile server in front of the sandbox.
 */

type Lose = (response: ServerResponse, stored: UpstreamAnswer | undefined) => void;

/** How the answer is lost; each gets the sandbox's real answer when the sandbox stored the upload. */
const lossy: Array<[string, Lose]> = [
	[
		'the connection dropped after the answer began',
		(response, stored) => dropMidBody(response, stored?.body ?? '{"object":"certificate"}'),
	],
	['a timeout after the request was read', () => {}],
	['a 500', (response) => json(response, 500, openAiError('The server had an error'))],
	[
		"a gateway's 502 page",
		(response) => raw(response, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>'),
	],
	[
		'a 200 without an ID',
		(response) =>
			json(response, 200, {
				object: 'certificate',
				name: null,
				created_at: 1,
				certificate_details: {},
			}),
	],
	['an HTML 200', (response) => raw(response, 200, '<!doctype html><html>Signed in</html>')],
];

const UPLOAD = 'POST /v1/organization/certificates';
const LIST = 'GET /v1/organization/certificates';

describe('An upload whose answer is lost or garbled leaves exactly one certificate', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	let hostile: HostileServer;
	let ca: GeneratedCertificate;
	let old: GeneratedCertificate;
	beforeAll(() => {
		ca = makeCertificate({ ca: true, commonName: 'Exactly Once CA' });
		old = makeCertificate({ ca: true, commonName: 'Exactly Once Old CA' });
	});
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
	});
	afterEach(async () => {
		await hostile.close();
	});

	const credentials = () => ({ apiKey: fake.api.apiKey, baseUrl: hostile.baseUrl() });
	const options = { retryDelay: 0, timeout: 2000 };
	const upload = (extra: { continueOnFail?: boolean; options?: object } = {}) =>
		fake.run({
			credentials: credentials(),
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				certificate: ca.pem,
				options: { ...options, ...extra.options },
			},
			continueOnFail: extra.continueOnFail,
		});
	const posts = () =>
		hostile.log.filter((request) => `${request.method} ${request.path}` === UPLOAD).length;
	/** The next upload reaches the sandbox (stored) or not, and its answer is lost as `lose` says. */
	const loseNextUpload = (lose: Lose, stored: boolean) =>
		hostile.on(
			UPLOAD,
			async (request, response) => lose(response, stored ? await hostile.pass(request) : undefined),
			1,
		);
	/** Passes a request to the sandbox and sends its answer on, as an unscripted one would be. */
	const relay = async (request: SeenRequest, response: ServerResponse) => {
		const answer = await hostile.pass(request);
		response.writeHead(answer.status, answer.headers);
		response.end(answer.body);
	};

	describe.each(lossy)('Upload, %s', (_name, lose) => {
		it('stored by the sandbox: found by its fingerprint, not sent again, output once with reconciled', async () => {
			loseNextUpload(lose, true);
			const { items, error } = await upload();
			expect(error).toBeUndefined();
			const copies = copiesOf(fake.api, ca.pem);
			expect(copies).toHaveLength(1);
			expect(posts()).toBe(1);
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({
				object: 'certificate',
				id: copies[0],
				reconciled: true,
			});
			expect(items[0].pairedItem).toEqual({ item: 0 });
		});

		it('not stored: looked for, not found, sent again once, and that answer is the output', async () => {
			loseNextUpload(lose, false);
			const { items, error } = await upload();
			expect(error).toBeUndefined();
			const copies = copiesOf(fake.api, ca.pem);
			expect(copies).toHaveLength(1);
			expect(posts()).toBe(2);
			expect(items[0].json.id).toBe(copies[0]);
			expect(items[0].json.reconciled).toBeUndefined();
		});
	});

	it('Max Retries stays a cap: an upload answered 500 every time is sent Max Retries + 1 times, and the error says it is not there', async () => {
		hostile.on(UPLOAD, (_request, response) => json(response, 500, openAiError('Down')));
		const { error } = await upload({ options: { maxRetries: 2 } });
		expect(posts()).toBe(3);
		expect(copiesOf(fake.api, ca.pem)).toEqual([]);
		expect(error?.message).toBe('Down');
		expect(error?.description).toMatch(
			/It was tried 3 times\..*searched for what the request makes: it is not there, so the request did not take effect/,
		);
	});

	it('a certificate that was there before the upload is not taken for the one just sent', async () => {
		const earlier = fake.api.organization.addCertificate({ content: ca.pem });
		loseNextUpload(lossy[0][1], false);
		const { items, error } = await upload();
		expect(error).toBeUndefined();
		const copies = copiesOf(fake.api, ca.pem);
		expect(copies).toHaveLength(2);
		expect(items[0].json.id).not.toBe(earlier.id);
		expect(copies).toContain(items[0].json.id);
		expect(posts()).toBe(2);
	});

	it("a copy someone else uploaded while the execution went on, before this item's upload, is not taken for the one just sent", async () => {
		const second = makeCertificate({ ca: true, commonName: 'Exactly Once Second CA' });
		let theirs: string | undefined;
		let sent = 0;
		hostile.on(UPLOAD, async (request, response) => {
			sent++;
			if (sent === 2) return lossy[0][1](response, undefined); // the second item's: lost, not stored
			await relay(request, response);
			// After the first item's upload, someone else uploads the second item's CA.
			if (sent === 1) theirs = fake.api.organization.addCertificate({ content: second.pem }).id;
		});
		const { items, error } = await fake.run({
			credentials: credentials(),
			items: [{ pem: ca.pem }, { pem: second.pem }],
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				certificate: '={{ $json.pem }}',
				options,
			},
		});
		expect(error).toBeUndefined();
		// What was there just before the second upload includes their copy: the lost upload is sent again.
		const copies = copiesOf(fake.api, second.pem);
		expect(copies).toHaveLength(2);
		expect(items[1].json.id).not.toBe(theirs);
		expect(copies).toContain(items[1].json.id);
		expect(items[1].json.reconciled).toBeUndefined();
		expect(posts()).toBe(3);
	});

	it('when the lookup fails too, the error says the outcome is unknown and how to check, and that check finds it', async () => {
		loseNextUpload(lossy[0][1], true);
		// The organization's list answers until the upload was sent, then fails.
		hostile.on(LIST, async (request, response) => {
			if (posts() === 0) await relay(request, response);
			else json(response, 503, openAiError('Service unavailable'));
		});
		const { items } = await upload({ continueOnFail: true, options: { maxRetries: 0 } });
		const copies = copiesOf(fake.api, ca.pem);
		expect(copies).toHaveLength(1);
		expect(posts()).toBe(1);
		expect(items[0].json.error).toBe(
			'Whether the upload took effect is unknown: The connection to the OpenAI Admin API was closed unexpectedly, and looking for its result failed (Service unavailable)',
		);
		const fingerprint = (items[0].json.description as string).match(
			/fingerprint ([0-9A-F:]+)/,
		)?.[1];
		expect(items[0].json.description).toMatch(
			/^Check whether the certificate is in the organization before uploading it again: Get Many with the filter Matches Certificate/,
		);
		// The advice works: Get Many with that fingerprint finds the one copy.
		const found = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'getAll',
				returnAll: true,
				filters: { fingerprint256: fingerprint },
			},
		});
		expect(found.items.map((item) => item.json.id)).toEqual(copies);
	});

	describe('inside Rotate', () => {
		const rotate = (oldId: string, continueOnFail = false) =>
			fake.run({
				credentials: credentials(),
				parameters: {
					resource: 'certificate',
					operation: 'rotate',
					certificateId: certificateLocator(oldId),
					certificate: ca.pem,
					options: { ...options, deleteOld: true, maxRetries: 0 },
				},
				continueOnFail,
			});
		const seedOld = () =>
			fake.api.organization.addCertificate({
				content: old.pem,
				activeInOrganization: true,
				activeInProjects: ['proj_a'],
			}).id;

		it.each(lossy)(
			'%s after the sandbox stored it: the rotation goes on with the certificate found, uploaded once',
			async (_name, lose) => {
				const oldId = seedOld();
				loseNextUpload(lose, true);
				const { items, error } = await rotate(oldId);
				expect(error).toBeUndefined();
				const copies = copiesOf(fake.api, ca.pem);
				expect(copies).toHaveLength(1);
				expect(posts()).toBe(1);
				expect(items[0].json).toMatchObject({ newCertificateId: copies[0], deleted: true });
				expect((items[0].json.steps as object[])[0]).toEqual({
					step: 'upload',
					certificateId: copies[0],
					status: 'done',
					reconciled: true,
				});
				expect(fake.api.organization.whereActive(copies[0])).toEqual(['organization', 'proj_a']);
			},
		);

		it('stopped with the upload unknown (its answer lost, the lookup failing), then run again: found, never uploaded twice', async () => {
			const oldId = seedOld();
			loseNextUpload(lossy[0][1], true);
			hostile.on(
				LIST,
				async (request, response) => {
					if (posts() === 0) await relay(request, response);
					else json(response, 503, openAiError('Service unavailable'));
				},
				// Rotate's own reads before the upload, then the failing lookup.
				Number.POSITIVE_INFINITY,
			);
			const first = await rotate(oldId, true);
			const json1 = first.items[0].json as Record<string, any>;
			expect(json1.error).toMatch(/^Whether the upload took effect is unknown/);
			expect(json1.description).toMatch(
				/^Rotation of cert_\w+ stopped at step 1 of 6 \(upload\)\. Whether the new certificate was uploaded is unknown .*; nothing else was changed\. Running the same Rotate again looks for the new certificate by its SHA-256 fingerprint/,
			);
			expect(json1.description).not.toMatch(/Nothing was changed/);
			expect(json1.report.failed).toEqual({
				step: 'upload',
				certificateId: null,
				status: 'unknown',
			});
			expect(json1.report.notDone.map((entry: { status: string }) => entry.status)).toEqual(
				Array(5).fill('not done'),
			);
			expect(copiesOf(fake.api, ca.pem)).toHaveLength(1);
			expect(fake.api.organization.whereActive(oldId)).toEqual(['organization', 'proj_a']);

			// The network is well again; the same Rotate finds what the first run uploaded.
			await hostile.close();
			hostile = await startHostileServer({ upstream: fake.api.baseUrl });
			const second = await rotate(oldId);
			expect(second.error).toBeUndefined();
			const copies = copiesOf(fake.api, ca.pem);
			expect(copies).toHaveLength(1);
			expect(posts()).toBe(0);
			expect((second.items[0].json.steps as Array<{ status: string }>)[0]).toMatchObject({
				step: 'upload',
				certificateId: copies[0],
				status: 'found done',
			});
			expect(fake.api.organization.whereActive(copies[0])).toEqual(['organization', 'proj_a']);
			expect(fake.api.organization.certificates.has(oldId)).toBe(false);
		});

		it('an upload refused with a 400 is reported as not done: nothing was changed', async () => {
			const oldId = seedOld();
			hostile.on(UPLOAD, (_request, response) =>
				json(response, 400, openAiError('Invalid certificate')),
			);
			const { items } = await rotate(oldId, true);
			const report = items[0].json.report as Record<string, any>;
			expect(items[0].json.description).toMatch(
				/Nothing was changed: the new certificate was not uploaded\. Running the same Rotate again starts with the upload\./,
			);
			expect(report.failed.status).toBe('not done');
			expect(copiesOf(fake.api, ca.pem)).toEqual([]);
		});
	});
});
