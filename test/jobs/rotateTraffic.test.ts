import { makeCertificate } from '../../sandbox/certificates';
import type { FakeAdminApi } from '../../sandbox/server';
import {
	CANARY,
	canaryOption,
	makeCanaryFixture,
	mtlsClientCredential,
	rotateParameters,
	seedCanary,
	writes,
} from '../support/canary';
import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import { lastMoment, naiveRotation, watchTraffic } from '../support/trafficProbe';

/**
 * What Rotate does to traffic, probed at every state: clients of the old and of the new CA (and one
 * without a client certificate) call the sandbox's mTLS host in every project before each Admin API write
 * and after the last, while Rotate runs through n8n-core. proj_b has no certificate of its own: its
 * requests show the organization's scope; proj_a has the old CA for itself too; the canary gets the new one
 * first.
 */
describe('Certificate › Rotate: what it does to traffic, probed at every state', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
	const fixture = makeCanaryFixture();
	// Another team's CA, active for the organization throughout: mTLS stays enforced whatever Rotate does.
	const otherTeamCa = makeCertificate({ ca: true, commonName: 'Batch jobs CA' });
	const projects = [CANARY, 'proj_a', 'proj_b'];
	const clients = {
		old: { certificatePem: fixture.oldClient.pem, keyPem: fixture.oldClient.keyPem },
		new: { certificatePem: fixture.newClient.pem, keyPem: fixture.newClient.keyPem },
	};

	const seed = (api: FakeAdminApi, withOtherTeam: boolean) => {
		const oldId = seedCanary(api, fixture);
		if (withOtherTeam)
			api.organization.addCertificate({
				name: 'Batch jobs CA',
				content: otherTeamCa.pem,
				activeInOrganization: true,
			});
		return oldId;
	};
	const accepted = (rows: ReturnType<typeof lastMoment>, client: 'old' | 'new') =>
		Object.fromEntries(projects.map((projectId) => [projectId, rows[projectId][client]]));
	const everywhere = (value: boolean) =>
		Object.fromEntries(projects.map((projectId) => [projectId, value]));

	it('Rotate with a canary, verified, Delete Old: in every scope at every state the old or the new client gets through, and mTLS stays enforced', async () => {
		const oldId = seed(fake.api, true);
		const traffic = watchTraffic(fake.api, projects, clients);
		const { error } = await fake.run({
			parameters: rotateParameters(oldId, fixture.newCa, { ...canaryOption, deleteOld: true }),
			mtlsClient: mtlsClientCredential(fake.api, fixture.newClient),
		});
		const summary = await traffic.finish();
		expect(error).toBeUndefined();
		const written = writes(fake.api.log);
		expect(written).toHaveLength(7);
		// Every state: before the first write, after each write.
		expect(summary.moments).toBe(written.length + 1);
		expect(summary.probes).toBe(summary.moments * projects.length * 3);
		expect(summary.neither).toEqual([]);
		expect(summary.unenforced).toEqual([]);
		// The probe tells the clients apart: at first only the old CA's client gets in, at the end only the new one's.
		const first = lastMoment(traffic.observed.slice(0, projects.length));
		expect(accepted(first, 'old')).toEqual(everywhere(true));
		expect(accepted(first, 'new')).toEqual(everywhere(false));
		const end = lastMoment(traffic.observed);
		expect(accepted(end, 'new')).toEqual(everywhere(true));
		expect(accepted(end, 'old')).toEqual(everywhere(false));
		// The canary took the new client first: accepted there before any other project.
		const firstNew = traffic.observed.find((row) => row.new);
		expect(firstNew).toMatchObject({
			projectId: CANARY,
			moment: `after POST /projects/${CANARY}/certificates/activate`,
		});
	});

	it('Rotate without a canary, where only the old CA enforces mTLS: never a scope-moment with neither client, never one without enforcement', async () => {
		const oldId = seed(fake.api, false);
		const traffic = watchTraffic(fake.api, projects, clients);
		const { error } = await fake.run({ parameters: rotateParameters(oldId, fixture.newCa, {}) });
		const summary = await traffic.finish();
		expect(error).toBeUndefined();
		expect(summary.moments).toBe(writes(fake.api.log).length + 1);
		expect(summary.neither).toEqual([]);
		expect(summary.unenforced).toEqual([]);
		const end = lastMoment(traffic.observed);
		expect(accepted(end, 'new')).toEqual(everywhere(true));
		expect(accepted(end, 'old')).toEqual(everywhere(false));
	});

	it('the probe catches a naive order (deactivate the old CA first, then activate the new one): moments with neither client accepted', async () => {
		const oldId = seed(fake.api, true);
		const traffic = watchTraffic(fake.api, projects, clients);
		await naiveRotation(fake.api, oldId, fixture.newCa.pem);
		const summary = await traffic.finish();
		expect(summary.neither.map((row) => `${row.moment}: ${row.projectId}`)).toEqual([
			`after POST /certificates/deactivate: ${CANARY}`,
			'after POST /certificates/deactivate: proj_b',
			`after POST /projects/proj_a/certificates/deactivate: ${CANARY}`,
			'after POST /projects/proj_a/certificates/deactivate: proj_a',
			'after POST /projects/proj_a/certificates/deactivate: proj_b',
		]);
		// It ends where Rotate ends: only the outage on the way differs.
		const end = lastMoment(traffic.observed);
		expect(accepted(end, 'new')).toEqual(everywhere(true));
		expect(accepted(end, 'old')).toEqual(everywhere(false));
	});

	it('the probe catches a naive order where only the old CA enforces mTLS: moments where requests need no client certificate at all', async () => {
		const oldId = seed(fake.api, false);
		const traffic = watchTraffic(fake.api, projects, clients);
		await naiveRotation(fake.api, oldId, fixture.newCa.pem);
		const summary = await traffic.finish();
		expect(summary.neither).toEqual([]);
		expect(summary.unenforced.map((row) => `${row.moment}: ${row.projectId}`)).toEqual([
			`after POST /certificates/deactivate: ${CANARY}`,
			'after POST /certificates/deactivate: proj_b',
			`after POST /projects/proj_a/certificates/deactivate: ${CANARY}`,
			'after POST /projects/proj_a/certificates/deactivate: proj_a',
			'after POST /projects/proj_a/certificates/deactivate: proj_b',
		]);
	});
});
