/** Delete's read step: what the item asks for, and what the organization holds for that certificate. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Place } from '../../../api/place';
import { placesWhereActive } from '../../../api/activation';
import type { RequestSettings } from '../../../transport';
import { adminApiRequest, ENDPOINTS } from '../../../transport';
import { isNotFound } from '../../../helpers/apiErrors';
import { outcomeOf } from '../../../helpers/progress';
import { readId, readOptions, requestSettings } from '../../shared/parameters';

/** What one item asks for. */
export interface Deletion {
	certificateId: string;
	deactivateFirst: boolean;
	ignoreNotFound: boolean;
	dryRun: boolean;
	settings: RequestSettings;
	itemIndex: number;
}

/** Where the certificate stands: whether it exists (looked up on a dry run only) and where it is active. */
export interface DeletionState {
	found: boolean;
	activeIn: Place[];
}

export function readDeletion(this: IExecuteFunctions, itemIndex: number): Deletion {
	const certificateId = readId.call(this, 'certificateId', itemIndex);
	const options = readOptions.call(this, itemIndex);
	return {
		certificateId,
		deactivateFirst: options.deactivateFirst === true,
		ignoreNotFound: options.ignoreNotFound === true,
		dryRun: options.dryRun === true,
		settings: requestSettings.call(this, options, itemIndex),
		itemIndex,
	};
}

/** Whether the certificate exists (a read; 404 means it does not). */
export async function exists(context: IExecuteFunctions, deletion: Deletion): Promise<boolean> {
	const call = {
		endpoint: ENDPOINTS.getCertificate,
		ids: { certificate_id: deletion.certificateId },
	};
	const found = await outcomeOf(() => adminApiRequest(context, call, deletion.settings));
	if (!found.ok && !isNotFound(found.error)) throw found.error;
	return found.ok;
}

/** Reads only what the run needs: existence for a dry run, places for a dry run or Deactivate Everywhere First. */
export async function readDeletionState(
	context: IExecuteFunctions,
	deletion: Deletion,
): Promise<DeletionState> {
	const found = deletion.dryRun ? await exists(context, deletion) : true;
	const activeIn =
		found && (deletion.dryRun || deletion.deactivateFirst)
			? await placesWhereActive(context, deletion.certificateId, deletion.settings)
			: [];
	return { found, activeIn };
}
