import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import { OpenAiCertificates } from '../../nodes/OpenAiCertificates/OpenAiCertificates.node';
import { OpenAiCertificatesTrigger } from '../../nodes/OpenAiCertificatesTrigger/OpenAiCertificatesTrigger.node';
import { TestCredentialsHelper } from './credentialsHelper';
import { InputItems } from './testNodes';
import { ADMIN_API_CREDENTIALS, manualTrigger, workflowNode } from './workflowNode';

export const NODE_TYPE = 'CUSTOM.openAiCertificates';

/**
 * Real built-in nodes from n8n-nodes-base (the version n8n 2.41 ships), as the examples use them. Each is
 * loaded on first use: HTTP Request alone adds seconds to a test file's start, and most files never use it.
 */
function builtIn(path: string, className: string): () => INodeType | IVersionedNodeType {
	let nodeType: INodeType | IVersionedNodeType | undefined;
	return () => {
		if (nodeType) return nodeType;
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const module = require(`n8n-nodes-base/dist/nodes/${path}`) as Record<
			string,
			new () => INodeType | IVersionedNodeType
		>;
		nodeType = new module[className]();
		return nodeType;
	};
}

const builtIns: Record<string, () => INodeType | IVersionedNodeType> = {
	'n8n-nodes-base.manualTrigger': builtIn('ManualTrigger/ManualTrigger.node.js', 'ManualTrigger'),
	'n8n-nodes-base.scheduleTrigger': builtIn('Schedule/ScheduleTrigger.node.js', 'ScheduleTrigger'),
	'n8n-nodes-base.webhook': builtIn('Webhook/Webhook.node.js', 'Webhook'),
	'n8n-nodes-base.httpRequest': builtIn('HttpRequest/HttpRequest.node.js', 'HttpRequest'),
	'n8n-nodes-base.set': builtIn('Set/Set.node.js', 'Set'),
	'n8n-nodes-base.noOp': builtIn('NoOp/NoOp.node.js', 'NoOp'),
};

/** The node types a test workflow may use: ours (as a custom and as an installed package) and n8n's own. */
export const nodeTypeRegistry: Record<string, INodeType | IVersionedNodeType> = {
	[NODE_TYPE]: new OpenAiCertificates(),
	'n8n-nodes-openai-certificates.openAiCertificates': new OpenAiCertificates(),
	'CUSTOM.openAiCertificatesTrigger': new OpenAiCertificatesTrigger(),
	'n8n-nodes-openai-certificates.openAiCertificatesTrigger': new OpenAiCertificatesTrigger(),
	'test.inputItems': new InputItems(),
};
for (const [type, load] of Object.entries(builtIns)) {
	Object.defineProperty(nodeTypeRegistry, type, { enumerable: true, get: load });
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => lookup(type),
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(lookup(type), version),
	getKnownTypes: () => ({}),
};

function lookup(type: string): INodeType | IVersionedNodeType {
	const nodeType = nodeTypeRegistry[type];
	if (!nodeType) throw new Error(`Unknown node type in test workflow: ${type}`);
	return nodeType;
}

export interface Credentials extends ICredentialDataDecryptedObject {
	apiKey: string;
	baseUrl: string;
}

let executionCounter = 0;

export interface WorkflowData {
	nodes: INode[];
	connections: IConnections;
	staticData?: IDataObject;
}

export function createWorkflow(workflowData: WorkflowData): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes,
		staticData: workflowData.staticData,
		settings: { executionOrder: 'v1' },
	});
}

