import type { IDataObject } from 'n8n-workflow';

import { useFakeAdminApi } from '../support/fakeApi';
import { triggerPoller } from '../support/pollTrigger';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

describe('OpenAI Certificates Trigger', () => {
	const fake = useFakeAdminApi();
	const poller = triggerPoller(() => fake.credentials);
	const poll = poller.poll;

	beforeEach(() => {
		poller.stored = '{}';
	});

	const ids = (items: IDataObject[]) => items.map((item) => item.id);

	describe('Certificate Expiring Soon', () => {
		it('fires once per expiring certificate across polls, and again when it is re-uploaded with new dates', async () => {
			const soon = fake.api.organization.addCertificate({ expires_at: now() + 10.5 * DAY });
			const expired = fake.api.organization.addCertificate({ expires_at: now() - DAY });
			fake.api.organization.addCertificate({ expires_at: now() + 100 * DAY });

			const first = await poll({ event: 'expiringSoon', daysBeforeExpiry: 30 });
			expect(ids(first)).toEqual([soon.id, expired.id]);
			expect(first[0]).toMatchObject({ event: 'expiringSoon', daysUntilExpiry: 10 });
			expect(await poll({ event: 'expiringSoon', daysBeforeExpiry: 30 })).toEqual([]);

			const later = fake.api.organization.addCertificate({ expires_at: now() + 20 * DAY });
			expect(ids(await poll({ event: 'expiringSoon', daysBeforeExpiry: 30 }))).toEqual([later.id]);

			// Re-uploaded under the same ID: new dates, a new version.
			fake.api.organization.certificates.get(soon.id)!.expires_at = now() + 12 * DAY;
			expect(ids(await poll({ event: 'expiringSoon', daysBeforeExpiry: 30 }))).toEqual([soon.id]);
			expect(await poll({ event: 'expiringSoon', daysBeforeExpiry: 30 })).toEqual([]);
		});

		it('forgets certificates that are gone, keeping the stored state small', async () => {
			const soon = fake.api.organization.addCertificate({ expires_at: now() + DAY * 2 });
			await poll({ event: 'expiringSoon' });
			fake.api.organization.certificates.delete(soon.id);
			await poll({ event: 'expiringSoon' });
			expect(poller.stored).toContain('reportedExpiring');
			expect(poller.stored).not.toContain(soon.id);
		});
	});

	describe('Certificate Added and Removed', () => {
		it('records the organization on the first poll without firing, then fires for each change once', async () => {
			fake.api.organization.addCertificate();
			expect(await poll({ event: 'added' })).toEqual([]);
			expect(await poll({ event: 'added' })).toEqual([]);
			const added = fake.api.organization.addCertificate();
			const fired = await poll({ event: 'added' });
			expect(ids(fired)).toEqual([added.id]);
			expect(fired[0].event).toBe('added');
			expect(await poll({ event: 'added' })).toEqual([]);
		});

		it('fires Removed with the last known certificate', async () => {
			const [keep, remove] = [
				fake.api.organization.addCertificate(),
				fake.api.organization.addCertificate({ name: 'going' }),
			];
			expect(await poll({ event: 'removed' })).toEqual([]);
			fake.api.organization.certificates.delete(remove.id);
			const fired = await poll({ event: 'removed' });
			expect(fired).toEqual([
				expect.objectContaining({ id: remove.id, name: 'going', event: 'removed' }),
			]);
			expect(await poll({ event: 'removed' })).toEqual([]);
			expect(fake.api.organization.certificates.has(keep.id)).toBe(true);
		});
	});

	describe('manual test runs', () => {
		it('return current matches, or the newest certificate, and remember nothing', async () => {
			const soon = fake.api.organization.addCertificate({ expires_at: now() + 5 * DAY });
			const newest = fake.api.organization.addCertificate({ expires_at: now() + 500 * DAY });
			expect(ids(await poll({ event: 'expiringSoon' }, 'manual'))).toEqual([soon.id]);
			expect(ids(await poll({ event: 'added' }, 'manual'))).toEqual([newest.id]);
			expect(poller.stored).toBe('{}');
			// A match is no sample; nothing expiring within 3 days: the newest certificate, labelled as a sample.
			expect((await poll({ event: 'expiringSoon' }, 'manual'))[0].sampleOnly).toBeUndefined();
			const none = await poll({ event: 'expiringSoon', daysBeforeExpiry: 3 }, 'manual');
			expect(none.map((item) => [item.id, item.sampleOnly, item.note])).toEqual([
				[
					newest.id,
					true,
					'No certificate expires within 3 days: this is the newest certificate, a sample to map fields',
				],
			]);
			expect(poller.stored).toBe('{}');
			// The real first poll after a manual run still fires.
			expect(ids(await poll({ event: 'expiringSoon' }))).toEqual([soon.id]);
		});
	});

	it('pages through every certificate of the organization', async () => {
		fake.api.organization.maxCertificates = 1000;
		for (let index = 0; index < 150; index++)
			fake.api.organization.addCertificate({ expires_at: now() + (index === 140 ? 3 : 300) * DAY });
		const fired = await poll({ event: 'expiringSoon', daysBeforeExpiry: 7 });
		expect(fired).toHaveLength(1);
		expect(fake.api.log.map((request) => request.query.limit)).toEqual(['100', '100']);
	});
});
