/**
 * Rotate and the node's own admin access: a rotation of a CA active for the organization deactivates it
 * there, which cuts off an admin client certificate that chains only to it (help centre: organization-level
 * mTLS is enforced on Admin API requests too). The run then stops before that step — paused, nothing
 * undone, the new CA active beside the old one — until the credential holds a client certificate of the
 * new CA; the same Rotate run again finishes the job.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { AdminAccess } from '../../../guards/adminAccess/adminAccess';
import { adminAccessThrough } from '../../../guards/adminAccess/adminAccess';
import { newCertificateAnchor, rotationTrustSteps } from './guard';
import type { RotationPlan } from './plan';
import type { Rotation } from './read';

/** Moves the plan's pause before the first step that would cut the node off; returns what it found. */
export async function pauseForAdminAccess(
	context: IExecuteFunctions,
	rotation: Rotation,
	plan: RotationPlan,
): Promise<AdminAccess | undefined> {
	const open = plan.steps.flatMap((step, index) =>
		!step.foundDone && (step.step === 'activate' || step.step === 'deactivate')
			? [{ step, index }]
			: [],
	);
	// One trust step per open step (all are activations or deactivations), so indices correspond.
	const steps = rotationTrustSteps(
		rotation,
		open.map(({ step }) => step),
	);
	const known = [newCertificateAnchor(rotation)];
	const access = await adminAccessThrough(context, steps, known, rotation.settings);
	if (access?.refusedAfter === undefined) return access;
	const stopBefore = open[access.refusedAfter].index;
	if (plan.pauseAfter === -1 || plan.pauseAfter >= stopBefore) {
		plan.pauseAfter = stopBefore - 1;
		plan.pauseFor = 'adminClientCertificate';
	}
	return access;
}
