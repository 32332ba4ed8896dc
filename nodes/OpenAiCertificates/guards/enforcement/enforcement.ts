/**
 * The enforcement guard: activating a certificate for the organization while none is active there turns
 * mTLS on for every project, so Activate asks for Confirm Organization-Wide Enforcement first.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { refusal } from '../../helpers/nodeErrors';
import type { TrustStep } from '../../helpers/trust';
import type { RequestSettings } from '../../transport';
import { organizationEnforced } from '../trustState';

export const confirmEnforcementNotice: INodeProperties = {
	displayName:
		'Activating a certificate for the organization while none is active there turns mTLS on for every project: from then on every API request of the organization needs a client certificate that chains to an active certificate. Send representative requests through the mTLS host from a project first, then turn on Confirm Organization-Wide Enforcement.',
	name: 'enforcementNotice',
	type: 'notice',
	default: '',
};

export const confirmEnforcementOption: INodeProperties = {
	displayName: 'Confirm Organization-Wide Enforcement',
	name: 'confirmOrganizationEnforcement',
	type: 'boolean',
	default: false,
	description:
		'Whether to activate even when no certificate is active for the organization yet, which makes every request of every project need an accepted client certificate',
};

/** What the enforcement guard reads of a change (guardChange.ts's GuardedChange has it all). */
interface EnforcementCheck {
	operation: string;
	steps: TrustStep[];
	/** Whether Confirm Organization-Wide Enforcement is on (only Activate asks). */
	confirmedEnforcement?: boolean;
	dryRun: boolean;
	settings: RequestSettings;
	itemIndex: number;
}

/** Whether the change turns enforcement on (undefined: it cannot); throws when it would, unconfirmed. */
export async function checkEnforcement(context: IExecuteFunctions, change: EnforcementCheck) {
	const atOrganization = change.steps.some(
		(step) => step.action === 'activate' && step.place.scope === 'organization',
	);
	if (!atOrganization || change.confirmedEnforcement !== false) return undefined;
	const turnsOn = !(await organizationEnforced(context, change.settings));
	if (turnsOn && !change.dryRun) {
		throw refusal(
			context.getNode(),
			change.itemIndex,
			`${change.operation} was not done: no certificate is active for the organization yet, so activating one there would make every request of every project need a client certificate that chains to it`,
			'Activate it for a non-critical project first and send representative requests through the mTLS host; when they succeed, turn on Confirm Organization-Wide Enforcement (Options). Add Client Certificates To Keep Working to have the node check your clients first.',
		);
	}
	return turnsOn;
}
