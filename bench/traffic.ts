/**
 * Case 8 of `npm run bench` (issue 11): what a rotation does to traffic. The old CA is active for the
 * organization and two of five projects, another team's CA for the organization throughout; clients of the
 * old CA, of the new CA and one without a client certificate call the sandbox's mTLS host in every project
 * at every state (before each Admin API write and after the last, test/support/trafficProbe.ts). Rotate
 * (canary verified through the mTLS host, Delete Old) through n8n-core, against the naive order done by hand
 * (deactivate the old CA everywhere, then activate the new one). BENCH_ONLY=traffic runs only this case.
 */
import { makeCertificate } from '../sandbox/certificates';
import { startFakeAdminApi } from '../sandbox/server';
import type { TrafficSummary } from '../test/support/trafficProbe';
import { naiveRotation, watchTraffic } from '../test/support/trafficProbe';
import { runNode } from '../test/harness/runWorkflow';

type Row = (...cells: Array<string | number>) => void;

const PROJECTS = ['proj_canary', 'proj_a', 'proj_b', 'proj_c', 'proj_d'];

async function measure(
	variant: 'rotate' | 'naive',
	otherTeam: boolean,
	certificates: ReturnType<typeof makeFixture>,
): Promise<TrafficSummary & { ms: number }> {
	const api = await startFakeAdminApi();
	try {
		for (const id of PROJECTS) api.organization.addProject({ id });
		const { oldCa, newCa, otherTeamCa, oldClient, newClient } = certificates;
		if (otherTeam)
			api.organization.addCertificate({
				name: 'Batch jobs CA',
				content: otherTeamCa.pem,
				activeInOrganization: true,
			});
		const old = api.organization.addCertificate({
			name: 'Client CA 2026',
			content: oldCa.pem,
			activeInOrganization: true,
			activeInProjects: ['proj_a', 'proj_c'],
		});
		const traffic = watchTraffic(api, PROJECTS, {
			old: { certificatePem: oldClient.pem, keyPem: oldClient.keyPem },
			new: { certificatePem: newClient.pem, keyPem: newClient.keyPem },
		});
		const started = performance.now();
		if (variant === 'naive') await naiveRotation(api, old.id, newCa.pem);
		else await rotate(api, old.id, certificates);
		const ms = performance.now() - started;
		return { ...(await traffic.finish()), ms };
	} finally {
		await api.close();
	}
}

async function rotate(
	api: Awaited<ReturnType<typeof startFakeAdminApi>>,
	oldId: string,
	{ newCa, newClient }: ReturnType<typeof makeFixture>,
) {
	const { error } = await runNode({
		credentials: { apiKey: api.apiKey, baseUrl: api.baseUrl },
		mtlsClient: {
			clientCertificate: newClient.pem,
			privateKey: newClient.keyPem,
			passphrase: '',
			apiKey: api.mtls.projectKey('proj_canary'),
			serverCa: api.mtls.serverCertificatePem,
			host: 'custom',
			baseUrl: api.mtls.baseUrl,
		},
		parameters: {
			resource: 'certificate',
			operation: 'rotate',
			certificateId: { __rl: true, mode: 'id', value: oldId },
			certificate: newCa.pem,
			name: 'Client CA 2027',
			canaryProject: { __rl: true, mode: 'id', value: 'proj_canary' },
			options: { deleteOld: true },
		},
	});
	if (error) throw error;
}

function makeFixture() {
	const oldCa = makeCertificate({ ca: true, commonName: 'Client CA 2026' });
	const newCa = makeCertificate({ ca: true, commonName: 'Client CA 2027' });
	return {
		oldCa,
		newCa,
		otherTeamCa: makeCertificate({ ca: true, commonName: 'Batch jobs CA' }),
		oldClient: makeCertificate({ commonName: 'workload-2026', issuer: oldCa }),
		newClient: makeCertificate({ commonName: 'workload-2027', issuer: newCa }),
	};
}

export async function benchRotationTraffic(row: Row): Promise<void> {
	const fixture = makeFixture();
	const runs = [
		['rotate', true],
		['naive', true],
		['rotate', false],
		['naive', false],
	] as const;
	for (const [variant, otherTeam] of runs) {
		const result = await measure(variant, otherTeam, fixture);
		const how =
			variant === 'rotate'
				? 'Rotate (canary verified, Delete Old)'
				: 'naive order by hand (deactivate the old CA everywhere, then activate the new one)';
		const where = `old CA for the organization + 2 of ${PROJECTS.length} projects`;
		const setting = otherTeam
			? `${where}, another team's CA for the organization`
			: `${where}, no other CA`;
		row(
			`8. Traffic during ${how}; ${setting}`,
			`${result.probes} probes: ${result.moments} states × ${PROJECTS.length} projects × 3 clients (old CA, new CA, none), ${(result.ms / 1000).toFixed(2)} s`,
			`scope-moments with neither client accepted: ${result.neither.length} of ${result.scopeMoments}`,
			`without enforcement: ${result.unenforced.length}`,
			variant === 'rotate' ? 'target 0 and 0' : 'target > 0 (the probe can fail)',
		);
	}
}
