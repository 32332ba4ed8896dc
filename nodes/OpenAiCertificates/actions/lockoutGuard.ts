/**
 * The lockout guards of every operation that changes where certificates are active: Client Certificates
 * To Keep Working (checked against the state before, during and after the change) and the confirmation
 * for turning mTLS enforcement on for the whole organization. Operations read their options, describe
 * their change as steps and call `guardChange`; the trust logic is in helpers/, the reads in api/.
 */
import type { X509Certificate } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { organizationEnforced, readTrustState } from '../api/trustState';
import { ADMIN_ACCESS_FIX, adminAccessThrough, adminLockoutText } from '../guards/adminAccess';
import type { LockoutRow } from '../helpers/lockout';
import { lockoutSummary, lockoutTable } from '../helpers/lockout';
import { hasPrivateKey } from '../helpers/pem';
import type { ClientChain, TrustAnchor, TrustStep } from '../helpers/trust';
import { clientChainsFromPem } from '../helpers/trust';
import type { RequestSettings } from '../transport';

/** How Rotate's steps name the certificate it has not uploaded yet. */
export const NEW_CERTIFICATE = 'the new certificate';

export const keepWorkingOptions: INodeProperties[] = [
	{
		displayName: 'Client Certificates To Keep Working',
		name: 'keepWorking',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: '-----BEGIN CERTIFICATE-----\nMIIB... (client)\n-----END CERTIFICATE-----',
		description:
			'Client certificates (PEM; each followed by its intermediates) whose requests must still be accepted during and after this change. Before writing anything, the node checks each of them in every affected project and refuses a change that would lock one out. Certificates only, never a private key.',
	},
	{
		displayName: 'Client Certificates To Keep Working: Binary Fields',
		name: 'keepWorkingBinary',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, worker2',
		description:
			'Input binary fields holding PEM files of client certificates to check the same way, comma-separated',
	},
];

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

function refused(context: IExecuteFunctions, itemIndex: number, message: string, fix: string) {
	return new NodeOperationError(context.getNode(), message, { itemIndex, description: fix });
}

async function pemFromBinary(context: IExecuteFunctions, itemIndex: number, field: string) {
	const binary = context.getInputData()[itemIndex]?.binary?.[field];
	if (!binary) {
		const message = `Item ${itemIndex} has no binary field "${field}" (Client Certificates To Keep Working: Binary Fields)`;
		throw refused(context, itemIndex, message, 'Name the binary fields that hold the PEM files.');
	}
	return (await context.helpers.getBinaryDataBuffer(itemIndex, field)).toString('utf8');
}

/** The clients of Client Certificates To Keep Working (text and binary fields); none when both are empty. */
export async function readKeepWorking(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<ClientChain[]> {
	const texts = [String(options.keepWorking ?? '')];
	const fields = String(options.keepWorkingBinary ?? '')
		.split(',')
		.map((field) => field.trim());
	for (const field of fields.filter(Boolean))
		texts.push(await pemFromBinary(this, itemIndex, field));
	const text = texts.join('\n');
	if (hasPrivateKey(text)) {
		const message = `Client Certificates To Keep Working of item ${itemIndex} contain a private key; nothing was sent`;
		throw refused(
			this,
			itemIndex,
			message,
			'Give only the client certificates: the check needs no key.',
		);
	}
	const { clients, unparseable } = clientChainsFromPem(text);
	if (unparseable > 0 || (text.trim() !== '' && clients.length === 0)) {
		const message = `Client Certificates To Keep Working of item ${itemIndex} hold ${unparseable || 'no'} certificate(s) that cannot be read`;
		throw refused(
			this,
			itemIndex,
			message,
			'Give PEM certificates (-----BEGIN CERTIFICATE----- blocks).',
		);
	}
	return clients;
}

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

async function checkEnforcement(context: IExecuteFunctions, change: GuardedChange) {
	const atOrganization = change.steps.some(
		(step) => step.action === 'activate' && step.place.scope === 'organization',
	);
	if (!atOrganization || change.confirmedEnforcement !== false) return undefined;
	const turnsOn = !(await organizationEnforced(context, change.settings));
	if (turnsOn && !change.dryRun) {
		throw refused(
			context,
			change.itemIndex,
			`${change.operation} was not done: no certificate is active for the organization yet, so activating one there would make every request of every project need a client certificate that chains to it`,
			'Activate it for a non-critical project first and send representative requests through the mTLS host; when they succeed, turn on Confirm Organization-Wide Enforcement (Options). Add Client Certificates To Keep Working to have the node check your clients first.',
		);
	}
	return turnsOn;
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
			throw refused(context, change.itemIndex, message, `Nothing was changed. ${ADMIN_ACCESS_FIX}`);
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
		const error = refused(
			context,
			change.itemIndex,
			`${change.operation} was not done: it would lock out ${lockedOut.length} of the Client Certificates To Keep Working. ${lockoutSummary(rows)}`,
			'Nothing was changed. Activate a certificate these clients chain to first (or issue them new client certificates from a CA that stays active), or remove them from Client Certificates To Keep Working if they may stop working. Dry Run shows the whole table.',
		);
		error.context.clientCheck = rows;
		throw error;
	}
	return report;
}

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
