import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Place, Toggle } from '../../api/place';
import { toggleCertificates, toggleSteps } from '../../api/activation';
import { ORGANIZATION, projectPlace } from '../../api/place';
import type { RequestSettings } from '../../transport';
import {
	confirmEnforcementNotice,
	confirmEnforcementOption,
} from '../../guards/enforcement/enforcement';
import { guardChange, runGuarded } from '../../guards/guardChange';
import { keepWorkingOptions, readKeepWorking } from '../../guards/lockout/keepWorking';
import {
	certificateIdsField,
	dryRunOption,
	projectLocator,
	readProjectId,
	readIdList,
	readOptions,
	requestSettings,
	optionsCollection,
} from './parameters';

/** Which of the four Activate/Deactivate operations: where (organization or project) and what. */
interface Toggling {
	resource: 'certificate' | 'projectCertificate';
	action: Toggle;
	inProject: boolean;
	/** Activate in the organization: it may turn on organization-wide enforcement. */
	enforcing: boolean;
}

/** What one item asks for. */
interface ToggleRequest {
	projectId: string | undefined;
	place: Place;
	certificateIds: string[];
	options: IDataObject;
	settings: RequestSettings;
	dryRun: boolean;
}

function toggleDescription({ resource, action, inProject, enforcing }: Toggling) {
	const where = inProject ? 'in the project' : 'in the organization';
	const properties: INodeProperties[] = [
		...(inProject
			? [projectLocator({ description: `The project to ${action} the certificates in` })]
			: []),
		{
			...certificateIdsField,
			hint: `The certificates to ${action} ${where}. ${certificateIdsField.hint}`,
		},
		...(enforcing ? [confirmEnforcementNotice] : []),
		optionsCollection([
			...(enforcing ? [confirmEnforcementOption] : []),
			...keepWorkingOptions,
			dryRunOption,
		]),
	];
	return updateDisplayOptions({ show: { resource: [resource], operation: [action] } }, properties);
}

function readToggle(
	this: IExecuteFunctions,
	{ inProject }: Toggling,
	itemIndex: number,
): ToggleRequest {
	const projectId = inProject
		? readProjectId.call(this, 'projectId', 'Project', itemIndex)
		: undefined;
	const place: Place = projectId === undefined ? ORGANIZATION : projectPlace(projectId);
	const certificateIds = readIdList.call(this, 'certificateIds', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	return { projectId, place, certificateIds, options, settings, dryRun: options.dryRun === true };
}

function dryRunOutput(
	{ action }: Toggling,
	request: ToggleRequest,
	report: IDataObject,
): INodeExecutionData[] {
	const json: IDataObject = {
		dryRun: true,
		[`would${action === 'activate' ? 'Activate' : 'Deactivate'}`]: request.certificateIds,
	};
	if (request.projectId !== undefined) json.projectId = request.projectId;
	return [{ json: { ...json, ...report } }];
}

function toggleExecute(toggling: Toggling) {
	const { action, enforcing } = toggling;
	return async function execute(
		this: IExecuteFunctions,
		itemIndex: number,
	): Promise<INodeExecutionData[]> {
		const request = readToggle.call(this, toggling, itemIndex);
		const { place, certificateIds, options, settings, dryRun } = request;
		const clients = await readKeepWorking.call(this, itemIndex, options);
		const change = async () => {
			const report = await guardChange(this, {
				operation: action === 'activate' ? 'Activate' : 'Deactivate',
				steps: toggleSteps(place, action, certificateIds),
				clients,
				confirmedEnforcement: enforcing
					? options.confirmOrganizationEnforcement === true
					: undefined,
				dryRun,
				settings,
				itemIndex,
			});
			if (dryRun) return dryRunOutput(toggling, request, report);
			const responses = await toggleCertificates(this, place, action, certificateIds, settings);
			return responses.map((json) => ({ json }));
		};
		const atOrganization = place.scope === 'organization';
		return await runGuarded(this, { clients, enforcement: enforcing, atOrganization }, change);
	};
}

/**
 * The four Activate/Deactivate operations (organization and project) differ only in where and what;
 * each operation file names its pair and gets its description and execute from here.
 */
export function toggleOperation(resource: Toggling['resource'], action: Toggle) {
	const inProject = resource === 'projectCertificate';
	const toggling: Toggling = {
		resource,
		action,
		inProject,
		enforcing: action === 'activate' && !inProject,
	};
	return { description: toggleDescription(toggling), execute: toggleExecute(toggling) };
}
