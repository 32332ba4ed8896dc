import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { adminApiRequest } from '../../transport';
import type { Place } from '../activation';
import { placesWhereActive, toggleCertificates, withReport } from '../activation';
import {
	certificateCheckOptions,
	certificateInputFields,
	certificateInputReport,
	readCertificateInput,
	readCertificateName,
} from '../certificateInput';
import {
	certificateLocator,
	dryRunOption,
	readId,
	readOptions,
	requestSettings,
	optionsCollection,
} from '../parameters';

const show = { resource: ['certificate'], operation: ['rotate'] };

const properties: INodeProperties[] = [
	certificateLocator({
		displayName: 'Old Certificate',
		description:
			'The certificate to replace. The new one is activated everywhere this one is active.',
	}),
	...certificateInputFields(show),
	optionsCollection([
		{
			displayName: 'Delete Old',
			name: 'deleteOld',
			type: 'boolean',
			default: false,
			description:
				'Whether to delete the old certificate once the new one has replaced it everywhere',
		},
		dryRunOption,
		...certificateCheckOptions,
	]),
];

export const description = updateDisplayOptions({ show }, properties);

interface Step extends IDataObject {
	step: 'upload' | 'activate' | 'deactivate' | 'delete';
	certificateId?: string;
	place?: Place;
}

/**
 * Replaces a certificate with a new one without a moment where neither is active: upload the new one,
 * activate it everywhere the old one is active, only then deactivate the old one there, and delete it
 * if asked. A failure stops the rotation and reports each step done, failed and not done.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const oldCertificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const input = await readCertificateInput.call(this, itemIndex, options);
	const name = readCertificateName.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const deleteOld = options.deleteOld === true;

	// The old certificate must exist: a typo must not upload a certificate that then replaces nothing.
	await adminApiRequest(
		this,
		{ method: 'GET', path: ['organization', 'certificates', oldCertificateId] },
		settings,
	);
	const activeIn = await placesWhereActive(this, oldCertificateId, settings);

	if (options.dryRun === true) {
		const json: IDataObject = {
			dryRun: true,
			oldCertificateId,
			wouldUpload: { name: name ?? null },
			wouldActivateIn: activeIn,
			wouldDeactivateIn: activeIn,
			wouldDelete: deleteOld ? oldCertificateId : null,
			...certificateInputReport(input, options),
		};
		return [{ json }];
	}

	const done: Step[] = [];
	const planned: Step[] = [
		{ step: 'upload' },
		...activeIn.map((place): Step => ({ step: 'activate', place })),
		...activeIn.map(
			(place): Step => ({ step: 'deactivate', place, certificateId: oldCertificateId }),
		),
		...(deleteOld ? [{ step: 'delete', certificateId: oldCertificateId } as Step] : []),
	];
	let newCertificateId: string | undefined;

	for (const [index, step] of planned.entries()) {
		try {
			if (step.step === 'upload') {
				const body: IDataObject = { certificate: input.pem };
				if (name !== undefined) body.name = name;
				const uploaded = await adminApiRequest<{ id: string }>(
					this,
					{ method: 'POST', path: ['organization', 'certificates'], body, idempotent: false },
					settings,
				);
				newCertificateId = uploaded.id;
				step.certificateId = newCertificateId;
			} else if (step.step === 'activate') {
				step.certificateId = newCertificateId;
				await toggleCertificates(this, step.place!, 'activate', [newCertificateId!], settings);
			} else if (step.step === 'deactivate') {
				await toggleCertificates(this, step.place!, 'deactivate', [oldCertificateId], settings);
			} else {
				await adminApiRequest(
					this,
					{ method: 'DELETE', path: ['organization', 'certificates', oldCertificateId] },
					settings,
				);
			}
			done.push(step);
		} catch (error) {
			const notDone = planned
				.slice(index + 1)
				.map((rest) =>
					rest.step === 'activate' ? { ...rest, certificateId: newCertificateId ?? null } : rest,
				);
			const state = newCertificateId
				? `The new certificate ${newCertificateId} was uploaded and is active in ${listPlaces(done, 'activate')}; the old certificate ${oldCertificateId} was deactivated in ${listPlaces(done, 'deactivate')}.`
				: 'Nothing was changed: the new certificate was not uploaded.';
			throw withReport(
				this,
				error,
				`Rotation of ${oldCertificateId} stopped at step ${index + 1} of ${planned.length} (${step.step}${step.place ? ` in ${step.place}` : ''}). ${state}`,
				{
					done,
					failed: step,
					notDone,
					oldCertificateId,
					newCertificateId: newCertificateId ?? null,
				},
				itemIndex,
			);
		}
	}

	const json: IDataObject = {
		oldCertificateId,
		newCertificateId: newCertificateId!,
		activatedIn: activeIn,
		deactivatedIn: activeIn,
		deleted: deleteOld,
		...certificateInputReport(input, options),
	};
	return [{ json }];
}

function listPlaces(steps: Step[], kind: Step['step']): string {
	const places = steps.filter((step) => step.step === kind).map((step) => step.place);
	return places.length ? places.join(', ') : 'no place';
}
