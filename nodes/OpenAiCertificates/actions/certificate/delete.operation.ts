/**
 * Delete: removes a certificate from the organization, optionally after deactivating it everywhere it
 * is active. Reads as read (delete/read.ts) → plan (where it is active) → run (delete/run.ts) → output
 * (delete/report.ts).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Place } from '../../api/place';
import { toggleSteps } from '../../api/activation';
import {
	certificateLocator,
	dryRunOption,
	readOptions,
	optionsCollection,
} from '../shared/parameters';
import { guardChange, runGuarded } from '../../guards/guardChange';
import { keepWorkingOptions, readKeepWorking } from '../../guards/lockout/keepWorking';
import { readDeletion, readDeletionState } from './delete/read';
import { deletionOutput, dryRunReport } from './delete/report';
import { runDeletion } from './delete/run';

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
	const clients = await readKeepWorking.call(this, itemIndex, readOptions.call(this, itemIndex));
	const guard = async (activeIn: Place[]) =>
		await guardChange(this, {
			operation: 'Delete',
			steps: deletion.deactivateFirst
				? activeIn.flatMap((place) => toggleSteps(place, 'deactivate', [deletion.certificateId]))
				: [],
			clients,
			...deletion,
		});
	const change = async () => {
		const state = await readDeletionState(this, deletion);
		const report = await guard(state.activeIn);
		if (deletion.dryRun) return [{ json: { ...dryRunReport(deletion, state), ...report } }];
		const run = await runDeletion(this, deletion, state.activeIn, guard);
		return deletionOutput(deletion, run.deleted, run.deactivatedIn);
	};
	const atOrganization = deletion.deactivateFirst;
	return await runGuarded(this, { clients, atOrganization }, change);
}
