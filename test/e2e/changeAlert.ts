import assert from 'node:assert/strict';
import type { Server } from 'node:http';

import type { AuditActor } from '../../sandbox/auditLog';
import { auditLogOf } from '../../sandbox/auditLog';
import type { FakeAdminApi } from '../../sandbox/server';
import type { AdminApi, WorkflowJson } from './workflows';
import { callAdminApi, changeAlertWorkflow, startCollector } from './workflows';

/**
 * examples/certificate-change-alert.json in the running app: the credential's key plays the rotation job
 * (its changes must not alert), a second admin key plays a person (its changes must). Import before
 * `n8n start` (a staged import is enough: the caller flushes), call `verify` once the app runs.
 */

const PERSON_KEY = 'sk-admin-e2e-person-0123456789abcdefSECRET';
const PERSON: AuditActor = {
	type: 'api_key',
	api_key: {
		id: 'key_e2e_person',
		type: 'user',
		user: { id: 'user-e2e', email: 'eve@example.com' },
	},
};
const AUDIT_PATH = '/v1/organization/audit_logs';
const second = () => new Promise((resolve) => setTimeout(resolve, 1000));

export async function prepareChangeAlert(
	api: FakeAdminApi & AdminApi,
	importWorkflow: (
		key: string,
		workflow: WorkflowJson,
		options: { activate: boolean },
	) => Promise<string>,
): Promise<{
	server: Server;
	verify: (targets: { byPerson: string; byJob: string }) => Promise<void>;
}> {
	const audit = auditLogOf(api.organization);
	audit.addKey(PERSON_KEY, PERSON);
	const rotationJobKeyId = audit.actorOf(`Bearer ${api.apiKey}`)!.api_key!.id;
	const observer = await startCollector();
	await importWorkflow('changeAlert', changeAlertWorkflow(observer.url, rotationJobKeyId), {
		activate: true,
	});
	const polls = () => api.log.filter((request) => request.path === AUDIT_PATH).length;
	const rename = async (id: string, name: string, key: string) => {
		const path = `/organization/certificates/${id}`;
		const response = await callAdminApi(api, 'POST', path, { name }, key);
		assert.equal(response.status, 200, response.text);
	};

	/** After the first poll (a baseline: nothing fires), one rename by each key; the next poll alerts the person's only. */
	async function verify(targets: { byPerson: string; byJob: string }): Promise<void> {
		for (let waited = 0; polls() === 0 && waited < 75; waited++) await second();
		assert.ok(polls() > 0, 'the change alert trigger never read the audit log');
		assert.equal(
			observer.received.length,
			0,
			`the first poll fired instead of recording a baseline: ${JSON.stringify(observer.received)}`,
		);
		const baseline = polls();
		await rename(targets.byPerson, 'Renamed by a person', PERSON_KEY);
		await rename(targets.byJob, 'Renamed by the rotation job', api.apiKey);
		for (let waited = 0; observer.received.length === 0 && waited < 75; waited++) await second();
		// One more poll (and its execution) must not repeat the alert.
		const afterAlert = polls();
		for (let waited = 0; polls() <= afterAlert && waited < 70; waited++) await second();
		await new Promise((resolve) => setTimeout(resolve, 5000));
		assert.ok(
			polls() > baseline + 1,
			`the trigger polled ${polls() - baseline} times after the baseline`,
		);
		assert.deepEqual(
			observer.received.map((alert) => [alert.certificateIds, alert.actor]),
			[[[targets.byPerson], 'API key key_e2e_person of eve@example.com']],
			JSON.stringify(observer.received),
		);
		assert.match(
			String(observer.received[0].message),
			new RegExp(
				`^OpenAI certificate "Renamed by a person" \\(${targets.byPerson}\\) renamed for the organization by API key key_e2e_person of eve@example\\.com at .+, outside the rotation job\\.$`,
			),
		);
	}
	return { server: observer.server, verify };
}
