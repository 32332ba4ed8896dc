import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import type { AuditActor } from '../../sandbox/auditLog';
import { auditLogOf } from '../../sandbox/auditLog';
import { makeCertificate } from '../../sandbox/certificates';
import type { WorkflowData } from '../harness/runWorkflow';
import { createAdditionalData, createWorkflow, runWorkflow } from '../harness/runWorkflow';
import {
	certificateLocator,
	alreadyEnforcing,
	useFakeAdminApi,
	WITHOUT_ADMIN_MTLS,
} from '../support/fakeApi';

const TRIGGER = 'Certificate changed, not by the rotation job';
const ALERT = 'Send alert (replace with Slack or email)';
const PERSON_KEY = 'sk-admin-person-0123456789abcdefSECRET';
const PERSON: AuditActor = {
	type: 'api_key',
	api_key: { id: 'key_person', type: 'user', user: { id: 'user-bob', email: 'bob@example.com' } },
};

describe('examples/certificate-change-alert.json', () => {
	const fake = useFakeAdminApi(WITHOUT_ADMIN_MTLS);

	/** The example as a user sets it up: the placeholder replaced by the ID of the rotation job's key. */
	function loadExample(rotationKeyId: string): WorkflowData {
		const text = readFileSync(
			join(__dirname, '..', '..', 'examples', 'certificate-change-alert.json'),
			'utf8',
		);
		expect(text).toContain('key_ROTATION_JOB_KEY_ID');
		return JSON.parse(text.replace('key_ROTATION_JOB_KEY_ID', rotationKeyId)) as WorkflowData;
	}

	/** One poll of the active workflow's trigger, then the workflow run with what it emitted; the alerts. */
	async function pollAndRun(workflow: WorkflowData): Promise<IDataObject[]> {
		const triggerNode = workflow.nodes.find((node) => node.name === TRIGGER) as INode;
		const pollWorkflow = createWorkflow(workflow);
		const context = new PollContext(
			pollWorkflow,
			triggerNode,
			createAdditionalData(workflow, fake.credentials),
			'trigger',
			'activate',
		);
		const polled = (await new OpenAiCertificatesTrigger().poll.call(context)) as
			| INodeExecutionData[][]
			| null;
		workflow.staticData = pollWorkflow.staticData as IDataObject;
		if (!polled) return [];
		const run = await runWorkflow(workflow, fake.credentials, {
			startNode: TRIGGER,
			mode: 'trigger',
			startItems: polled[0],
		});
		const task = run.data.resultData.runData[ALERT]?.[0];
		if (task?.error) throw new Error(task.error.message);
		return (task?.data?.main?.[0] ?? []).map((item) => item.json);
	}

	it('alerts on every change made with another key, and on none the rotation job made', async () => {
		alreadyEnforcing(fake.api);
		const organization = fake.api.organization;
		organization.addProject({ id: 'proj_web', name: 'Web' });
		const audit = auditLogOf(organization);
		audit.addKey(PERSON_KEY, PERSON);
		const rotationKeyId = audit.actorOf(`Bearer ${fake.api.apiKey}`)!.api_key!.id;
		const act = async (parameters: Record<string, unknown>, apiKey: string) => {
			const { items, error } = await fake.run({
				parameters,
				credentials: { ...fake.credentials, apiKey },
			});
			expect(error).toBeUndefined();
			return items[0].json;
		};
		const upload = {
			resource: 'certificate',
			operation: 'upload',
			certificate: makeCertificate({ ca: true }).pem,
			name: 'Client CA 2026',
		};
		const old = (await act(upload, fake.api.apiKey)).id as string;
		await act(
			{
				resource: 'certificate',
				operation: 'activate',
				certificateIds: old,
				options: { confirmOrganizationEnforcement: true },
			},
			fake.api.apiKey,
		);

		const workflow = loadExample(rotationKeyId);
		expect(await pollAndRun(workflow)).toEqual([]); // activation records where the log stands

		// The rotation job rotates the CA with its key: upload, activate, deactivate, delete.
		const rotated = await act(
			{
				resource: 'certificate',
				operation: 'rotate',
				certificateId: certificateLocator(old),
				certificate: makeCertificate({ ca: true }).pem,
				name: 'Client CA 2027',
				options: { deleteOld: true },
			},
			fake.api.apiKey,
		);
		const renewed = rotated.newCertificateId as string;
		expect(await pollAndRun(workflow)).toEqual([]);

		// Someone else deactivates the new CA in a project and renames it.
		await act(
			{
				resource: 'projectCertificate',
				operation: 'activate',
				projectId: certificateLocator('proj_web'),
				certificateIds: renewed,
			},
			fake.api.apiKey,
		);
		await act(
			{
				resource: 'projectCertificate',
				operation: 'deactivate',
				projectId: certificateLocator('proj_web'),
				certificateIds: renewed,
			},
			PERSON_KEY,
		);
		await act(
			{
				resource: 'certificate',
				operation: 'rename',
				certificateId: certificateLocator(renewed),
				name: 'Not our CA',
			},
			PERSON_KEY,
		);

		const alerts = await pollAndRun(workflow);
		const events = audit.events.filter((event) => event.actor === PERSON);
		const at = (index: number) => new Date(events[index].effective_at * 1000).toISOString();
		expect(alerts).toEqual([
			{
				message: `OpenAI certificate "Client CA 2027" (${renewed}) deactivated for the organization or in project Web by API key key_person of bob@example.com at ${at(0)}, outside the rotation job.`,
				actor: 'API key key_person of bob@example.com',
				certificateIds: [renewed],
			},
			{
				message: `OpenAI certificate "Not our CA" (${renewed}) renamed for the organization by API key key_person of bob@example.com at ${at(1)}, outside the rotation job.`,
				actor: 'API key key_person of bob@example.com',
				certificateIds: [renewed],
			},
		]);
		// Each change is alerted once; the alert workflow itself changes nothing.
		expect(await pollAndRun(workflow)).toEqual([]);
		expect(audit.events).toHaveLength(2 + 4 + 3); // before activation; the rotation (upload, activate, deactivate, delete); the three changes
	});
});
