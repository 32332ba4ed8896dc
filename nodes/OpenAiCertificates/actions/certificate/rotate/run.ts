/**
 * Rotate's run phase: the plan's steps in order — skipping those found done, stopping at the first
 * failure with the step report, pausing after the canary when asked. A canary that fails verification
 * is deactivated again before the run stops, so nothing else changes.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { placesWhereActive, toggleCertificates } from '../../../api/activation';
import { placeName } from '../../../api/place';
import { uploadCertificate } from '../../../api/upload';
import { ActivationView, IN_FLIGHT } from '../../../api/activationView';
import { inParallel } from '../../../helpers/parallel';
import { failedOutcome, outcomeOf } from '../../../helpers/progress';
import { adminApiRequest, ENDPOINTS } from '../../../transport';
import { isRefusedAsActive } from '../../../helpers/apiErrors';
import { asNodeError } from '../../../helpers/nodeErrors';
import type { PlannedStep, RotationPlan } from './plan';
import { pausedHere, pauseMarked } from './plan';
import type { OrganizationState, Rotation } from './read';
import type { Ids, StepOutcome, StepStatus } from './report';
import { rotationFailed } from './report';
import { verifyCanary } from './verify';

export interface RotationRun {
	outcomes: StepOutcome[];
	paused: boolean;
	/** The pause's mark on the new certificate's name (plan.ts): set, or taken off by a resumed run. */
	pauseMark?: 'set' | 'not set' | 'removed' | 'not removed' | 'unknown';
	pausedFor?: RotationPlan['pauseFor'];
	verified: boolean;
	ids: Ids;
}

/** One step after the upload. */
async function runStep(
	context: IExecuteFunctions,
	rotation: Rotation,
	step: PlannedStep,
	newCertificateId: string,
): Promise<void> {
	const { oldCertificateId, settings, client, itemIndex } = rotation;
	if (step.step === 'activate')
		await toggleCertificates(context, step.place, 'activate', [newCertificateId], settings);
	else if (step.step === 'deactivate')
		await toggleCertificates(context, step.place, 'deactivate', [oldCertificateId], settings);
	else if (step.step === 'verify' && client)
		await verifyCanary(context, client, step.place, settings.timeout, itemIndex);
	else if (step.step === 'delete') await deleteOld(context, rotation);
}

/**
 * Deletes the old certificate. Refused as still active, it was activated somewhere since this run read
 * the organization: where is read again and said, and a re-run replaces it there too.
 */
async function deleteOld(context: IExecuteFunctions, rotation: Rotation): Promise<void> {
	const { oldCertificateId, settings } = rotation;
	const call = { endpoint: ENDPOINTS.deleteCertificate, ids: { certificate_id: oldCertificateId } };
	const deleted = await outcomeOf(() => adminApiRequest(context, call, settings));
	const view = ActivationView.of(context);
	if (deleted.ok) return view.deleted(oldCertificateId);
	// Refused, or of unknown outcome (it may be gone): what the organization holds is read again.
	view.forgetHeld();
	if (!isRefusedAsActive(deleted.error)) throw deleted.error;
	view.refresh();
	const places = await placesWhereActive(context, oldCertificateId, settings);
	const error = asNodeError(context.getNode(), deleted.error, rotation.itemIndex);
	error.description =
		`${oldCertificateId} was activated again since this run read the organization: it is now active in ${places.map(placeName).join(', ') || 'no place'}. Run Rotate again: it activates the new certificate there, retires the old one and then deletes it. ${error.description ?? ''}`.trim();
	throw error;
}

/** Deactivates the new certificate in the canary project again, after its verification failed. */
async function undoCanary(
	context: IExecuteFunctions,
	rotation: Rotation,
	outcomes: StepOutcome[],
	newCertificateId: string,
): Promise<StepOutcome | undefined> {
	const canary = outcomes.find(({ step }) => step.step === 'activate' && step.canary);
	if (!canary || canary.step.step !== 'activate') return undefined;
	const { place } = canary.step;
	const ids = [newCertificateId];
	const undone = await outcomeOf(() =>
		toggleCertificates(context, place, 'deactivate', ids, rotation.settings),
	);
	return { step: canary.step, status: undone.ok ? 'undone' : failedOutcome(undone.error) };
}

async function uploadOnce(
	context: IExecuteFunctions,
	rotation: Rotation,
	plan: RotationPlan,
	state: OrganizationState,
): Promise<{ id: string; name?: string | null; outcome: StepOutcome }> {
	const [upload] = plan.steps;
	if (state.newCertificateId !== undefined) {
		const outcome: StepOutcome = { step: upload, status: 'found done' };
		return { id: state.newCertificateId, name: state.newCertificateName, outcome };
	}
	const { input, name, settings } = rotation;
	// The answer's shape is checked (transport/endpoints.ts): its ID is a valid ID, never null. An unclear
	// answer is settled by the new certificate's fingerprint (api/upload.ts): found, it is not sent again.
	// Items of this execution rotating to the same certificate at once share one upload.
	const fingerprint = input.certificates[0]?.fingerprint256 ?? input.pem;
	const send = () => uploadCertificate(context, input, name, settings);
	const shared = ActivationView.of(context).uploadOnce(fingerprint, send, rotation.itemIndex);
	const uploaded = await outcomeOf(() => shared.uploaded);
	const ids = { oldCertificateId: rotation.oldCertificateId, newCertificateId: undefined };
	if (!uploaded.ok) throw rotationFailed(context, rotation, plan, [], uploaded.error, ids);
	const { id, reconciled } = uploaded.value;
	const named = uploaded.value.name;
	if (!shared.first) return { id, name: named, outcome: { step: upload, status: 'found done' } };
	return {
		id,
		name: named,
		outcome: { step: upload, status: 'done', ...(reconciled ? { reconciled } : {}) },
	};
}

