/**
 * Rotate's plan as the guards check it: the new certificate is activated where the plan says, the old one
 * deactivated; the new certificate is known by its content only (it is not uploaded yet).
 */
import type { X509Certificate } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import type { GuardedChange } from '../../../guards/guardChange';
import type { ClientChain, TrustAnchor, TrustStep } from '../../../helpers/trust';
import type { RequestSettings } from '../../../transport';

/** How Rotate's steps name the certificate it has not uploaded yet. */
export const NEW_CERTIFICATE = 'the new certificate';

interface RotationToGuard {
	oldCertificateId: string;
	name?: string;
	input: { certificates: X509Certificate[] };
	options: IDataObject;
	settings: RequestSettings;
	itemIndex: number;
}

/**
 * Rotate's plan steps as the guards replay them: the new certificate is activated where the plan says, the
 * old one deactivated; deleting an inactive one changes no traffic. The new certificate is known by its
 * content only (`newCertificateAnchor`): it is not uploaded yet.
 */
export function rotationTrustSteps(
	rotation: Pick<RotationToGuard, 'oldCertificateId'>,
	plan: ReadonlyArray<{ step: string; place?: TrustStep['place'] }>,
): TrustStep[] {
	return plan.flatMap((step): TrustStep[] => {
		if (step.place === undefined || (step.step !== 'activate' && step.step !== 'deactivate'))
			return [];
		const id = step.step === 'activate' ? NEW_CERTIFICATE : rotation.oldCertificateId;
		return [{ action: step.step, place: step.place, certificateIds: [id] }];
	});
}

export function newCertificateAnchor(
	rotation: Pick<RotationToGuard, 'name' | 'input'>,
): TrustAnchor {
	return {
		id: NEW_CERTIFICATE,
		name: rotation.name ?? NEW_CERTIFICATE,
		certificates: rotation.input.certificates,
	};
}

/** Rotate's plan as the lockout guard checks it (the node's own admin access is Rotate's pause instead). */
export function rotationChange(
	rotation: RotationToGuard,
	plan: ReadonlyArray<{ step: string; place?: TrustStep['place'] }>,
	clients: ClientChain[],
): GuardedChange {
	const steps = rotationTrustSteps(rotation, plan);
	const newCertificate = newCertificateAnchor(rotation);
	const { settings, itemIndex } = rotation;
	const dryRun = rotation.options.dryRun === true;
	return {
		operation: 'Rotate',
		adminAccess: 'pause',
		steps,
		clients,
		known: [newCertificate],
		dryRun,
		settings,
		itemIndex,
	};
}
