import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandboxPki } from '../../sandbox/pki';

describe('sandbox PKI', () => {
	const folder = mkdtempSync(join(tmpdir(), 'pki-test-'));
	afterAll(() => rmSync(folder, { recursive: true, force: true }));

	it('serves one renewed CA per certificate name, the same one on every download and after a restart with its file', async () => {
		const file = join(folder, 'pki.json');
		const first = await startSandboxPki({ file });
		const get = async (baseUrl: string, path: string) => {
			const response = await fetch(`${baseUrl}${path}`);
			return {
				status: response.status,
				text: await response.text(),
				disposition: response.headers.get('content-disposition'),
			};
		};
		const payments = await get(
			first.baseUrl,
			`/ca/${encodeURIComponent('Payments partner CA')}.pem`,
		);
		expect(payments.status).toBe(200);
		const certificate = new X509Certificate(payments.text);
		expect(certificate.ca).toBe(true);
		expect(certificate.subject).toContain('CN=Payments partner CA (renewed)');
		expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 700 * 86_400_000);
		expect(payments.disposition).toContain(`filename*=UTF-8''Payments%20partner%20CA.pem`);
		expect((await get(first.baseUrl, '/ca/Payments%20partner%20CA.pem')).text).toBe(payments.text);
		const other = await get(first.baseUrl, '/ca/Other%2FCA.pem');
		expect(other.status).toBe(200);
		expect(other.text).not.toBe(payments.text);
		expect((await get(first.baseUrl, '/elsewhere')).status).toBe(404);
		expect(first.downloads).toEqual(['Payments partner CA', 'Payments partner CA', 'Other/CA']);
		await first.close();

		const restarted = await startSandboxPki({ file });
		expect((await get(restarted.baseUrl, '/ca/Payments%20partner%20CA.pem')).text).toBe(
			payments.text,
		);
		await restarted.close();
	});
});
