/**
 * Delete: removes a certificate from the organization, optionally after deactivating it everywhere it
 * is active. Reads as read (delete/read.ts) → plan (where it is active) → run (delete/run.ts) → output
 * (delete/report.ts).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { toggleSteps } from '../../api/activation';
import { certificateLocator, dryRunOption, readOptions, optionsCollection } from '../parameters';
import { guardChange, keepWorkingOptions, readKeepWorking } from '../lockoutGuard';
import { readDeletion, readDeletionState } from './delete/read';
import { deletionOutput, dryRunReport } from './delete/report';
import { deactivateEverywhere, deleteCertificate } from './delete/run';

const properties: INodeProperties[] = [
	certificateLocator({
		description:
			'The certificate to delete. It must be inactive in the organization and in every project, or use Deactivate Everywhere First.',
	}),
	optionsCollection([
		{
			displayName: 'Deactivate Everywhere First',
			name: 'deactivateFirst',
			type: 'boolean',
			default: false,
			description:
				'Whether to first deactivate the certificate in the organization and in every project where it is active (the API refuses to delete an active certificate)',
		},
		dryRunOption,
		...keepWorkingOptions,
		{
			displayName: 'Ignore Not Found',
			name: 'ignoreNotFound',
			type: 'boolean',
			default: false,
			description:
				'Whether to treat a certificate that no longer exists (or that another run deletes meanwhile) as already deleted, so cleanup jobs can run twice or at once',
		},
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['delete'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const deletion = readDeletion.call(this, itemIndex);
	const state = await readDeletionState(this, deletion);
	const steps = deletion.deactivateFirst
		? state.activeIn.flatMap((place) => toggleSteps(place, 'deactivate', [deletion.certificateId]))
		: [];
	const guard = await guardChange(this, {
		operation: 'Delete',
		steps,
		clients: await readKeepWorking.call(this, itemIndex, readOptions.call(this, itemIndex)),
		...deletion,
	});
	if (deletion.dryRun) return [{ json: { ...dryRunReport(deletion, state), ...guard } }];

	const deactivation = await deactivateEverywhere(this, deletion, state.activeIn);
	const { deactivatedIn } = deactivation;
	const deleted = deactivation.deletedMeanwhile
		? undefined
		: await deleteCertificate(this, deletion, deactivatedIn);
	return deletionOutput(deletion, deleted, deactivatedIn);
}
