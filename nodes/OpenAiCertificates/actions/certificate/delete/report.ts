/** Delete's output: what a dry run would do, or what was deleted (and where it was deactivated first). */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Place } from '../../../api/place';
import { placeName } from '../../../api/place';
import type { CertificateDeleted } from '../../../helpers/answers';
import type { Deletion, DeletionState } from './read';

export function dryRunReport(deletion: Deletion, state: DeletionState): IDataObject {
	const missing = `Certificate ${deletion.certificateId} does not exist`;
	if (!state.found && deletion.ignoreNotFound)
		return { dryRun: true, notFound: true, wouldReport: `${missing}: already deleted.` };
	if (!state.found)
		return { dryRun: true, notFound: true, wouldFail: `${missing}; Delete would fail.` };
	const names = state.activeIn.map(placeName);
	const json: IDataObject = {
		dryRun: true,
		wouldDeactivate: deletion.deactivateFirst ? names : [],
		wouldDelete: deletion.certificateId,
		activeIn: names,
	};
	if (names.length > 0 && !deletion.deactivateFirst) {
		json.wouldFail =
			'The certificate is active; the API refuses to delete it unless Deactivate Everywhere First is on.';
	}
	return json;
}

export function deletionOutput(
	deletion: Deletion,
	deleted: CertificateDeleted | undefined,
	deactivatedIn: Place[],
): INodeExecutionData[] {
	// OpenAI's fields as returned, plus n8n's `deleted: true` for delete operations.
	const json: IDataObject = {
		...(deleted ?? {
			object: 'certificate.deleted',
			id: deletion.certificateId,
			alreadyDeleted: true,
		}),
		deleted: true,
	};
	if (deletion.deactivateFirst) json.deactivatedIn = deactivatedIn.map(placeName);
	return [{ json }];
}
