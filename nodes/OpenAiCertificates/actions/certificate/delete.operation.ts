import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	NodeApiError,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { RequestSettings } from '../../transport';
import { adminApiRequest, asNodeError } from '../../transport';
import type { Place } from '../activation';
import { placesWhereActive, toggleCertificates, withReport } from '../activation';
import {
	certificateLocator,
	dryRunOption,
	readId,
	readOptions,
	requestSettings,
	optionsCollection,
} from '../parameters';

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

function alreadyDeleted(certificateId: string): IDataObject {
	return { object: 'certificate.deleted', id: certificateId, alreadyDeleted: true };
}

/** Whether the certificate no longer exists (a read; 404 means gone). */
async function isGone(
	context: IExecuteFunctions,
	certificateId: string,
	settings: RequestSettings,
): Promise<boolean> {
	const found = await adminApiRequest(
		context,
		{
			method: 'GET',
			path: ['organization', 'certificates', certificateId],
			notFoundIsUndefined: true,
		},
		settings,
	);
	return found === undefined;
}

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['delete'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const certificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const deactivateFirst = options.deactivateFirst === true;

	if (options.dryRun === true) {
		const activeIn = await placesWhereActive(this, certificateId, settings);
		const json: IDataObject = {
			dryRun: true,
			wouldDeactivate: deactivateFirst ? activeIn : [],
			wouldDelete: certificateId,
			activeIn,
		};
		if (activeIn.length > 0 && !deactivateFirst) {
			json.wouldFail =
				'The certificate is active; the API refuses to delete it unless Deactivate Everywhere First is on.';
		}
		return [{ json }];
	}

	const deactivatedIn: Place[] = [];
	if (deactivateFirst) {
		const activeIn = await placesWhereActive(this, certificateId, settings);
		for (const [index, place] of activeIn.entries()) {
			try {
				await toggleCertificates(this, place, 'deactivate', [certificateId], settings);
			} catch (error) {
				// Another run (a second cleanup job, a worker next to this one) deleted it meanwhile.
				if (
					options.ignoreNotFound === true &&
					(error as NodeApiError).httpCode === '404' &&
					(await isGone(this, certificateId, settings))
				) {
					return [{ json: { ...alreadyDeleted(certificateId), deactivatedIn } }];
				}
				throw withReport(
					this,
					error,
					`Deactivating ${certificateId} failed in ${place}; it was deactivated in ${deactivatedIn.join(', ') || 'no place'} and is still active in ${activeIn.slice(index).join(', ')}. It was not deleted.`,
					{
						done: deactivatedIn.map((done) => ({ step: 'deactivate', place: done, certificateId })),
						failed: { step: 'deactivate', place, certificateId },
						notDone: [
							...activeIn
								.slice(index + 1)
								.map((rest) => ({ step: 'deactivate', place: rest, certificateId })),
							{ step: 'delete', certificateId },
						],
					},
					itemIndex,
				);
			}
			deactivatedIn.push(place);
		}
	}

	let response: IDataObject | undefined;
	try {
		response = await adminApiRequest(
			this,
			{
				method: 'DELETE',
				path: ['organization', 'certificates', certificateId],
				notFoundIsUndefined: options.ignoreNotFound === true,
			},
			settings,
		);
	} catch (error) {
		if (deactivatedIn.length === 0) throw asNodeError(this.getNode(), error, itemIndex);
		throw withReport(
			this,
			error,
			`${certificateId} was deactivated in ${deactivatedIn.join(', ')} but deleting it failed; it now exists inactive.`,
			{
				done: deactivatedIn.map((done) => ({ step: 'deactivate', place: done, certificateId })),
				failed: { step: 'delete', certificateId },
				notDone: [],
			},
			itemIndex,
		);
	}
	const json: IDataObject = response ?? alreadyDeleted(certificateId);
	if (deactivateFirst) json.deactivatedIn = deactivatedIn;
	return [{ json }];
}
