/** Delete's run step: deactivate in each place, then DELETE; a stop part-way says what was done. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Place } from '../../../api/place';
import { placesWhereActive, projectGone, toggleCertificates } from '../../../api/activation';
import { placeName } from '../../../api/place';
import { ActivationView } from '../../../api/activationView';
import { failedOutcome, outcomeOf, withReport } from '../../../helpers/progress';
import { adminApiRequest, ENDPOINTS } from '../../../transport';
import { isNotFound, isRefusedAsActive } from '../../../helpers/apiErrors';
import { asNodeError } from '../../../helpers/nodeErrors';
import type { CertificateDeleted } from '../../../helpers/answers';
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
	if (!deletion.ignoreNotFound || !isNotFound(error)) return false;
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

/**
 * Deactivates the certificate in each place in turn; stops at the first failure, whose report counts
 * `before` (an earlier attempt's deactivations) as done too.
 */
export async function deactivateEverywhere(
	context: IExecuteFunctions,
	deletion: Deletion,
	activeIn: Place[],
	before: Place[] = [],
): Promise<Deactivation> {
	const deactivatedIn: Place[] = [];
	for (const [index, place] of activeIn.entries()) {
		const ids = [deletion.certificateId];
		const toggled = await outcomeOf(() =>
			toggleCertificates(context, place, 'deactivate', ids, deletion.settings),
		);
		if (!toggled.ok && (await deletedMeanwhile(context, deletion, toggled.error)))
			return { deactivatedIn, deletedMeanwhile: true };
		// A project deleted since the view read it holds nothing active: nothing to deactivate there.
		if (!toggled.ok && (await projectGone(context, place, toggled.error, deletion.settings)))
			continue;
		if (!toggled.ok)
			throw deactivationFailed(
				context,
				deletion,
				toggled.error,
				[...before, ...deactivatedIn],
				activeIn.slice(index),
			);
		deactivatedIn.push(place);
	}
	return { deactivatedIn, deletedMeanwhile: false };
}

/** The DELETE call; undefined when the certificate was already gone and that is allowed. */
async function deleteCertificate(
	context: IExecuteFunctions,
	deletion: Deletion,
	deactivatedIn: Place[],
): Promise<CertificateDeleted | undefined> {
	const { certificateId, itemIndex } = deletion;
	const deleted = await outcomeOf(() =>
		adminApiRequest(
			context,
			{
				endpoint: ENDPOINTS.deleteCertificate,
				ids: { certificate_id: certificateId },
			},
			deletion.settings,
		),
	);
	// Ignore Not Found: a certificate already gone counts as deleted.
	if (deleted.ok || (deletion.ignoreNotFound && isNotFound(deleted.error))) {
		ActivationView.of(context).deleted(certificateId);
		return deleted.ok ? deleted.value : undefined;
	}
	// Refused, or of unknown outcome (it may be gone): what the organization holds is read again.
	ActivationView.of(context).forgetHeld();
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

/** What Delete did: the API's answer (undefined when it was already gone) and where it deactivated it first. */
export interface DeletionRun {
	deleted: CertificateDeleted | undefined;
	deactivatedIn: Place[];
}

type Attempt = DeletionRun | { stillActive: unknown; deactivatedIn: Place[] };

/** Deactivates where the view says it is active, then deletes; a refusal as still active is handed back. */
async function attempt(
	context: IExecuteFunctions,
	deletion: Deletion,
	activeIn: Place[],
	before: Place[],
): Promise<Attempt> {
	const deactivation = await deactivateEverywhere(context, deletion, activeIn, before);
	const deactivatedIn = [...before, ...deactivation.deactivatedIn];
	if (deactivation.deletedMeanwhile) return { deleted: undefined, deactivatedIn };
	const deleted = await outcomeOf(() => deleteCertificate(context, deletion, deactivatedIn));
	if (deleted.ok) return { deleted: deleted.value, deactivatedIn };
	if (!isRefusedAsActive(deleted.error)) throw deleted.error;
	if (!deletion.deactivateFirst) throw await saidWhereActive(context, deletion, deleted.error);
	return { stillActive: deleted.error, deactivatedIn };
}

/**
 * A Delete refused as still in use (`certificate_in_use`, Mutual TLS guide) without Deactivate Everywhere
 * First: the error says where it is active (read now), and that option. A failed read leaves the error as is.
 */
async function saidWhereActive(context: IExecuteFunctions, deletion: Deletion, error: unknown) {
	ActivationView.of(context).refresh();
	const places = await outcomeOf(() =>
		placesWhereActive(context, deletion.certificateId, deletion.settings),
	);
	const nodeError = asNodeError(context.getNode(), error, deletion.itemIndex);
	if (!places.ok || places.value.length === 0) return nodeError;
	const where = places.value.map(placeName).join(', ');
	nodeError.description = `${deletion.certificateId} is still active in ${where}. Turn on Deactivate Everywhere First to deactivate it there and then delete it (Client Certificates To Keep Working checks what that does to your clients), or deactivate it in each place first.`;
	return nodeError;
}

/**
 * Deactivate everywhere (when asked), then DELETE. When the API refuses because the certificate is
 * still active, someone activated it since the view was read: where it is active is read again, the
 * guard checks the new places, and it is deactivated there and deleted once more; a second refusal fails.
 */
export async function runDeletion(
	context: IExecuteFunctions,
	deletion: Deletion,
	activeIn: Place[],
	guard: (activeIn: Place[]) => Promise<unknown>,
): Promise<DeletionRun> {
	const first = await attempt(context, deletion, activeIn, []);
	if (!('stillActive' in first)) return first;
	ActivationView.of(context).refresh();
	const again = await outcomeOf(async () => {
		const now = await placesWhereActive(context, deletion.certificateId, deletion.settings);
		await guard(now);
		return now;
	});
	if (!again.ok) throw stoppedBeforeRetry(context, deletion, again.error, first.deactivatedIn);
	const second = await attempt(context, deletion, again.value, first.deactivatedIn);
	if ('stillActive' in second) throw second.stillActive;
	return second;
}

/** The re-read or the guard failed after the first attempt: its deactivations stay reported as done. */
function stoppedBeforeRetry(
	context: IExecuteFunctions,
	deletion: Deletion,
	error: unknown,
	deactivatedIn: Place[],
) {
	const { certificateId } = deletion;
	// A guard's refusal says nothing was changed: here the first attempt's deactivations were.
	if (error instanceof NodeOperationError && error.description)
		error.description = error.description.replace('Nothing was changed. ', '');
	return withReport(
		context.getNode(),
		error,
		`${certificateId} was deactivated in ${deactivatedIn.map(placeName).join(', ') || 'no place'}, but the API found it still active (activated elsewhere meanwhile) and checking where failed or was refused; it was not deleted.`,
		{
			done: deactivatedIn.map((place) => deactivateStep(certificateId, place)),
			failed: { step: 'delete', certificateId, status: 'not done' },
			notDone: [],
			rerun: DELETE_AGAIN,
		},
		deletion.itemIndex,
	);
}
