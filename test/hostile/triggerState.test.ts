import type { ServerResponse } from 'node:http';
import type { IDataObject } from 'n8n-workflow';

import { useFakeAdminApi } from '../support/fakeApi';
import type { HostileServer, SeenRequest } from '../support/hostileServer';
import { json, openAiError, raw, startHostileServer } from '../support/hostileServer';
import { triggerPoller } from '../support/pollTrigger';

/**
 * A poll the trigger can't trust changes nothing; damaged static data is repaired by a new baseline without
 * firing; the audit-log event's cursor survives both. The list events (Added, Removed, Expiring Soon),
 * polled through n8n-core against a hostile server in front of the sandbox.
 */
describe('Trigger under bad polls and damaged state', () => {
	const fake = useFakeAdminApi();
	let hostile: HostileServer;
	const poller = triggerPoller(() => ({ apiKey: fake.api.apiKey, baseUrl: hostile.baseUrl() }));
	const DAY = 86_400;
	const now = () => Math.floor(Date.now() / 1000);
	const ids = (items: IDataObject[]) => items.map((item) => item.id).sort();
	const LIST = 'GET /v1/organization/certificates';
	const AUDIT_CURSOR = { newest: 1_700_000_000, seen: { 'audit_log-1': 1_700_000_000 } };

	beforeEach(async () => {
		hostile = await startHostileServer({ upstream: fake.api.baseUrl });
		poller.stored = '{}';
	});
	afterEach(async () => {
		await hostile.close();
	});

	/** Three certificates, one of them expiring; the trigger's baseline recorded beside an audit cursor. */
	async function baseline(event: string) {
		fake.api.organization.addCertificate({ expires_at: now() + 3 * DAY });
		fake.api.organization.addCertificate();
		fake.api.organization.addCertificate();
		poller.stored = JSON.stringify({ 'node:Trigger': { auditCursor: AUDIT_CURSOR } });
		await poller.poll({ event });
		return poller.stored;
	}

	const badAnswers: Array<[string, (request: SeenRequest, response: ServerResponse) => void]> = [
		[
			'an error the API will not have retried',
			(_request, response) => json(response, 401, openAiError('Incorrect API key provided')),
		],
		['an HTML page on 200', (_request, response) => raw(response, 200, '<html>Proxy</html>')],
		['null on 200', (_request, response) => raw(response, 200, 'null')],
		['an empty body on 200', (_request, response) => raw(response, 200, '')],
		[
			'a list whose data is not a list',
			(_request, response) => raw(response, 200, '{"object":"list","data":{},"has_more":false}'),
		],
		[
			'a list of things that are not certificates',
			(_request, response) =>
				raw(response, 200, '{"object":"list","data":[null,1],"has_more":false}'),
		],
		['truncated JSON', (_request, response) => raw(response, 200, '{"object":"list","data":[')],
	];

	describe.each(['removed', 'added', 'expiringSoon'])('%s', (event) => {
		it.each(badAnswers)(
			'a poll answered with %s fails, changes nothing, and the next good poll fires nothing',
			async (_name, handler) => {
				const stored = await baseline(event);
				hostile.on(LIST, handler, 1);
				await expect(poller.poll({ event })).rejects.toThrow();
				expect(poller.stored).toBe(stored);
				expect(await poller.poll({ event })).toEqual([]);
				expect(JSON.parse(poller.stored)['node:Trigger'].auditCursor).toEqual(AUDIT_CURSOR);
			},
		);
	});

	it('a bad second page changes nothing either: a half-read list is not the organization', async () => {
		fake.api.organization.maxCertificates = 300;
		for (let index = 0; index < 120; index++) fake.api.organization.addCertificate();
		await poller.poll({ event: 'removed' });
		const stored = poller.stored;
		hostile.on(
			(request) =>
				request.path === '/v1/organization/certificates' && request.url.includes('after='),
			(_request, response) => raw(response, 200, '<html>Proxy</html>'),
			1,
		);
		await expect(poller.poll({ event: 'removed' })).rejects.toThrow(/HTML page/);
		expect(poller.stored).toBe(stored);
		expect(await poller.poll({ event: 'removed' })).toEqual([]);
	});

	const damaged: Array<[string, IDataObject]> = [
		['initialized is a string', { initialized: 'yes', known: {} }],
		['known is a list', { initialized: true, known: [] }],
		['known is null', { initialized: true, known: null }],
		['known is missing', { initialized: true }],
		['an entry of known is null', { initialized: true, known: { cert_x: null } }],
		[
			'an entry of known has no version',
			{ initialized: true, known: { cert_x: { certificate: { id: 'cert_x' } } } },
		],
		[
			'an entry of known has no certificate',
			{ initialized: true, known: { cert_x: { version: '1:2:3', certificate: 'x' } } },
		],
		['reportedExpiring is a list', { initialized: true, known: {}, reportedExpiring: [] }],
		[
			'reportedExpiring holds a number',
			{ initialized: true, known: {}, reportedExpiring: { cert_x: 1 } },
		],
		['known is there without initialized', { known: {} }],
	];

	describe.each(['removed', 'added', 'expiringSoon'])('%s', (event) => {
		it.each(damaged)(
			'damaged static data (%s) is repaired by a new baseline, without firing, keeping the audit cursor',
			async (_name, state) => {
				const soon = fake.api.organization.addCertificate({ expires_at: now() + 3 * DAY });
				fake.api.organization.addCertificate();
				poller.stored = JSON.stringify({
					'node:Trigger': { ...state, auditCursor: AUDIT_CURSOR },
				});
				expect(await poller.poll({ event })).toEqual([]);
				const repaired = JSON.parse(poller.stored)['node:Trigger'];
				expect(repaired.auditCursor).toEqual(AUDIT_CURSOR);
				expect(repaired.initialized).toBe(true);
				expect(Object.keys(repaired.known).sort()).toEqual(
					[...fake.api.organization.certificates.keys()].sort(),
				);
				if (event === 'expiringSoon')
					expect(Object.keys(repaired.reportedExpiring)).toEqual([soon.id]);

				// From the new baseline on, events fire as usual.
				expect(await poller.poll({ event })).toEqual([]);
				const added = fake.api.organization.addCertificate({ expires_at: now() + 2 * DAY });
				fake.api.organization.certificates.delete(soon.id);
				const expected = { added: [added.id], removed: [soon.id], expiringSoon: [added.id] };
				expect(ids(await poller.poll({ event }))).toEqual(expected[event as keyof typeof expected]);
			},
		);
	});

	it('a first poll with no stored state still fires Expiring Soon, and keeps an audit cursor stored beside it', async () => {
		const soon = fake.api.organization.addCertificate({ expires_at: now() + 3 * DAY });
		poller.stored = JSON.stringify({ 'node:Trigger': { auditCursor: AUDIT_CURSOR } });
		expect(ids(await poller.poll({ event: 'expiringSoon' }))).toEqual([soon.id]);
		expect(JSON.parse(poller.stored)['node:Trigger'].auditCursor).toEqual(AUDIT_CURSOR);
	});

	it('switching events keeps what the other event reported: Expiring Soon does not fire twice', async () => {
		const soon = fake.api.organization.addCertificate({ expires_at: now() + 3 * DAY });
		expect(ids(await poller.poll({ event: 'expiringSoon' }))).toEqual([soon.id]);
		expect(await poller.poll({ event: 'added' })).toEqual([]);
		expect(await poller.poll({ event: 'expiringSoon' })).toEqual([]);
	});

	it('a certificate ID such as __proto__ in the stored state is an ordinary key', async () => {
		fake.api.organization.addCertificate();
		poller.stored = JSON.stringify({
			'node:Trigger': {
				initialized: true,
				known: { ['__proto__']: { version: '1:2:3', certificate: { id: '__proto__' } } },
			},
		});
		const fired = await poller.poll({ event: 'removed' });
		expect(fired).toEqual([{ id: '__proto__', event: 'removed' }]);
	});
});
