/**
 * Rotate's run phase: the plan's steps in order — skipping those found done, stopping at the first
 * failure with the step report, pausing after the canary when asked. A canary that fails verification
 * is deactivated again before the run stops, so nothing else changes.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { toggleCertificates } from '../../../api/activation';
import { uploadCertificate } from '../../../api/upload';
import { failedOutcome, outcomeOf } from '../../../helpers/progress';
import { adminApiRequest } from '../../../transport';
import type { PlannedStep, RotationPlan } from './plan';
import type { OrganizationState, Rotation } from './read';
import type { Ids, StepOutcome } from './report';
import { rotationFailed } from './report';
import { verifyCanary } from './verify';

export interface RotationRun {
	outcomes: StepOutcome[];
	paused: boolean;
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
	else if (step.step === 'delete')
		await adminApiRequest(
			context,
			{ method: 'DELETE', path: ['organization', 'certificates', oldCertificateId] },
			settings,
		);
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
): Promise<{ id: string; outcome: StepOutcome }> {
	const [upload] = plan.steps;
	if (state.newCertificateId !== undefined)
		return { id: state.newCertificateId, outcome: { step: upload, status: 'found done' } };
	const { input, name, settings } = rotation;
	// The answer's shape is checked (transport/shapes.ts): its ID is a valid ID, never null. An unclear
	// answer is settled by the new certificate's fingerprint (api/upload.ts): found, it is not sent again.
	const uploaded = await outcomeOf(() => uploadCertificate(context, input, name, settings));
	const ids = { oldCertificateId: rotation.oldCertificateId, newCertificateId: undefined };
	if (!uploaded.ok) throw rotationFailed(context, rotation, plan, [], uploaded.error, ids);
	const { id, reconciled } = uploaded.value;
	return { id, outcome: { step: upload, status: 'done', ...(reconciled ? { reconciled } : {}) } };
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
	let verified = false;
	for (const [index, step] of plan.steps.entries()) {
		if (index === 0) continue; // the upload, done above
		if (plan.pauseAfter >= 0 && index > plan.pauseAfter) {
			const rest = plan.steps
				.slice(index)
				.map((left) => ({ step: left, status: 'not done' }) as const);
			return { outcomes: [...outcomes, ...rest], paused: true, verified, ids };
		}
		if (step.foundDone) {
			outcomes.push({ step, status: 'found done' });
			continue;
		}
		const ran = await outcomeOf(() => runStep(context, rotation, step, uploaded.id));
		if (!ran.ok) {
			const undo =
				step.step === 'verify' && plan.undoCanaryOnFailure
					? await undoCanary(context, rotation, outcomes, uploaded.id)
					: undefined;
			throw rotationFailed(context, rotation, plan, outcomes, ran.error, ids, undo);
		}
		verified ||= step.step === 'verify';
		outcomes.push({ step, status: 'done' });
	}
	return { outcomes, paused: false, verified, ids };
}
