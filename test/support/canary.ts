import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { GeneratedCertificate } from '../../sandbox/certificates';
import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi, LoggedRequest } from '../../sandbox/server';
import { certificateLocator } from './fakeApi';

/**
 * A rotation with a canary, as OpenAI's mTLS guide describes it: the old CA is active for the
 * organization and one project; the new CA is rotated in, first in proj_canary (a non-critical project
 * where the old one is in force through the organization). Clients hold certificates of either CA.
 */

export const CANARY = 'proj_canary';

export interface CanaryFixture {
	oldCa: GeneratedCertificate;
	newCa: GeneratedCertificate;
	/** A client certificate issued by the new CA, and one that expired (Rotate refuses it before any request). */
	newClient: GeneratedCertificate;
	expiredNewClient: GeneratedCertificate;
	oldClient: GeneratedCertificate;
}

export function makeCanaryFixture(): CanaryFixture {
	const oldCa = makeCertificate({ ca: true, commonName: 'Client CA 2026' });
	const newCa = makeCertificate({ ca: true, commonName: 'Client CA 2027' });
	return {
		oldCa,
		newCa,
		newClient: makeCertificate({ commonName: 'workload-2027', issuer: newCa }),
		expiredNewClient: makeCertificate({
			commonName: 'workload-expired',
			issuer: newCa,
			notBeforeOffset: -7200,
			notAfterOffset: -3600,
		}),
		oldClient: makeCertificate({ commonName: 'workload-2026', issuer: oldCa }),
	};
}

/** Projects proj_canary, proj_a, proj_b; the old CA active for the organization and proj_a. Returns its ID. */
export function seedCanary(api: FakeAdminApi, fixture: CanaryFixture): string {
	for (const id of [CANARY, 'proj_a', 'proj_b']) api.organization.addProject({ id });
	return api.organization.addCertificate({
		name: 'Client CA 2026',
		content: fixture.oldCa.pem,
		activeInOrganization: true,
		activeInProjects: ['proj_a'],
	}).id;
}

/** An OpenAI mTLS Client API credential for the sandbox's mTLS host, with a key of `projectId`. */
export function mtlsClientCredential(
	api: FakeAdminApi,
	client: GeneratedCertificate,
	projectId = CANARY,
): ICredentialDataDecryptedObject {
	return {
		clientCertificate: client.pem,
		privateKey: client.keyPem,
		passphrase: '',
		apiKey: api.mtls.projectKey(projectId),
		serverCa: api.mtls.serverCertificatePem,
		host: 'custom',
		baseUrl: api.mtls.baseUrl,
	};
}

export function rotateParameters(
	oldId: string,
	newCa: GeneratedCertificate,
	options: Record<string, unknown>,
) {
	// Canary Project and Pause After Canary are fields of their own; everything else is an option.
	const { canaryProject, pauseAfterCanary, ...rest } = options;
	return {
		resource: 'certificate',
		operation: 'rotate',
		certificateId: certificateLocator(oldId),
		certificate: newCa.pem,
		name: 'Client CA 2027',
		...(canaryProject === undefined ? {} : { canaryProject }),
		...(pauseAfterCanary === undefined ? {} : { pauseAfterCanary }),
		options: rest,
	};
}

export const canaryOption = { canaryProject: { __rl: true, mode: 'id', value: CANARY } };

/** The writes the fake received, as `METHOD /path` below /v1/organization. */
export const writes = (log: LoggedRequest[]) =>
	log
		.filter((request) => request.method !== 'GET')
		.map((request) => `${request.method} ${request.path.replace('/v1/organization', '')}`);

/** The certificates holding this PEM (an upload repeated by mistake shows as two). */
export const copiesOf = (api: FakeAdminApi, pem: string) =>
	[...api.organization.certificates.values()]
		.filter((certificate) => certificate.content === pem)
		.map((certificate) => certificate.id);
