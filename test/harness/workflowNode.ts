/**
 * The one way test workflows write a node, for the n8n-core harness (Jest) and the real app's
 * suites alike: its ID is its name, type version 1 at the origin, no parameters, unless said otherwise.
 * Plain data, no n8n-core, so the app-level suites import it too.
 */

/** The Admin API credential our nodes carry in the harness's workflows. */
export const ADMIN_API_CREDENTIALS = { openAiAdminApi: { id: '1', name: 'OpenAI Admin API' } };

export function workflowNode<T extends { name: string; type: string }>(node: T) {
	return {
		id: node.name,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
		...node,
	};
}

/** The Manual Trigger a workflow run starts at. */
export function manualTrigger<T extends { name: string }>(node: T) {
	return workflowNode({ type: 'n8n-nodes-base.manualTrigger', ...node });
}
