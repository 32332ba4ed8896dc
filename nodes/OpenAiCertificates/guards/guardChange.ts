/**
 * The guards of every operation that changes where certificates are active, run before anything is
 * written: the enforcement confirmation (enforcement/), the node's own admin access (adminAccess/) and
 * Client Certificates To Keep Working (lockout/), each checked against the state before, during and after
 * the change. Operations describe their change as steps; the trust logic is in helpers/trust.ts.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ActivationView } from '../api/activationView';
import { refusal } from '../helpers/nodeErrors';
import type { ClientChain, TrustAnchor, TrustStep } from '../helpers/trust';
import type { RequestSettings } from '../transport';
import {
	ADMIN_ACCESS_FIX,
	adminAccessThrough,
	adminClientPresented,
	adminLockoutText,
} from './adminAccess/adminAccess';
import { checkEnforcement } from './enforcement/enforcement';
import type { LockoutRow } from './lockout/table';
import { lockoutSummary, lockoutTable } from './lockout/table';
import { readTrustState } from './trustState';

export interface GuardedChange {
	/** What the operation would do, e.g. "Deactivate", for messages. */
	operation: string;
	steps: TrustStep[];
	clients: ClientChain[];
	/** Anchors not uploaded yet (Rotate's new certificate), by the ID the steps use. */
	known?: TrustAnchor[];
	/** 'pause': the caller stops before a step that would cut off the node's admin access (Rotate). */
	adminAccess?: 'refuse' | 'pause';
	/** Whether Confirm Organization-Wide Enforcement is on (only Activate asks). */
	confirmedEnforcement?: boolean;
	dryRun: boolean;
	settings: RequestSettings;
	itemIndex: number;
}

/**
 * Runs the guards of a change before it is sent. Returns what a dry run reports (the lockout table,
 * and whether it would turn on organization-wide enforcement); throws when the change would lock out
 * a listed client or turn enforcement on unconfirmed, unless it is a dry run.
 */
export async function guardChange(
	context: IExecuteFunctions,
	change: GuardedChange,
): Promise<IDataObject> {
	const report: IDataObject = {};
	const turnsOn = await checkEnforcement(context, change);
	if (turnsOn !== undefined) report.turnsOnOrganizationEnforcement = turnsOn;
	if (change.adminAccess !== 'pause') {
		const known = change.known ?? [];
		const access = await adminAccessThrough(context, change.steps, known, change.settings);
		if (access) report.adminAccess = { ...access };
		if (access?.refusedAfter !== undefined && !change.dryRun) {
			const message = `${change.operation} was not done: ${adminLockoutText(access)}`;
			throw refusal(
				context.getNode(),
				change.itemIndex,
				message,
				`Nothing was changed. ${ADMIN_ACCESS_FIX}`,
			);
		}
	}
	if (change.clients.length === 0 || change.steps.length === 0) return report;
	const state = await readTrustState(context, change.steps, change.known ?? [], change.settings);
	const nowSeconds = Math.floor(Date.now() / 1000);
	const rows: LockoutRow[] = lockoutTable({
		...state,
		clients: change.clients,
		steps: change.steps,
		nowSeconds,
	});
	report.clientCheck = rows;
	const lockedOut = rows.filter((row) => row.lockedOut);
	if (lockedOut.length > 0 && !change.dryRun) {
		const error = refusal(
			context.getNode(),
			change.itemIndex,
			`${change.operation} was not done: it would lock out ${lockedOut.length} of the Client Certificates To Keep Working. ${lockoutSummary(rows)}`,
			'Nothing was changed. Activate a certificate these clients chain to first (or issue them new client certificates from a CA that stays active), or remove them from Client Certificates To Keep Working if they may stop working. Dry Run shows the whole table.',
		);
		error.context.clientCheck = rows;
		throw error;
	}
	return report;
}

/**
 * Runs a change: changes of items in flight at once run one after the other (api/activationView.ts) when
 * one item's guard depends on what the items before it changed — with clients to keep working, a change
 * the enforcement guard checks, or one at the organization while the node's own admin client depends on
 * what is active there.
 */
export async function runGuarded<T>(
	context: IExecuteFunctions,
	scope: { clients: ClientChain[]; enforcement?: boolean; atOrganization: boolean },
	change: () => Promise<T>,
): Promise<T> {
	const oneAtATime =
		scope.clients.length > 0 ||
		scope.enforcement === true ||
		(scope.atOrganization && (await adminClientPresented(context)));
	return oneAtATime ? await ActivationView.of(context).oneAtATime(change) : await change();
}
