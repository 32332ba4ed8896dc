import type { LoggedRequest } from '../../sandbox/server';
import { useFakeAdminApi, WITHOUT_ADMIN_MTLS } from '../support/fakeApi';
import {
	CANARY,
	canaryOption,
	copiesOf,
	makeCanaryFixture,
	mtlsClientCredential,
	rotateParameters,
	seedCanary,
	writes,
} from '../support/canary';

type Entry = { step: string; place?: string; status: string };
const name = (entry: Entry) => `${entry.step}${entry.place ? ` ${entry.place}` : ''}`;

const post = (path: string) => (request: LoggedRequest) =>
	request.method === 'POST' && request.path === `/v1/organization${path}`;

/** Each write of the rotation, in order: a fault on it stops the run right after the step before it. */
const boundaries: Array<[string, (request: LoggedRequest) => boolean]> = [
	['upload', post('/certificates')],
	['activate proj_canary', post(`/projects/${CANARY}/certificates/activate`)],
	['activate organization', post('/certificates/activate')],
	['activate proj_a', post('/projects/proj_a/certificates/activate')],
	['deactivate organization', post('/certificates/deactivate')],
	['deactivate proj_a', post('/projects/proj_a/certificates/deactivate')],
	['delete', (request) => request.method === 'DELETE'],
];

describe.each([
	['as the PEM says', false],
	['rounded to the hour (nothing promises OpenAI echoes them to the second)', true],
])(
	'Certificate › Rotate run again after it stopped ends as an uninterrupted run, dates listed %s',
	(_dates, rounded) => {
		const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);
		beforeEach(() => {
			fake.api.organization.roundedDates = rounded;
		});
		const fixture = makeCanaryFixture();
		const run = (oldId: string, extra: { continueOnFail?: boolean } = {}) =>
			fake.run({
				parameters: rotateParameters(oldId, fixture.newCa, { ...canaryOption, deleteOld: true }),
				mtlsClient: mtlsClientCredential(fake.api, fixture.newClient),
				...extra,
			});

		/** The organization after an uninterrupted rotation: one copy of the new CA, active where the old one was and in the canary; the old one deleted. */
		function expectRotated(oldId: string): string {
			const copies = copiesOf(fake.api, fixture.newCa.pem);
			expect(copies).toHaveLength(1);
			expect(fake.api.organization.whereActive(copies[0])).toEqual([
				'organization',
				CANARY,
				'proj_a',
			]);
			expect(fake.api.organization.certificates.has(oldId)).toBe(false);
			return copies[0];
		}

		it.each(boundaries)('stopped by a failure at %s, then run again', async (failing, match) => {
			const oldId = seedCanary(fake.api, fixture);
			fake.api.faults.push({
				kind: 'error',
				status: 400,
				message: `Injected failure at ${failing}`,
				match,
			});
			const first = await run(oldId, { continueOnFail: true });
			const report = first.items[0].json.report as {
				done: Entry[];
				failed: Entry;
				notDone: Entry[];
			};
			expect(name(report.failed)).toBe(failing);
			const writesBefore = fake.api.log.length;

			const second = await run(oldId);
			expect(second.error).toBeUndefined();
			const newId = expectRotated(oldId);
			expect(second.items[0].json).toMatchObject({
				newCertificateId: newId,
				verified: true,
				paused: false,
				deleted: true,
			});
			// This run did what the first left undone, and found the rest done; the new CA was never uploaded twice.
			const steps = second.items[0].json.steps as Entry[];
			const didNow = steps.filter((entry) => entry.status === 'done').map(name);
			const foundDone = steps.filter((entry) => entry.status === 'found done').map(name);
			const leftByFirst = [report.failed, ...report.notDone].map(name);
			expect(didNow.filter((step) => step !== `verify ${CANARY}`)).toEqual(
				leftByFirst.filter((step) => step !== `verify ${CANARY}`),
			);
			expect(didNow).toContain(`verify ${CANARY}`);
			expect(foundDone).toEqual(
				report.done.map(name).filter((step) => step !== `verify ${CANARY}`),
			);
			expect(steps.every((entry) => entry.status === 'done' || entry.status === 'found done')).toBe(
				true,
			);
			expect(
				writes(fake.api.log.slice(writesBefore)).filter((write) => write === 'POST /certificates'),
			).toEqual(failing === 'upload' ? ['POST /certificates'] : []);
		});

		it('stopped by a refused verification (canary undone), then run again with a working client', async () => {
			const oldId = seedCanary(fake.api, fixture);
			const refused = await fake.run({
				parameters: rotateParameters(oldId, fixture.newCa, { ...canaryOption, deleteOld: true }),
				// A key of proj_b, where the new certificate is not active: the mTLS host refuses the request.
				mtlsClient: mtlsClientCredential(fake.api, fixture.newClient, 'proj_b'),
				continueOnFail: true,
			});
			expect((refused.items[0].json.report as { failed: Entry }).failed).toMatchObject({
				step: 'verify',
				place: CANARY,
			});

			const second = await run(oldId);
			expect(second.error).toBeUndefined();
			expectRotated(oldId);
			expect(
				(second.items[0].json.steps as Entry[])
					.slice(0, 3)
					.map((entry) => `${name(entry)}: ${entry.status}`),
			).toEqual(['upload: found done', `activate ${CANARY}: done`, `verify ${CANARY}: done`]);
		});

		it('a finished rotation run again changes nothing and reports every step found done', async () => {
			const oldId = seedCanary(fake.api, fixture);
			expect((await run(oldId)).error).toBeUndefined();
			const before = fake.api.log.length;
			const again = await run(oldId);
			expect(again.error).toBeUndefined();
			expectRotated(oldId);
			expect(writes(fake.api.log.slice(before))).toEqual([]);
			const statuses = (again.items[0].json.steps as Entry[]).map(
				(entry) => `${name(entry)}: ${entry.status}`,
			);
			expect(statuses).toEqual([
				'upload: found done',
				`activate ${CANARY}: found done`,
				`verify ${CANARY}: done`,
				'activate organization: found done',
				'activate proj_a: found done',
				'deactivate organization: found done',
				'deactivate proj_a: found done',
				'delete: found done',
			]);
			expect(again.items[0].json.summary).toBe(
				'Rotated: 1 step(s) done by this run, 7 found done.',
			);
		});

		it('still refuses an unknown old certificate when the new one was never uploaded', async () => {
			seedCanary(fake.api, fixture);
			const { error } = await run('cert_typo');
			expect(error?.httpCode).toBe('404');
			expect(writes(fake.api.log)).toEqual([]);
		});
	},
);
