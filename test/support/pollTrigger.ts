import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import type { Credentials } from '../harness/runWorkflow';
import { createAdditionalData, createWorkflow } from '../harness/runWorkflow';
import { ADMIN_API_CREDENTIALS, workflowNode } from '../harness/workflowNode';

/**
 * Polls the trigger as n8n does, through a real n8n-core PollContext, with the workflow's static data
 * kept as n8n stores it between polls (JSON): every poll is a fresh node instance, as after a restart.
 */
export function triggerPoller(credentials: () => Credentials) {
	const poller = {
		/** The static data as stored after the last poll. */
		stored: '{}',
		async poll(
			parameters: IDataObject,
			mode: 'trigger' | 'manual' = 'trigger',
		): Promise<IDataObject[]> {
			const node: INode = workflowNode({
				id: 't',
				name: 'Trigger',
				type: 'CUSTOM.openAiCertificatesTrigger',
				parameters: parameters as INode['parameters'],
				credentials: ADMIN_API_CREDENTIALS,
			});
			const workflowData = {
				nodes: [node],
				connections: {},
				staticData: JSON.parse(poller.stored) as IDataObject,
			};
			const workflow = createWorkflow(workflowData);
			const additionalData = createAdditionalData(workflowData, credentials());
			const context = new PollContext(
				workflow,
				node,
				additionalData,
				mode,
				mode === 'manual' ? 'manual' : 'activate',
			);
			const result = (await new OpenAiCertificatesTrigger().poll.call(context)) as
				| INodeExecutionData[][]
				| null;
			poller.stored = JSON.stringify(workflow.staticData);
			return result?.[0].map((item) => item.json) ?? [];
		},
	};
	return poller;
}
