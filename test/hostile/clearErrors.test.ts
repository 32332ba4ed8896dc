import { makeCertificate } from '../../sandbox/certificates';
import { makeServerIdentity } from '../../sandbox/mtlsHost';
import { apiError } from '../../nodes/OpenAiCertificates/helpers/apiErrors';
import { certificateLocator, useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import type { HostileServer } from '../support/hostileServer';
import { brokenGzip, json, openAiError, raw, startHostileServer } from '../support/hostileServer';

/**
 * Errors say what happened and how to fix it, and requests are repeated as OpenAI's official SDK repeats
 * them; through n8n-core against a hostile server in front of the sandbox. The "must be inactive" refusal
 * is recognised in its documented wording and by a code, TLS and decoding
 * failures say which, bad IDs are refused before any request, 408/409 and x-should-retry are honoured,
 * OpenAI's x-request-id reaches the error, and a full organization is refused before an upload.
 */
describe('Clear errors and fidelity to OpenAI', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	let hostile: HostileServer;
	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
	});
	afterEach(async () => {
		await hostile.close();
	});

	const run = (parameters: Record<string, unknown>, baseUrl = hostile.baseUrl()) =>
		fake.run({ credentials: { apiKey: fake.api.apiKey, baseUrl }, parameters });
	const sent = (method: string, path: string) =>
		hostile.log.filter((request) => request.method === method && request.path === `/v1${path}`);
	const get = (id: string, options: Record<string, unknown> = {}) => ({
		resource: 'certificate',
		operation: 'get',
		certificateId: certificateLocator(id),
		options: { retryDelay: 1, ...options },
	});
	const remove = (id: string, options: Record<string, unknown> = {}) => ({
		resource: 'certificate',
		operation: 'delete',
		certificateId: certificateLocator(id),
		options,
	});
	const HINT =
		/must be inactive for the organization and for every project before it can be deleted/;

	describe('deleting an active certificate is refused with the fix named, by wording or code', () => {
		it.each<[string, string, string | null]>([
			[
				'the API reference wording',
				'The certificate must be inactive for the organization and all projects',
				null,
			],
			['"must be deactivated"', 'Certificate cert_x must be deactivated before deletion.', null],
			['"is currently active"', 'Certificate cert_x is currently active in project proj_a.', null],
			['"still in use"', 'This certificate is still in use.', null],
			['"active certificates cannot be deleted"', 'Active certificates cannot be deleted', null],
			['only a code: certificate_active', 'Cannot delete this certificate.', 'certificate_active'],
			['only a code: certificate_in_use', 'Request refused.', 'certificate_in_use'],
			['only a code: still_active', 'Request refused.', 'still_active'],
			['only a code: must_be_inactive', 'Request refused.', 'certificate_must_be_inactive'],
		])('recognises %s and says how to fix it', async (_name, message, code) => {
			const certificate = fake.api.organization.addCertificate();
			hostile.on(`DELETE /v1/organization/certificates/${certificate.id}`, (_request, response) =>
				json(response, 400, openAiError(message, code)),
			);
			const { error } = await run(remove(certificate.id));
			expect(error?.message).toBe(message);
			expect(error?.description).toMatch(HINT);
			expect(error?.description).toMatch(/Deactivate Everywhere First/);
		});

		it.each<[string, string, string | null]>([
			['an inactive-sounding code', 'Request refused.', 'certificate_inactive'],
			['another 400', 'Invalid value for certificate_id.', 'invalid_value'],
			['"activate" in another sense', 'Deactivation of this certificate was refused.', null],
		])('does not claim the rule for %s', async (_name, message, code) => {
			const certificate = fake.api.organization.addCertificate();
			hostile.on(`DELETE /v1/organization/certificates/${certificate.id}`, (_request, response) =>
				json(response, 400, openAiError(message, code)),
			);
			const { error } = await run(remove(certificate.id));
			expect(error?.message).toBe(message);
			expect(error?.description).not.toMatch(HINT);
		});

		it("the sandbox's own refusal (certificate_in_use) says where it is active, and the option", async () => {
			const certificate = fake.api.organization.addCertificate({ activeInOrganization: true });
			const { error } = await run(remove(certificate.id));
			expect(error?.description).toMatch(
				new RegExp(
					`^${certificate.id} is still active in organization\\. Turn on Deactivate Everywhere First`,
				),
			);
			expect(fake.api.organization.certificates.has(certificate.id)).toBe(true);
		});
	});

	describe('TLS, decoding, size, not-found and bad-ID failures say which', () => {
		// The sandbox mTLS host's own self-signed identity (for 127.0.0.1 and localhost).
		const tls = makeServerIdentity();

		it('a self-signed host certificate is named as such, and no request (no key) gets through', async () => {
			const https = await startHostileServer({ upstream: fake.api.baseUrl, tls });
			try {
				const { error } = await run(get('cert_abc'), https.baseUrl());
				expect(error?.message).toMatch(/self-signed and not trusted; the key was not sent/);
				expect(error?.description).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
				expect(error?.message).not.toMatch(/UNKNOWN|connection failed/i);
				expect(https.log).toEqual([]);
			} finally {
				await https.close();
			}
		});

		// Node checks the chain before the name, and a test process cannot trust a new CA (NODE_EXTRA_CA_CERTS
		// is read at start), so the wrong-name failure is met here as n8n's HTTP helper reports it.
		it('a host certificate for another name is named as such', () => {
			const error = apiError(
				{ name: 'OpenAI' } as never,
				{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', attempts: 1 },
				fake.api.apiKey,
			);
			expect(error.message).toMatch(/does not name that host \(wrong host certificate\)/);
			expect(error.description).toMatch(/exact name \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
		});

		it('an answer whose gzip is broken says it could not be decoded', async () => {
			const certificate = fake.api.organization.addCertificate();
			hostile.on(`GET /v1/organization/certificates/${certificate.id}`, (_request, response) =>
				brokenGzip(response),
			);
			const { error } = await run(get(certificate.id, { maxRetries: 0 }));
			expect(error?.message).toMatch(
				/could not be decoded \(its gzip\/deflate compression is broken\)/,
			);
			expect(error?.description).toMatch(/Z_DATA_ERROR/);
		});

		it('an answer larger than 8 MB is refused unread, and says so', async () => {
			const certificate = fake.api.organization.addCertificate();
			hostile.on(`GET /v1/organization/certificates/${certificate.id}`, (_request, response) =>
				raw(response, 200, `{"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`),
			);
			const { error } = await run(get(certificate.id, { maxRetries: 0 }));
			expect(error?.message).toMatch(/larger than 8 MB and was not read/);
		});

		it('a 404 for a project says to check the project, not to ignore it', async () => {
			const { error } = await run({
				resource: 'projectCertificate',
				operation: 'getAll',
				projectId: certificateLocator('proj_missing'),
				returnAll: true,
			});
			expect(error?.description).toMatch(/Check the project: the project ID may be wrong/);
			expect(error?.description).not.toMatch(/Ignore Not Found/);
		});

		it('a 404 for a certificate suggests Ignore Not Found', async () => {
			const { error } = await run(remove('cert_missing'));
			expect(error?.description).toMatch(/Ignore Not Found/);
		});

		it.each([
			['a lone high surrogate', 'cert_\uD800abc', 'U\\+D800'],
			['a lone low surrogate', '\uDC00cert', 'U\\+DC00'],
		])('an ID with %s names the parameter and sends nothing', async (_name, id, shown) => {
			const { error } = await run(get(id));
			expect(error?.message).toMatch(/^The certificate ID ".*" of item 0 is not valid/);
			expect(error?.message).toMatch(
				new RegExp(`malformed Unicode \\(a lone surrogate ${shown}\\)`),
			);
			expect(error?.message).not.toMatch(/URI malformed/);
			// The refused value is shown without its broken character, which would garble logs and JSON.
			expect(error?.message).not.toMatch(/[\uD800-\uDFFF]/);
			expect(hostile.log).toEqual([]);
		});

		it("Delete's Dry Run says when the certificate does not exist, and deletes nothing", async () => {
			const dry = await run(remove('cert_missing', { dryRun: true }));
			expect(dry.items.map((item) => item.json)).toEqual([
				{
					dryRun: true,
					notFound: true,
					wouldFail: 'Certificate cert_missing does not exist; Delete would fail.',
				},
			]);
			const ignoring = await run(remove('cert_missing', { dryRun: true, ignoreNotFound: true }));
			expect(ignoring.items[0].json).toMatchObject({
				notFound: true,
				wouldReport: 'Certificate cert_missing does not exist: already deleted.',
			});
			expect(sent('DELETE', '/organization/certificates/cert_missing')).toEqual([]);
		});
	});

	describe('retries, request IDs and the 50-certificate limit as the official SDK has them', () => {
		it.each([408, 409])('repeats a read answered %i, and succeeds', async (status) => {
			const certificate = fake.api.organization.addCertificate();
			const path = `/organization/certificates/${certificate.id}`;
			hostile.on(
				`GET /v1${path}`,
				(_request, response) => json(response, status, openAiError('Busy')),
				1,
			);
			const { items, error } = await run(get(certificate.id));
			expect(error).toBeUndefined();
			expect(items[0].json.id).toBe(certificate.id);
			expect(sent('GET', path)).toHaveLength(2);
		});

		it('repeats an upload after a 408 (it did not arrive) but not after a 409 (it may have)', async () => {
			const ca = makeCertificate({ ca: true, commonName: 'Retry CA' });
			const upload = {
				resource: 'certificate',
				operation: 'upload',
				certificate: ca.pem,
				options: { retryDelay: 1 },
			};
			hostile.on(
				'POST /v1/organization/certificates',
				(_request, response) => json(response, 408, openAiError('Timeout')),
				1,
			);
			expect((await run(upload)).error).toBeUndefined();
			expect(sent('POST', '/organization/certificates')).toHaveLength(2);

			hostile.on(
				'POST /v1/organization/certificates',
				(_request, response) => json(response, 409, openAiError('Conflict')),
				1,
			);
			const { error } = await run(upload);
			expect(error?.message).toBe('Conflict');
			expect(sent('POST', '/organization/certificates')).toHaveLength(3);
		});

		it('x-should-retry: false stops a retry of a 503; true repeats a 400', async () => {
			const certificate = fake.api.organization.addCertificate();
			const path = `/organization/certificates/${certificate.id}`;
			hostile.on(
				`GET /v1${path}`,
				(_request, response) =>
					json(response, 503, openAiError('Down for good'), { 'x-should-retry': 'false' }),
				1,
			);
			expect((await run(get(certificate.id))).error?.message).toBe('Down for good');
			expect(sent('GET', path)).toHaveLength(1);

			hostile.on(
				`GET /v1${path}`,
				(_request, response) =>
					json(response, 400, openAiError('Try me again'), { 'x-should-retry': 'true' }),
				1,
			);
			expect((await run(get(certificate.id))).error).toBeUndefined();
			expect(sent('GET', path)).toHaveLength(3);
		});

		it.each<[string, number, string]>([
			[
				'a 400',
				400,
				'{"error":{"message":"Bad","type":"invalid_request_error","param":null,"code":null}}',
			],
			[
				'a 500 after its retries',
				500,
				'{"error":{"message":"Oops","type":"server_error","param":null,"code":null}}',
			],
			['a 200 that is not a certificate', 200, '<html>login</html>'],
		])("puts OpenAI's x-request-id into the error of %s", async (_name, status, body) => {
			const certificate = fake.api.organization.addCertificate();
			hostile.on(`GET /v1/organization/certificates/${certificate.id}`, (_request, response) =>
				raw(response, status, body, { 'x-request-id': 'req_7f3a9c' }),
			);
			const { error } = await run(get(certificate.id, { maxRetries: 1 }));
			expect(error?.description).toMatch(/OpenAI request ID \(for support\): req_7f3a9c\./);
		});

		it('Upload and Rotate refuse before sending when the organization holds 50, naming what could go', async () => {
			const now = Math.floor(Date.now() / 1000);
			const expired = fake.api.organization.addCertificate({
				name: 'Old',
				expires_at: now - 86_400,
			});
			const inactive = fake.api.organization.addCertificate({ name: 'Spare' });
			const old = fake.api.organization.addCertificate({
				name: 'Current',
				activeInOrganization: true,
			});
			for (let index = 3; index < 50; index++)
				fake.api.organization.addCertificate({ activeInOrganization: true });
			const ca = makeCertificate({ ca: true, commonName: 'Fifty-first CA' });
			for (const parameters of [
				{ resource: 'certificate', operation: 'upload', certificate: ca.pem },
				{
					resource: 'certificate',
					operation: 'rotate',
					certificateId: certificateLocator(old.id),
					certificate: ca.pem,
				},
			]) {
				const { error } = await run(parameters);
				expect(error?.message).toMatch(
					/already holds 50 certificates, the most OpenAI allows is 50; nothing was uploaded/,
				);
				expect(error?.description).toMatch(new RegExp(`Expired: ${expired.id} \\(Old\\)\\.`));
				expect(error?.description).toMatch(
					new RegExp(`Inactive in the organization: ${inactive.id} \\(Spare\\)\\.`),
				);
			}
			expect(sent('POST', '/organization/certificates')).toEqual([]);
			expect(hostile.log.filter((request) => request.method !== 'GET')).toEqual([]);
			expect(fake.api.organization.certificates.size).toBe(50);
		});
	});
});
