import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';

import { makeCertificate } from './certificates';
import type { FakeAdminApi } from './server';

/**
 * For `npm start`: files to try the sandbox's mTLS API host with curl (its server certificate, a client CA
 * and a client certificate issued by it, with its key), kept in `folder` across starts so a client CA
 * uploaded and activated in an earlier session still matches; and the lines that explain how.
 */
export function prepareMtlsTryout(api: FakeAdminApi, folder: string): string[] {
	mkdirSync(folder, { recursive: true });
	const file = (name: string) => join(folder, name);
	const stillValid = () => {
		try {
			return (
				Date.parse(new X509Certificate(readFileSync(file('client.pem'))).validTo) >
				Date.now() + 86_400_000
			);
		} catch {
			return false;
		}
	};
	if (!existsSync(file('client.key')) || !stillValid()) {
		const clientCa = makeCertificate({
			ca: true,
			commonName: 'Sandbox curl client CA',
			freshKey: true,
		});
		const client = makeCertificate({
			commonName: 'sandbox-curl-client',
			issuer: clientCa,
			freshKey: true,
		});
		writeFileSync(file('client-ca.pem'), clientCa.pem);
		writeFileSync(file('client.pem'), client.pem);
		writeFileSync(file('client.key'), client.keyPem, { mode: 0o600 });
	}
	writeFileSync(file('server.pem'), api.mtls.serverCertificatePem);
	const projects = api.organization.projectList(false);
	const example = projects[0]?.id ?? 'proj_example';
	return [
		`mTLS API host (what activation does to traffic): ${api.mtls.baseUrl}/models, one key per project:`,
		...projects.map((project) => `    ${project.name}: ${api.mtls.projectKey(project.id)}`),
		`  Try it (401 certificate_required / certificate_verification_failed while a certificate is active for the project or`,
		`  the organization and this client's CA is not among them; 200 otherwise):`,
		`    curl --cacert ${file('server.pem')} --cert ${file('client.pem')} --key ${file('client.key')} \\`,
		`      -H "Authorization: Bearer ${api.mtls.projectKey(example)}" ${api.mtls.baseUrl}/models`,
		`  Upload ${file('client-ca.pem')} (Certificate > Upload), activate it for that project, and the same call gets through.`,
	];
}
