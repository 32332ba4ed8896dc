/**
 * Delete: removes a certificate from the organization, optionally after deactivating it everywhere it
 * is active. Reads as read → plan (where it is active) → run (deactivate, delete) → output.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';

import type { Place } from '../../api/activation';
import {
	placeName,
	placesWhereActive,
	toggleCertificates,
	toggleSteps,
} from '../../api/activation';
import { outcomeOf, withReport } from '../../helpers/progress';
import type { RequestSettings } from '../../transport';
import { adminApiRequest, asNodeError } from '../../transport';
import type { CertificateDeleted } from '../../transport/shapes';
import {
	certificateLocator,
	dryRunOption,
	readId,
	readOptions,
	requestSettings,
	optionsCollection,
} from '../parameters';
import { guardChange, keepWorkingOptions, readKeepWorking } from '../lockoutGuard';

const properties: INodeProperties[] = [
	certificateLocator({
		description:
			'The certificate to delete. It must be inactive in the organization and in every project, or use Deactivate Everywhere First.',
	}),
	optionsCollection([
		{
			displayName: 'Deactivate Everywhere First',
			name: 'deactivateFirst',
			type: 'boolean',
			default: false,
			description:
				'Whether to first deactivate the certificate in the organization and in every project where it is active (the API refuses to delete an active certificate)',
		},
		dryRunOption,
		...keepWorkingOptions,
		{
			displayName: 'Ignore Not Found',
			name: 'ignoreNotFound',
			type: 'boolean',
			default: false,
			description:
				'Whether to treat a certificate that no longer exists (or that another run deletes meanwhile) as already deleted, so cleanup jobs can run twice or at once',
		},
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['delete'] } },
	properties,
);

/** What one item asks for. */
interface Deletion {
	certificateId: string;
	deactivateFirst: boolean;
	ignoreNotFound: boolean;
	dryRun: boolean;
	settings: RequestSettings;
	itemIndex: number;
}

/** How the deactivation ended: every place done, or the certificate vanished under it (another run). */
interface Deactivation {
	deactivatedIn: Place[];
	deletedMeanwhile: boolean;
}

function readDeletion(this: IExecuteFunctions, itemIndex: number): Deletion {
	const certificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	return {
		certificateId,
		deactivateFirst: options.deactivateFirst === true,
		ignoreNotFound: options.ignoreNotFound === true,
		dryRun: options.dryRun === true,
		settings: requestSettings.call(this, options, itemIndex),
		itemIndex,
	};
}

function dryRunReport(deletion: Deletion, activeIn: Place[] | undefined): IDataObject {
	const missing = `Certificate ${deletion.certificateId} does not exist`;
	if (activeIn === undefined && deletion.ignoreNotFound)
		return { dryRun: true, notFound: true, wouldReport: `${missing}: already deleted.` };
	if (activeIn === undefined)
		return { dryRun: true, notFound: true, wouldFail: `${missing}; Delete would fail.` };
	const names = activeIn.map(placeName);
	const json: IDataObject = {
		dryRun: true,
		wouldDeactivate: deletion.deactivateFirst ? names : [],
		wouldDelete: deletion.certificateId,
		activeIn: names,
	};
	if (names.length > 0 && !deletion.deactivateFirst) {
		json.wouldFail =
			'The certificate is active; the API refuses to delete it unless Deactivate Everywhere First is on.';
	}
	return json;
}

/** Whether the certificate exists (a read; 404 means it does not). */
async function exists(context: IExecuteFunctions, deletion: Deletion): Promise<boolean> {
	const found = await adminApiRequest(
		context,
		{
			method: 'GET',
			path: ['organization', 'certificates', deletion.certificateId],
			notFoundIsUndefined: true,
		},
		deletion.settings,
	);
	return found !== undefined;
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
	const step = (place: Place) => ({ step: 'deactivate', place: placeName(place), certificateId });
	const [failed, ...rest] = notDone;
	return withReport(
		context.getNode(),
		error,
		`Deactivating ${certificateId} failed in ${placeName(failed)}; it was deactivated in ${done.map(placeName).join(', ') || 'no place'} and is still active in ${notDone.map(placeName).join(', ')}. It was not deleted.`,
		{
			done: done.map(step),
			failed: step(failed),
			notDone: [...rest.map(step), { step: 'delete', certificateId }],
		},
		deletion.itemIndex,
	);
}

/** Deactivates the certificate in each place in turn; stops at the first failure. */
async function deactivateEverywhere(
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
async function deleteCertificate(
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
	const step = (place: Place) => ({ step: 'deactivate', place: placeName(place), certificateId });
	throw withReport(
		context.getNode(),
		deleted.error,
		`${certificateId} was deactivated in ${deactivatedIn.map(placeName).join(', ')} but deleting it failed; it now exists inactive.`,
		{ done: deactivatedIn.map(step), failed: { step: 'delete', certificateId }, notDone: [] },
		itemIndex,
	);
}

function output(
	deletion: Deletion,
	deleted: CertificateDeleted | undefined,
	deactivatedIn: Place[],
): INodeExecutionData[] {
	// OpenAI's fields as returned, plus n8n's `deleted: true` for delete operations.
	const json: IDataObject = {
		...(deleted ?? {
			object: 'certificate.deleted',
			id: deletion.certificateId,
			alreadyDeleted: true,
		}),
		deleted: true,
	};
	if (deletion.deactivateFirst) json.deactivatedIn = deactivatedIn.map(placeName);
	return [{ json }];
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const deletion = readDeletion.call(this, itemIndex);
	const found = deletion.dryRun ? await exists(this, deletion) : true;
	const activeIn =
		found && (deletion.dryRun || deletion.deactivateFirst)
			? await placesWhereActive(this, deletion.certificateId, deletion.settings)
			: [];
	const guard = await guardChange(this, {
		operation: 'Delete',
		steps: deletion.deactivateFirst
			? activeIn.flatMap((place) => toggleSteps(place, 'deactivate', [deletion.certificateId]))
			: [],
		clients: await readKeepWorking.call(this, itemIndex, readOptions.call(this, itemIndex)),
		...deletion,
	});
	if (deletion.dryRun) {
		return [{ json: { ...dryRunReport(deletion, found ? activeIn : undefined), ...guard } }];
	}

	const { deactivatedIn, deletedMeanwhile } = await deactivateEverywhere(this, deletion, activeIn);
	if (deletedMeanwhile) return output(deletion, undefined, deactivatedIn);
	const deleted = await deleteCertificate(this, deletion, deactivatedIn);
	return output(deletion, deleted, deactivatedIn);
}