/** Steps that run at once: consecutive activations beyond the canary, and consecutive deactivations. */
function batches(steps: PlannedStep[]): PlannedStep[][] {
	const parallel = (step: PlannedStep) =>
		(step.step === 'activate' && !step.canary) || step.step === 'deactivate';
	const grouped: PlannedStep[][] = [];
	for (const step of steps) {
		const last = grouped[grouped.length - 1];
		if (last && parallel(step) && last[0].step === step.step && parallel(last[0])) last.push(step);
		else grouped.push([step]);
	}
	return grouped;
}

interface BatchRun {
	outcomes: StepOutcome[];
	failure?: { step: PlannedStep; error: unknown };
}

/**
 * Runs a batch's steps IN_FLIGHT at a time (found-done ones are skipped); after a failure no
 * further step starts, those in flight finish. Outcomes in plan order: done, found done, not done or
 * (a later failure whose answer was lost) unknown.
 */
async function runBatch(
	context: IExecuteFunctions,
	rotation: Rotation,
	batch: PlannedStep[],
	newCertificateId: string,
): Promise<BatchRun> {
	let failure: BatchRun['failure'];
	const statuses = await inParallel(batch, IN_FLIGHT, async (step): Promise<StepStatus> => {
		if (step.foundDone) return 'found done';
		if (failure) return 'not done';
		const ran = await outcomeOf(() => runStep(context, rotation, step, newCertificateId));
		if (ran.ok) return 'done';
		// A second failure in the batch: its own outcome (not done, or unknown when its answer was lost).
		if (failure) return failedOutcome(ran.error);
		failure = { step, error: ran.error };
		return 'failed';
	});
	const outcomes = batch.map((step, index): StepOutcome => ({ step, status: statuses[index] }));
	return { outcomes: outcomes.filter((outcome) => outcome.status !== 'failed'), failure };
}

export async function runRotation(
	context: IExecuteFunctions,
	rotation: Rotation,
	plan: RotationPlan,
	state: OrganizationState,
): Promise<RotationRun> {
	const uploaded = await uploadOnce(context, rotation, plan, state);
	const ids: Ids = { oldCertificateId: rotation.oldCertificateId, newCertificateId: uploaded.id };
	const outcomes: StepOutcome[] = [uploaded.outcome];
	const rest = plan.steps.slice(1, plan.pauseAfter >= 0 ? plan.pauseAfter + 1 : undefined);
	for (const batch of batches(rest)) {
		const ran = await runBatch(context, rotation, batch, uploaded.id);
		outcomes.push(...ran.outcomes.filter((outcome) => outcome.status !== 'not done'));
		if (ran.failure === undefined) continue;
		const { step, error } = ran.failure;
		const undo =
			step.step === 'verify' && plan.undoCanaryOnFailure
				? await undoCanary(context, rotation, outcomes, uploaded.id)
				: undefined;
		throw rotationFailed(context, rotation, plan, outcomes, error, ids, undo, step);
	}
	const verified = outcomes.some(({ step, status }) => step.step === 'verify' && status === 'done');
	const paused = plan.pauseAfter >= 0 && plan.pauseAfter < plan.steps.length - 1;
	const left = plan.steps
		.slice(outcomes.length)
		.map((step): StepOutcome => ({ step, status: step.foundDone ? 'found done' : 'not done' }));
	const pausedFor = paused ? plan.pauseFor : undefined;
	const current = state.newCertificateName ?? uploaded.name;
	const pauseMark = await markPause(context, rotation, current, uploaded.id, pausedFor);
	const all = [...outcomes, ...(paused ? left : [])];
	return { outcomes: all, paused, pausedFor, ...(pauseMark ? { pauseMark } : {}), verified, ids };
}

/**
 * Sets the pause's mark on the new certificate's name when pausing after the canary, and takes it off when a
 * run ends without pausing and finds it there (plan.ts, PAUSE_MARK). A mark that could not be set makes the
 * next run pause again (the safe side); one whose rename's answer was lost is unknown; one that could not be
 * taken off is only a name.
 */
async function markPause(
	context: IExecuteFunctions,
	rotation: Rotation,
	current: string | null | undefined,
	newCertificateId: string,
	pausedFor: RotationPlan['pauseFor'],
): Promise<RotationRun['pauseMark']> {
	const marking = pausedFor === 'canary';
	if (!marking && (pausedFor !== undefined || !pausedHere(current))) return undefined;
	const { base, marked } = pauseMarked(current ?? rotation.name);
	const call = {
		endpoint: ENDPOINTS.modifyCertificate,
		ids: { certificate_id: newCertificateId },
		body: { name: marking ? marked : base },
	};
	const renamed = await outcomeOf(() => adminApiRequest(context, call, rotation.settings));
	if (renamed.ok) return marking ? 'set' : 'removed';
	if (failedOutcome(renamed.error) === 'unknown') return 'unknown';
	return marking ? 'not set' : 'not removed';
}