/** What n8n-core needs from the host app: the credentials helper, hooks and base URLs. */
export function createAdditionalData(
	workflowData: WorkflowData,
	credentials: Credentials,
	executionId = `test-${++executionCounter}`,
	otherCredentials: Record<string, ICredentialDataDecryptedObject> = {},
): IWorkflowExecuteAdditionalData {
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: 'test-workflow',
		name: 'test',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase);
	return {
		credentialsHelper: new TestCredentialsHelper({
			...otherCredentials,
			openAiAdminApi: credentials,
		}),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not supported in tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not supported in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Runs a whole workflow (nodes and connections, as in an exported workflow JSON) through real n8n-core. */
export async function runWorkflow(
	workflowData: WorkflowData,
	credentials: Credentials,
	options: {
		/** The node to start from (default: the Manual Trigger). */
		startNode?: string;
		/** 'trigger' runs as an activated workflow does: a trigger or poll node passes on `startItems`. */
		mode?: WorkflowExecuteMode;
		startItems?: INodeExecutionData[];
		/** Credentials of other types, by type name (e.g. openAiMtlsClientApi). */
		otherCredentials?: Record<string, ICredentialDataDecryptedObject>;
	} = {},
): Promise<IRun> {
	const workflow = createWorkflow(workflowData);
	const additionalData = createAdditionalData(
		workflowData,
		credentials,
		undefined,
		options.otherCredentials,
	);
	const startNode = options.startNode
		? workflow.getNode(options.startNode)!
		: workflowData.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger')!;
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: startNode, data: { main: [options.startItems ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	const execute = new WorkflowExecute(additionalData, options.mode ?? 'manual', runExecutionData);
	return await execute.processRunExecutionData(workflow);
}

export const OUR_NODE_NAME = 'OpenAI Certificates';

export function ourNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return workflowNode({
		id: '3',
		name: OUR_NODE_NAME,
		type: NODE_TYPE,
		position: [400, 0],
		parameters,
		credentials: ADMIN_API_CREDENTIALS,
		...extra,
	});
}

/** A real n8n-core LoadOptionsContext for our node, as the editor uses for list searches. */
export function loadOptionsContext(
	parameters: INodeParameters,
	credentials: Credentials,
): LoadOptionsContext {
	const node = ourNode(parameters);
	const workflowData = { nodes: [node], connections: {} };
	return new LoadOptionsContext(
		createWorkflow(workflowData),
		node,
		createAdditionalData(workflowData, credentials),
		'',
	);
}

export interface NodeRun {
	/** Our node's output items (first output), in order. */
	items: INodeExecutionData[];
	/** The execution error, when the run failed. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject; node?: INode };
	run: IRun;
}

export interface RunNodeOptions {
	/** Our node's parameters, as a saved workflow stores them. */
	parameters: Record<string, unknown>;
	/** Input items (JSON, with optional `$binary`); default one empty item. */
	items?: IDataObject[];
	credentials: Credentials;
	/** An OpenAI mTLS Client API credential for the node (Rotate's canary check). */
	mtlsClient?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
}

/** Manual Trigger → Input Items → OpenAI Certificates, run through real n8n-core; returns our node's output. */
export async function runNode(options: RunNodeOptions): Promise<NodeRun> {
	const ours = ourNode(
		options.parameters as INodeParameters,
		options.continueOnFail ? { onError: 'continueRegularOutput', continueOnFail: true } : {},
	);
	if (options.mtlsClient)
		ours.credentials = {
			...ours.credentials,
			openAiMtlsClientApi: { id: '2', name: 'OpenAI mTLS Client API' },
		};
	const nodes: INode[] = [
		manualTrigger({ id: '1', name: 'Trigger' }),
		workflowNode({
			id: '2',
			name: 'Input Items',
			type: 'test.inputItems',
			position: [200, 0],
			parameters: { items: JSON.stringify(options.items ?? [{}]) },
		}),
		ours,
	];
	const connections: IConnections = {
		Trigger: { main: [[{ node: 'Input Items', type: 'main', index: 0 }]] },
		'Input Items': { main: [[{ node: ours.name, type: 'main', index: 0 }]] },
	};
	const otherCredentials: Record<string, ICredentialDataDecryptedObject> = options.mtlsClient
		? { openAiMtlsClientApi: options.mtlsClient }
		: {};
	const run = await runWorkflow({ nodes, connections }, options.credentials, { otherCredentials });
	const taskData = run.data.resultData.runData[ours.name]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		error: (taskData?.error ?? run.data.resultData.error) as NodeRun['error'],
		run,
	};
}
