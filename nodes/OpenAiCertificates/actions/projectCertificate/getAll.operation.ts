import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ENDPOINTS, listUpTo } from '../../transport';
import {
	projectLocator,
	readProjectId,
	readOptions,
	requestSettings,
	optionsCollection,
	listFields,
	orderOption,
	readLimit,
	readOrder,
} from '../shared/parameters';

const properties: INodeProperties[] = [
	projectLocator({
		description: 'The project whose certificates to list, with whether each is active in it',
	}),
	...listFields('projectCertificate'),
	optionsCollection([orderOption]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['projectCertificate'], operation: ['getAll'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const projectId = readProjectId.call(this, 'projectId', 'Project', itemIndex);
	const limit = readLimit.call(this, itemIndex);
	const options = readOptions.call(this, itemIndex);
	const order = readOrder.call(this, options, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const certificates = await listUpTo(
		this,
		{ endpoint: ENDPOINTS.listProjectCertificates, ids: { project_id: projectId }, qs: { order } },
		settings,
		limit,
	);
	return certificates.map((json) => ({ json }));
}
