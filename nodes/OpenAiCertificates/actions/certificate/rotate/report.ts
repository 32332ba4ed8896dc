/**
 * What Rotate tells: each step with what this run did to it (done), found already done by an earlier
 * run (found done) or left (not done, failed, undone); the output item, the dry run, and the error of a
 * rotation that stopped.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { placeName } from '../../../api/place';
import { failedOutcome, withReport } from '../../../helpers/progress';
import { certificateInputReport } from '../../shared/certificateInput';
import { ADMIN_ACCESS_FIX } from '../../../guards/adminAccess/adminAccess';
import type { PlannedStep, RotationPlan } from './plan';
import { PAUSE_MARK } from './plan';

type PauseFor = NonNullable<RotationPlan['pauseFor']>;
import type { Rotation } from './read';

/**
 * 'unknown': the step's write failed in a way that may have taken effect (its answer was lost); 'failed':
 * a check that failed (the canary verification).
 */
export type StepStatus = 'done' | 'found done' | 'not done' | 'unknown' | 'failed' | 'undone';

export interface StepOutcome {
	step: PlannedStep;
	status: StepStatus;
	/** The upload's answer was unclear and the new certificate was found by its fingerprint. */
	reconciled?: boolean;
}

/** The certificate IDs a step acts on. */
export interface Ids {
	oldCertificateId: string;
	newCertificateId: string | undefined;
}

export function stepEntry({ step, status, reconciled }: StepOutcome, ids: Ids): IDataObject {
	const entry: IDataObject = { step: step.step };
	if ('place' in step) entry.place = placeName(step.place);
	if (step.step === 'activate' && step.canary) entry.canary = true;
	const acting = step.step === 'deactivate' || step.step === 'delete';
	entry.certificateId = acting ? ids.oldCertificateId : (ids.newCertificateId ?? null);
	entry.status = status;
	if (reconciled) entry.reconciled = true;
	return entry;
}

const effective = (outcome: StepOutcome) =>
	outcome.status === 'done' || outcome.status === 'found done';

function placesOf(outcomes: StepOutcome[], kind: 'activate' | 'deactivate'): string[] {
	return outcomes.flatMap(({ step, ...outcome }) =>
		step.step === kind && effective({ step, ...outcome }) ? [placeName(step.place)] : [],
	);
}

/** The places of the steps of this kind that had this status: what this run did, or found done. */
function placesWith(outcomes: StepOutcome[], kind: 'activate' | 'deactivate', status: StepStatus) {
	return outcomes.flatMap(({ step, status: actual }) =>
		step.step === kind && actual === status ? [placeName(step.place)] : [],
	);
}

function listed(places: string[]): string {
	return places.length ? places.join(', ') : 'no place';
}

/** What the next run does after a pause after the canary, from whether the mark was set. */
function markText(pauseMark: string | undefined): string {
	if (pauseMark === 'set')
		return `Until then the new certificate's name ends with "${PAUSE_MARK}": that is how the next run knows this pause is its own.`;
	if (pauseMark === 'unknown')
		return `Whether the new certificate's name now ends with "${PAUSE_MARK}" is unknown (the rename's answer was lost): if it does, the next run continues; if not, it pauses here once more.`;
	return `The new certificate's name could not be given the mark "${PAUSE_MARK}": the next run pauses here once more (and sets it), the one after continues.`;
}

function summaryOf(
	rotation: Rotation,
	outcomes: StepOutcome[],
	pausedFor?: PauseFor,
	pauseMark?: string,
): string {
	const count = (status: StepStatus) =>
		outcomes.filter((outcome) => outcome.status === status).length;
	const tally = `${count('done')} step(s) done by this run, ${count('found done')} found done`;
	if (!pausedFor) return `Rotated: ${tally}.`;
	if (pausedFor === 'adminClientCertificate')
		return `Paused before deactivating the old certificate for the organization: ${tally}. The new certificate is active beside the old one. That step would refuse this node's own Admin API requests: ${ADMIN_ACCESS_FIX.replace(', then run again', ', then run this Rotate again with the same input to finish')}`;
	return `Paused after the canary in project ${rotation.canaryProjectId}: ${tally}. Check your workloads there, then run this Rotate again with the same input to continue. ${markText(pauseMark)}`;
}

export function rotationOutput(
	rotation: Rotation,
	run: {
		outcomes: StepOutcome[];
		paused: boolean;
		verified: boolean;
		pausedFor?: PauseFor;
		pauseMark?: string;
	},
	ids: Ids,
): IDataObject {
	const { outcomes } = run;
	return {
		...ids,
		canaryProject: rotation.canaryProjectId ?? null,
		verified: run.verified,
		paused: run.paused,
		...(run.paused ? { pausedFor: run.pausedFor ?? 'canary' } : {}),
		...(run.pauseMark ? { pauseMark: run.pauseMark } : {}),
		// What this run changed; what it found done apart. A place where the new certificate was already
		// active is no deactivation of the old one, which may never have been active there.
		activatedIn: placesWith(outcomes, 'activate', 'done'),
		alreadyActiveIn: placesWith(outcomes, 'activate', 'found done'),
		deactivatedIn: placesWith(outcomes, 'deactivate', 'done'),
		deleted: outcomes.some(({ step, status }) => step.step === 'delete' && status === 'done'),
		...(outcomes.some(({ step, status }) => step.step === 'delete' && status === 'found done')
			? { oldAlreadyDeleted: true }
			: {}),
		summary: summaryOf(
			rotation,
			outcomes,
			run.paused ? (run.pausedFor ?? 'canary') : undefined,
			run.pauseMark,
		),
		steps: outcomes.map((outcome) => stepEntry(outcome, ids)),
		...certificateInputReport(rotation.input, rotation.options),
	};
}

