import { ExecuteContext, RoutingNode } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, INodeType } from 'n8n-workflow';
import { Workflow, createRunExecutionData } from 'n8n-workflow';

import { OpenAiAdminApi } from '../../credentials/OpenAiAdminApi.credentials';
import { OpenAiMtlsClientApi } from '../../credentials/OpenAiMtlsClientApi.credentials';
import type { Credentials } from './runWorkflow';
import { createAdditionalData, nodeTypeRegistry } from './runWorkflow';
import { ADMIN_API_CREDENTIALS, workflowNode } from './workflowNode';

/**
 * Saving a credential in n8n ("Test" / `POST /rest/credentials/test`): n8n's CredentialsTester copies the
 * NoOp node, gives it one property whose routing request is the credential's `test.request`, and runs it
 * with n8n-core's RoutingNode — through the credential's `authenticate`. This is that code path, with the
 * real n8n-core, and the tester's verdict rules.
 */
export async function testCredential(
	credentials: Credentials | ICredentialDataDecryptedObject,
	type: 'openAiAdminApi' | 'openAiMtlsClientApi' = 'openAiAdminApi',
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const credentialType =
		type === 'openAiAdminApi' ? new OpenAiAdminApi() : new OpenAiMtlsClientApi();
	const noOp = nodeTypeRegistry['n8n-nodes-base.noOp'] as INodeType;
	const node: INode = workflowNode({
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		credentials:
			type === 'openAiAdminApi' ? ADMIN_API_CREDENTIALS : { [type]: { id: '2', name: type } },
	});
	const nodeTypeCopy: INodeType = {
		description: {
			...noOp.description,
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: credentialType.test.request },
					default: '',
				},
			],
		},
	};
	const workflowData = { nodes: [node], connections: {} };
	// As the tester's mock node types: the copy stands for the NoOp node in this workflow.
	const workflow = new Workflow({
		...workflowData,
		active: false,
		nodeTypes: {
			getByName: () => nodeTypeCopy,
			getByNameAndVersion: () => nodeTypeCopy,
			getKnownTypes: () => ({}),
		},
	});
	const executeContext = new ExecuteContext(
		workflow,
		node,
		type === 'openAiAdminApi'
			? createAdditionalData(workflowData, credentials as Credentials)
			: createAdditionalData(workflowData, {} as Credentials, undefined, { [type]: credentials }),
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(executeContext, nodeTypeCopy, {
		id: '1',
		name: type,
		type,
		data: credentials,
	});
	try {
		await routingNode.runNode();
		return { status: 'OK', message: 'Connection successful!' };
	} catch (caught) {
		const error = caught as Error & {
			cause?: { response?: { status: number; statusText?: string }; code?: string };
		};
		if (error.cause?.response) {
			return {
				status: 'Error',
				message:
					error.cause.response.statusText ||
					`Received HTTP status code: ${error.cause.response.status}`,
			};
		}
		if (error.cause?.code) return { status: 'Error', message: error.cause.code };
		return { status: 'Error', message: String(error.message) };
	}
}
