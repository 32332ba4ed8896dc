/**
 * Rotate: replaces a certificate with a new one without a moment where neither is active, as OpenAI's
 * mTLS guide recommends: upload the new one, activate it in a canary project first and verify it there
 * (or pause), then everywhere the old one is active, only then deactivate the old one, and delete it if
 * asked. Convergent: a run that stopped at any step and is run again with the same input finds what was
 * done (the new certificate by its fingerprint) and does only the rest.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { certificateCheckOptions, certificateInputFields } from '../shared/certificateInput';
import { guardChange, runGuarded } from '../../guards/guardChange';
import { keepWorkingOptions, readKeepWorking } from '../../guards/lockout/keepWorking';
import { rotationChange } from './rotate/guard';
import {
	certificateLocator,
	dryRunOption,
	optionsCollection,
	projectLocator,
} from '../shared/parameters';
import { pauseForAdminAccess } from './rotate/adminPause';
import { canaryProblem, planRotation } from './rotate/plan';
import { readRotation, readState } from './rotate/read';
import { dryRunOutput, rotationOutput } from './rotate/report';
import { runRotation } from './rotate/run';

const show = { resource: ['certificate'], operation: ['rotate'] };

const properties: INodeProperties[] = [
	certificateLocator({
		displayName: 'Old Certificate',
		description:
			'The certificate to replace. The new one is activated everywhere this one is active.',
	}),
	...certificateInputFields(show, 'New Certificate'),
	projectLocator({
		displayName: 'Canary Project',
		name: 'canaryProject',
		required: false,
		description:
			'A non-critical project that gets the new certificate first. It is verified there (with the optional OpenAI mTLS Client credential) or the run pauses, before the new certificate is activated anywhere else. Empty: no canary.',
	}),
	{
		displayName: 'Pause After Canary',
		name: 'pauseAfterCanary',
		type: 'boolean',
		default: false,
		description:
			'Whether to stop after activating the new certificate in the canary project (and verifying it, with an mTLS client credential). Running the same Rotate again continues from there.',
	},
	optionsCollection([
		{
			displayName: 'Delete Old',
			name: 'deleteOld',
			type: 'boolean',
			default: false,
			description:
				'Whether to delete the old certificate once the new one has replaced it everywhere',
		},
		dryRunOption,
		...keepWorkingOptions,
		...certificateCheckOptions,
	]),
];

export const description = updateDisplayOptions({ show }, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rotation = await readRotation.call(this, itemIndex);
	const state = await readState(this, rotation);
	const problem = canaryProblem(rotation, state);
	if (problem !== undefined)
		throw new NodeOperationError(this.getNode(), problem, {
			itemIndex,
			description:
				'Choose as Canary Project a project where the old certificate is in force (active for it, or for the organization). Nothing was changed.',
		});

	const plan = planRotation(rotation, state);
	const clients = await readKeepWorking.call(this, itemIndex, rotation.options);
	const ids = {
		oldCertificateId: rotation.oldCertificateId,
		newCertificateId: state.newCertificateId,
	};
	const change = async (): Promise<INodeExecutionData[]> => {
		const adminAccess = await pauseForAdminAccess(this, rotation, plan);
		const adminReport = adminAccess ? { adminAccess: { ...adminAccess } } : {};
		const thisRun = plan.steps.slice(0, plan.pauseAfter === -1 ? undefined : plan.pauseAfter + 1);
		const toDo = thisRun.filter((step) => !step.foundDone);
		const guard = await guardChange(this, rotationChange(rotation, toDo, clients));
		if (rotation.options.dryRun === true)
			return [{ json: { ...dryRunOutput(rotation, plan, ids), ...guard, ...adminReport } }];
		const run = await runRotation(this, rotation, plan, state);
		return [{ json: { ...rotationOutput(rotation, run, run.ids), ...adminReport } }];
	};
	const atOrganization = state.oldActiveIn.some((place) => place.scope === 'organization');
	return await runGuarded(this, { clients, atOrganization }, change);
}
