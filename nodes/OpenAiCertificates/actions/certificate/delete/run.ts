/** Delete's run step: deactivate in each place, then DELETE; a stop part-way says what was done. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Place } from '../../../api/activation';
import { placeName, toggleCertificates } from '../../../api/activation';
import { failedOutcome, outcomeOf, withReport } from '../../../helpers/progress';
import { adminApiRequest, asNodeError } from '../../../transport';
import type { CertificateDeleted } from '../../../transport/shapes';
import type { Deletion } from './read';
import { exists } from './read';

/** How the deactivation ended: every place done, or the certificate vanished under it (another run). */
export interface Deactivation {
	deactivatedIn: Place[];
	deletedMeanwhile: boolean;
}

/** What running the same Delete again does after it stopped part-way. */
const DELETE_AGAIN =
	'Running the same Delete again deactivates it where it is still active, then deletes it (with Ignore Not Found on, a certificate already gone counts as deleted).';

function deactivateStep(certificateId: string, place: Place) {
	return { step: 'deactivate', place: placeName(place), certificateId };
}

/** Whether a refused deactivation means another run (a second cleanup job, a worker) deleted it meanwhile. */
async function deletedMeanwhile(
	context: IExecuteFunctions,
	deletion: Deletion,
	error: unknown,
): Promise<boolean> {
	if (!deletion.ignoreNotFound || !(error instanceof NodeApiError) || error.httpCode !== '404')
		return false;
	return !(await exists(context, deletion));
}

function deactivationFailed(
	context: IExecuteFunctions,
	deletion: Deletion,
	error: unknown,
	done: Place[],
	notDone: Place[],
) {
	const { certificateId } = deletion;
	const step = (place: Place) => deactivateStep(certificateId, place);
	const [failed, ...rest] = notDone;
	const status = failedOutcome(error);
	const deactivated = `it was deactivated in ${done.map(placeName).join(', ') || 'no place'}`;
	const active = (places: Place[]) => `is still active in ${places.map(placeName).join(', ')}`;
	const where =
		status === 'not done'
			? `${deactivated} and ${active(notDone)}`
			: `whether it took effect there is unknown; ${deactivated}${rest.length ? ` and ${active(rest)}` : ''}`;
	return withReport(
		context.getNode(),
		error,
		`Deactivating ${certificateId} failed in ${placeName(failed)}; ${where}. It was not deleted.`,
		{
			done: done.map(step),
			failed: { ...step(failed), status },
			notDone: [...rest.map(step), { step: 'delete', certificateId }],
			rerun: DELETE_AGAIN,
		},
		deletion.itemIndex,
	);
}

/** Deactivates the certificate in each place in turn; stops at the first failure. */
export async function deactivateEverywhere(
	context: IExecuteFunctions,
	deletion: Deletion,
	activeIn: Place[],
): Promise<Deactivation> {
	const deactivatedIn: Place[] = [];
	for (const place of activeIn) {
		const ids = [deletion.certificateId];
		const toggled = await outcomeOf(() =>
			toggleCertificates(context, place, 'deactivate', ids, deletion.settings),
		);
		if (!toggled.ok && (await deletedMeanwhile(context, deletion, toggled.error)))
			return { deactivatedIn, deletedMeanwhile: true };
		if (!toggled.ok)
			throw deactivationFailed(
				context,
				deletion,
				toggled.error,
				deactivatedIn,
				activeIn.slice(deactivatedIn.length),
			);
		deactivatedIn.push(place);
	}
	return { deactivatedIn, deletedMeanwhile: false };
}

/** The DELETE call; undefined when the certificate was already gone and that is allowed. */
export async function deleteCertificate(
	context: IExecuteFunctions,
	deletion: Deletion,
	deactivatedIn: Place[],
): Promise<CertificateDeleted | undefined> {
	const { certificateId, itemIndex } = deletion;
	const deleted = await outcomeOf(() =>
		adminApiRequest<CertificateDeleted | undefined>(
			context,
			{
				method: 'DELETE',
				path: ['organization', 'certificates', certificateId],
				notFoundIsUndefined: deletion.ignoreNotFound,
			},
			deletion.settings,
		),
	);
	if (deleted.ok) return deleted.value;
	if (deactivatedIn.length === 0) throw asNodeError(context.getNode(), deleted.error, itemIndex);
	const status = failedOutcome(deleted.error);
	const now =
		status === 'not done'
			? 'it now exists inactive'
			: 'whether it was deleted is unknown (it exists inactive, or is gone)';
	throw withReport(
		context.getNode(),
		deleted.error,
		`${certificateId} was deactivated in ${deactivatedIn.map(placeName).join(', ')} but deleting it failed; ${now}.`,
		{
			done: deactivatedIn.map((place) => deactivateStep(certificateId, place)),
			failed: { step: 'delete', certificateId, status },
			notDone: [],
			rerun: DELETE_AGAIN,
		},
		itemIndex,
	);
}