export function dryRunOutput(rotation: Rotation, plan: RotationPlan, ids: Ids): IDataObject {
	const would = (kind: 'activate' | 'deactivate') =>
		plan.steps.flatMap((step) =>
			step.step === kind && !step.foundDone ? [placeName(step.place)] : [],
		);
	const uploaded = plan.steps[0].foundDone;
	const deleting = plan.steps.some((step) => step.step === 'delete' && !step.foundDone);
	return {
		dryRun: true,
		...ids,
		canaryProject: rotation.canaryProjectId ?? null,
		wouldUpload: uploaded ? null : { name: rotation.name ?? null },
		wouldActivateIn: would('activate'),
		wouldDeactivateIn: would('deactivate'),
		wouldDelete: deleting ? ids.oldCertificateId : null,
		wouldPauseFor: plan.pauseAfter >= 0 ? (plan.pauseFor ?? 'canary') : null,
		steps: plan.steps.map((step) =>
			stepEntry({ step, status: step.foundDone ? 'found done' : 'not done' }, ids),
		),
		...certificateInputReport(rotation.input, rotation.options),
	};
}

/** What the organization holds after a rotation stopped at the failed step, as far as it is known. */
function stateAfter(failed: StepOutcome, before: StepOutcome[], ids: Ids, undo?: StepOutcome) {
	const { step, status } = failed;
	if (!ids.newCertificateId && status === 'unknown')
		return 'Whether the new certificate was uploaded is unknown (the answer was lost and looking for it by its SHA-256 fingerprint failed); nothing else was changed.';
	if (!ids.newCertificateId) return 'Nothing was changed: the new certificate was not uploaded.';
	const afterUndo =
		undo?.status === 'undone' ? before.filter((outcome) => outcome.step !== undo.step) : before;
	const where = 'place' in step ? ` in ${placeName(step.place)}` : '';
	const unknown =
		status === 'unknown' ? ` Whether the ${step.step}${where} took effect is unknown.` : '';
	return `The new certificate ${ids.newCertificateId} was uploaded and is active in ${listed(placesOf(afterUndo, 'activate'))}; the old certificate ${ids.oldCertificateId} was deactivated in ${listed(placesOf(afterUndo, 'deactivate'))}.${unknown}`;
}

function undoText(undo: StepOutcome | undefined): string {
	if (!undo) return '';
	if (undo.status === 'undone') return ' The canary activation was undone; nothing else changed.';
	if (undo.status === 'unknown')
		return ' Whether the canary activation was undone is unknown (the answer of its deactivation was lost); nothing else changed.';
	return ' The canary activation was NOT undone (the deactivation failed too); nothing else changed.';
}

/** What a re-run does: it reads the organization again, so it never repeats what was done. */
function rerunText(failed: StepOutcome, ids: Ids): string {
	if (ids.newCertificateId)
		return 'Running the same Rotate again reads where each certificate is active and continues from here.';
	if (failed.status === 'unknown')
		return 'Running the same Rotate again looks for the new certificate by its SHA-256 fingerprint: if it was uploaded it continues with it, else it uploads it.';
	return 'Running the same Rotate again starts with the upload.';
}

/** The error of a rotation stopped at `failed`: the outcomes before it, the steps after it not done. */
export function rotationFailed(
	context: IExecuteFunctions,
	rotation: Rotation,
	plan: RotationPlan,
	before: StepOutcome[],
	error: unknown,
	ids: Ids,
	undo?: StepOutcome,
	failedStep: PlannedStep = plan.steps[before.length],
) {
	const step = failedStep;
	const failed: StepOutcome = {
		step,
		status: step.step === 'verify' ? 'failed' : failedOutcome(error),
	};
	const failedAt = plan.steps.indexOf(step);
	const entry = (outcome: StepOutcome) => stepEntry(outcome, ids);
	const notDone = plan.steps
		.filter((left) => left !== step && !before.some((outcome) => outcome.step === left))
		.map((left) => ({ step: left, status: 'not done' }) as const);
	const where = 'place' in step ? ` in ${placeName(step.place)}` : '';
	return withReport(
		context.getNode(),
		error,
		`Rotation of ${ids.oldCertificateId} stopped at step ${failedAt + 1} of ${plan.steps.length} (${step.step}${where}). ${stateAfter(failed, before, ids, undo)}${undoText(undo)}`,
		{
			done: before.filter(effective).map(entry),
			...(before.some((outcome) => outcome.status === 'unknown')
				? { unknown: before.filter((outcome) => outcome.status === 'unknown').map(entry) }
				: {}),
			failed: entry(failed),
			notDone: notDone.map(entry),
			...(undo ? { undone: [entry(undo)] } : {}),
			rerun: rerunText(failed, ids),
			...ids,
			newCertificateId: ids.newCertificateId ?? null,
		},
		rotation.itemIndex,
	);
}
