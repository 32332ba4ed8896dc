import { makeCertificate } from '../../sandbox/certificates';
import { certificateLocator, useFakeAdminApi } from '../support/fakeApi';

describe('Certificate › Upload', () => {
	const fake = useFakeAdminApi();
	const ca = makeCertificate({ ca: true, commonName: 'Upload Test CA' });

	// Each upload first lists the organization's certificates (the 50-certificate check): only the POSTs count here.
	const uploads = () =>
		fake.api.log.filter(
			(request) => request.method === 'POST' && request.path === '/v1/organization/certificates',
		);
	const onUpload = { match: (request: { method: string }) => request.method === 'POST' };

	it('uploads PEM text with a name, byte for byte, and outputs the new certificate', async () => {
		const { items, error } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				inputType: 'text',
				certificate: ca.pem,
				name: 'Prod CA',
			},
		});
		expect(error).toBeUndefined();
		expect(uploads()).toHaveLength(1);
		expect(uploads()[0]).toMatchObject({
			method: 'POST',
			path: '/v1/organization/certificates',
			body: { certificate: ca.pem, name: 'Prod CA' },
		});
		expect(items[0].json).toMatchObject({ object: 'certificate', name: 'Prod CA' });
		expect(fake.api.organization.certificates.get(items[0].json.id as string)?.content).toBe(
			ca.pem,
		);
	});

	it('sends no name when none is given', async () => {
		await fake.run({
			parameters: { resource: 'certificate', operation: 'upload', certificate: ca.pem },
		});
		expect(uploads()[0].body).toEqual({ certificate: ca.pem });
	});

	it('uploads a PEM file from a binary property set by an earlier node', async () => {
		const { items, error } = await fake.run({
			items: [{ file: 'a' }, { file: 'b' }].map((json) => ({
				...json,
				$binary: { pemFile: { text: ca.pem, fileName: `${json.file}.pem` } },
			})),
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				inputType: 'binary',
				binaryPropertyName: 'pemFile',
				name: '={{ $json.file }}',
			},
		});
		expect(error).toBeUndefined();
		expect(uploads().map((request) => request.body)).toEqual([
			{ certificate: ca.pem, name: 'a' },
			{ certificate: ca.pem, name: 'b' },
		]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it.each([
		[
			'no binary property of that name',
			{ inputType: 'binary', binaryPropertyName: 'missing' },
			[{ $binary: { data: { text: 'x' } } }],
			/Item 0 has no binary property "missing"/,
			/Its binary properties are: data/,
		],
		[
			'a binary file that is not PEM',
			{ inputType: 'binary' },
			[{ $binary: { data: { text: 'hello' } } }],
			/The binary property "data" of item 0 is not a PEM certificate/,
			/BEGIN CERTIFICATE/,
		],
		[
			'text that is not PEM',
			{ certificate: 'MIIB...' },
			[{}],
			/The Certificate field of item 0 is not a PEM certificate/,
			/BEGIN CERTIFICATE/,
		],
		[
			'a private key',
			{ certificate: `${ca.pem}\n${ca.keyPem}` },
			[{}],
			/contains a private key \(BEGIN PRIVATE KEY\); nothing was sent/,
			/must never be uploaded/,
		],
		[
			'more than 16 KB',
			{ certificate: `${ca.pem}${'#'.repeat(17 * 1024)}` },
			[{}],
			/was not sent: it is \d+ bytes, more than OpenAI's limit of 16 KB/,
			/issues your client certificates, not a client \(leaf\)/,
		],
	])('refuses %s before sending anything', async (_name, parameters, items, message, fix) => {
		const { error } = await fake.run({
			items,
			parameters: { resource: 'certificate', operation: 'upload', ...parameters },
		});
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(fix);
		expect(fake.api.log).toHaveLength(0);
	});

	it('repeats an upload after a rate limit, and after a 502 only once a lookup by fingerprint found it absent', async () => {
		fake.api.faults.push({ kind: '429', retryAfterSeconds: 0, ...onUpload });
		const retried = await fake.run({
			parameters: { resource: 'certificate', operation: 'upload', certificate: ca.pem },
		});
		expect(retried.error).toBeUndefined();
		expect(uploads()).toHaveLength(2);

		fake.api.faults.push({ kind: '502', ...onUpload });
		const before = fake.api.log.length;
		const lookedUp = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'upload',
				certificate: ca.pem,
				options: { retryDelay: 0 },
			},
		});
		expect(lookedUp.error).toBeUndefined();
		expect(uploads()).toHaveLength(4);
		// The 502, then the lookup: the list (the copy uploaded before does not count, so no content is
		// fetched), then the repeat.
		expect(
			fake.api.log.slice(before).map((request) => `${request.method} ${request.path}`),
		).toEqual([
			'GET /v1/organization/certificates',
			'POST /v1/organization/certificates',
			'GET /v1/organization/certificates',
			'POST /v1/organization/certificates',
		]);
		expect(lookedUp.items[0].json.id).not.toBe(retried.items[0].json.id);
	});

	it('continues on fail: an invalid certificate item becomes an error item, the next is uploaded', async () => {
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ pem: 'nope' }, { pem: ca.pem }],
			parameters: { resource: 'certificate', operation: 'upload', certificate: '={{ $json.pem }}' },
		});
		expect(items[0]).toMatchObject({
			json: { error: expect.stringMatching(/not a PEM certificate/) },
			pairedItem: { item: 0 },
		});
		expect(items[1]).toMatchObject({ json: { object: 'certificate' }, pairedItem: { item: 1 } });
		expect(uploads()).toHaveLength(1);
	});
});

describe('Certificate › Rename', () => {
	const fake = useFakeAdminApi();

	it('sends only the new name and outputs the renamed certificate', async () => {
		const certificate = fake.api.organization.addCertificate({ name: 'old' });
		const { items } = await fake.run({
			parameters: {
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(certificate.id),
				name: '  new name ',
			},
		});
		expect(fake.api.log[0]).toMatchObject({
			method: 'POST',
			path: `/v1/organization/certificates/${certificate.id}`,
			body: { name: 'new name' },
		});
		expect(items[0].json).toMatchObject({ id: certificate.id, name: 'new name' });
	});

	it('refuses an empty name, and continues on fail', async () => {
		const certificate = fake.api.organization.addCertificate({ name: 'old' });
		const { items } = await fake.run({
			continueOnFail: true,
			items: [{ name: '' }, { name: 'ok' }],
			parameters: {
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(certificate.id),
				name: '={{ $json.name }}',
			},
		});
		expect(items[0].json.error).toMatch(/new name of item 0 is empty/);
		expect(items[1].json.name).toBe('ok');
		expect(fake.api.log).toHaveLength(1);
	});
});
