import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Place } from '../api/activation';
import { ORGANIZATION, projectPlace, toggleCertificates, toggleSteps } from '../api/activation';
import {
	confirmEnforcementNotice,
	confirmEnforcementOption,
	guardChange,
	keepWorkingOptions,
	readKeepWorking,
} from './lockoutGuard';
import {
	certificateIdsField,
	dryRunOption,
	projectLocator,
	readId,
	readIdList,
	readOptions,
	requestSettings,
	optionsCollection,
} from './parameters';

/**
 * The four Activate/Deactivate operations (organization and project) differ only in where and what;
 * each operation file names its pair and gets its description and execute from here.
 */
export function toggleOperation(
	resource: 'certificate' | 'projectCertificate',
	action: 'activate' | 'deactivate',
) {
	const inProject = resource === 'projectCertificate';
	const where = inProject ? 'in the project' : 'in the organization';
	const enforcing = action === 'activate' && !inProject;
	const properties: INodeProperties[] = [
		...(inProject
			? [projectLocator({ description: `The project to ${action} the certificates in` })]
			: []),
		{
			...certificateIdsField,
			description: `The certificates to ${action} ${where}. ${certificateIdsField.description}`,
		},
		...(enforcing ? [confirmEnforcementNotice] : []),
		optionsCollection([
			...(enforcing ? [confirmEnforcementOption] : []),
			...keepWorkingOptions,
			dryRunOption,
		]),
	];

	const description = updateDisplayOptions(
		{ show: { resource: [resource], operation: [action] } },
		properties,
	);

	async function execute(
		this: IExecuteFunctions,
		itemIndex: number,
	): Promise<INodeExecutionData[]> {
		const projectId = inProject ? readId.call(this, 'projectId', 'project', itemIndex) : undefined;
		const place: Place = projectId === undefined ? ORGANIZATION : projectPlace(projectId);
		const certificateIds = readIdList.call(this, 'certificateIds', itemIndex);
		const options = readOptions.call(this, itemIndex);
		const settings = requestSettings.call(this, options, itemIndex);
		const dryRun = options.dryRun === true;
		const report = await guardChange(this, {
			operation: action === 'activate' ? 'Activate' : 'Deactivate',
			steps: toggleSteps(place, action, certificateIds),
			clients: await readKeepWorking.call(this, itemIndex, options),
			confirmedEnforcement: enforcing ? options.confirmOrganizationEnforcement === true : undefined,
			dryRun,
			settings,
			itemIndex,
		});
		if (dryRun) {
			const json: IDataObject = {
				dryRun: true,
				[`would${action === 'activate' ? 'Activate' : 'Deactivate'}`]: certificateIds,
			};
			if (projectId !== undefined) json.projectId = projectId;
			return [{ json: { ...json, ...report } }];
		}
		const responses = await toggleCertificates(this, place, action, certificateIds, settings);
		return responses.map((json) => ({ json }));
	}

	return { description, execute };
}
