import { makeCertificate } from './certificates';
import type { Organization } from './organization';
import type { FakeAdminApi } from './server';

const DAY = 86_400;

/**
 * A realistic organization for the sandbox: a few projects (one archived) and certificates that are
 * active, inactive, expiring soon and expired, active in the organization and in projects.
 * Certificates are real CAs made with openssl, so Get with details and Rotate behave as with OpenAI.
 * Each example has something to act on: scheduled rotation renews the two certificates active somewhere
 * and expiring within 30 days (one active only in a project; Production's canary is Internal tools), the
 * expiry alert fires for those and the two expired ones, and cleanup deletes the expired ones (inactive,
 * so rotation leaves them alone).
 *
 * The organization enforces mTLS for the whole organization, as the organizations this package is for do:
 * "Admin access CA" is active for it, so (as OpenAI's help centre says) every Admin API request must present
 * a client certificate that chains to an active certificate. The sandbox credentials present the one it
 * returns, issued by that CA, which no example rotates.
 */
export function seedSandbox(organization: Organization): SandboxAdminClient {
	organization.addProject({ id: 'proj_payments', name: 'Payments' });
	organization.addProject({ id: 'proj_search', name: 'Search' });
	organization.addProject({ id: 'proj_internal', name: 'Internal tools' });
	organization.addProject({ id: 'proj_legacy', name: 'Legacy (archived)', archived: true });

	const certificate = (name: string, notBefore: number, notAfter: number) =>
		makeCertificate({
			ca: true,
			commonName: name,
			notBeforeOffset: notBefore * DAY,
			notAfterOffset: notAfter * DAY,
		}).pem;

	organization.addCertificate({
		name: 'Production client CA 2026',
		content: certificate('Production client CA 2026', -330, 21),
		activeInOrganization: true,
		activeInProjects: ['proj_payments', 'proj_search'],
	});
	organization.addCertificate({
		name: 'Payments partner CA',
		content: certificate('Payments partner CA', -360, 12),
		activeInProjects: ['proj_payments'],
	});
	organization.addCertificate({
		name: 'Staging CA',
		content: certificate('Staging CA', -30, 700),
		activeInProjects: ['proj_internal'],
	});
	organization.addCertificate({
		name: 'Spare CA (inactive)',
		content: certificate('Spare CA', -10, 365),
	});
	// Expired certificates must be made with past dates; the fake stores whatever validity the PEM has.
	organization.addCertificate({
		name: 'Old client CA 2024 (expired)',
		content: certificate('Old client CA 2024', -800, -40),
	});
	organization.addCertificate({
		name: 'Forgotten test CA (expired)',
		content: certificate('Forgotten test CA', -400, -2),
	});
	return seedAdminAccess(organization);
}

/**
 * Makes the organization enforce mTLS for the whole organization: "Admin access CA" active for it, and a
 * client certificate it issued for the node's own Admin API requests.
 */
export function seedAdminAccess(organization: Organization): SandboxAdminClient {
	const adminCa = makeCertificate({
		ca: true,
		commonName: 'Admin access CA',
		notBeforeOffset: -30 * DAY,
		notAfterOffset: 700 * DAY,
	});
	organization.addCertificate({
		name: 'Admin access CA',
		content: adminCa.pem,
		activeInOrganization: true,
	});
	const client = makeCertificate({
		commonName: 'n8n admin client',
		issuer: adminCa,
		freshKey: true,
		notAfterOffset: 365 * DAY,
	});
	return { certificate: client.pem, privateKey: client.keyPem };
}

/** The client certificate (and its key) the sandbox credentials present on Admin API requests. */
export interface SandboxAdminClient {
	certificate: string;
	privateKey: string;
}

/**
 * The sandbox's OpenAI mTLS Client API credential: the admin client certificate (its CA is active for the whole
 * organization, so every project accepts it) and a key of the Payments project.
 */
export function sandboxMtlsCredentialData(
	api: Pick<FakeAdminApi, 'mtls'>,
	admin: SandboxAdminClient,
	projectId = 'proj_payments',
) {
	return {
		clientCertificate: admin.certificate,
		privateKey: admin.privateKey,
		apiKey: api.mtls.projectKey(projectId),
		host: 'custom',
		baseUrl: api.mtls.baseUrl,
		serverCa: api.mtls.serverCertificatePem,
	};
}

/** An OpenAI Admin API credential for the sandbox: the key on its mTLS host, presenting the admin client. */
export function sandboxCredentialData(
	api: Pick<FakeAdminApi, 'apiKey' | 'mtls'>,
	admin: SandboxAdminClient,
	apiKey = api.apiKey,
) {
	return {
		apiKey,
		host: 'custom',
		baseUrl: api.mtls.baseUrl,
		serverCa: api.mtls.serverCertificatePem,
		clientCertificate: admin.certificate,
		privateKey: admin.privateKey,
	};
}
