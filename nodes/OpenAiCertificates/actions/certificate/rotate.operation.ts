/**
 * Rotate: replaces a certificate with a new one without a moment where neither is active, as OpenAI's
 * mTLS guide recommends: upload the new one, activate it in a canary project first and verify it there
 * (or pause), then everywhere the old one is active, only then deactivate the old one, and delete it if
 * asked. Convergent: a run that stopped at any step and is run again with the same input finds what was
 * done (the new certificate by its fingerprint) and does only the rest.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

<<<<<<< HEAD
import type { Place } from '../../api/activation';
import { placeName, placesWhereActive, toggleCertificates } from '../../api/activation';
import { uploadCertificate } from '../../api/upload';
import { outcomeOf, withReport } from '../../helpers/progress';
import type { RequestSettings } from '../../transport';
import { adminApiRequest } from '../../transport';
import type { CertificateInput } from '../certificateInput';
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
=======
import { certificateCheckOptions, certificateInputFields } from '../certificateInput';
import { certificateLocator, dryRunOption, optionsCollection, projectLocator } from '../parameters';
import { canaryProblem, planRotation } from './rotate/plan';
import { readRotation, readState } from './rotate/read';
import { dryRunOutput, rotationOutput } from './rotate/report';
import { runRotation } from './rotate/run';
>>>>>>> main

const show = { resource: ['certificate'], operation: ['rotate'] };

const properties: INodeProperties[] = [
	certificateLocator({
		displayName: 'Old Certificate',
		description:
			'The certificate to replace. The new one is activated everywhere this one is active.',
	}),
	...certificateInputFields(show),
	optionsCollection([
		projectLocator({
			displayName: 'Canary Project',
			name: 'canaryProject',
			required: false,
			description:
				'A non-critical project that gets the new certificate first. It is verified there (with an OpenAI mTLS Client API credential) or the run pauses, before the new certificate is activated anywhere else.',
		}),
		{
			displayName: 'Delete Old',
			name: 'deleteOld',
			type: 'boolean',
			default: false,
			description:
				'Whether to delete the old certificate once the new one has replaced it everywhere',
		},
		dryRunOption,
		{
			displayName: 'Pause After Canary',
			name: 'pauseAfterCanary',
			type: 'boolean',
			default: false,
			description:
				'Whether to stop after activating the new certificate in the canary project (and verifying it, with an mTLS client credential). Running the same Rotate again continues from there.',
		},
		...certificateCheckOptions,
	]),
];

export const description = updateDisplayOptions({ show }, properties);

<<<<<<< HEAD
/** What one item asks for. */
interface Rotation {
	oldCertificateId: string;
	input: CertificateInput;
	name: string | undefined;
	options: IDataObject;
	deleteOld: boolean;
	settings: RequestSettings;
	itemIndex: number;
}

/** A step after the upload: each needs the new certificate's ID, known once the upload is done. */
type SwitchStep = { step: 'activate' | 'deactivate'; place: Place } | { step: 'delete' };

type Step = { step: 'upload' } | SwitchStep;

async function readRotation(this: IExecuteFunctions, itemIndex: number): Promise<Rotation> {
	const oldCertificateId = readId.call(this, 'certificateId', 'certificate', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const input = await readCertificateInput.call(this, itemIndex, options);
	const name = readCertificateName.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const deleteOld = options.deleteOld === true;
	return { oldCertificateId, input, name, options, deleteOld, settings, itemIndex };
}

/** The old certificate must exist: a typo must not upload a certificate that then replaces nothing. */
async function readWhereActive(context: IExecuteFunctions, rotation: Rotation): Promise<Place[]> {
	const { oldCertificateId, settings } = rotation;
	await adminApiRequest(
		context,
		{ method: 'GET', path: ['organization', 'certificates', oldCertificateId] },
		settings,
	);
	return await placesWhereActive(context, oldCertificateId, settings);
}

function dryRunReport(rotation: Rotation, activeIn: Place[]): IDataObject {
	const names = activeIn.map(placeName);
	return {
		dryRun: true,
		oldCertificateId: rotation.oldCertificateId,
		wouldUpload: { name: rotation.name ?? null },
		wouldActivateIn: names,
		wouldDeactivateIn: names,
		wouldDelete: rotation.deleteOld ? rotation.oldCertificateId : null,
		...certificateInputReport(rotation.input, rotation.options),
	};
}

function planRotation(activeIn: Place[], deleteOld: boolean): SwitchStep[] {
	return [
		...activeIn.map((place): SwitchStep => ({ step: 'activate', place })),
		...activeIn.map((place): SwitchStep => ({ step: 'deactivate', place })),
		...(deleteOld ? [{ step: 'delete' } satisfies SwitchStep] : []),
	];
}

async function uploadNew(context: IExecuteFunctions, rotation: Rotation): Promise<string> {
	const { input, name, settings } = rotation;
	// The answer's shape is checked (transport/shapes.ts): its ID is a valid ID, never null.
	return (await uploadCertificate(context, input.pem, name, settings)).id;
}

async function runSwitchStep(
	context: IExecuteFunctions,
	rotation: Rotation,
	step: SwitchStep,
	newCertificateId: string,
): Promise<void> {
	const { oldCertificateId, settings } = rotation;
	if (step.step === 'activate')
		await toggleCertificates(context, step.place, 'activate', [newCertificateId], settings);
	else if (step.step === 'deactivate')
		await toggleCertificates(context, step.place, 'deactivate', [oldCertificateId], settings);
	else
		await adminApiRequest(
			context,
			{ method: 'DELETE', path: ['organization', 'certificates', oldCertificateId] },
			settings,
		);
}

/** A step as the report shows it: what it did, where, to which certificate. */
function reportEntry(step: Step, oldId: string, newId: string | undefined): IDataObject {
	if (step.step === 'upload')
		return newId === undefined ? { step: 'upload' } : { step: 'upload', certificateId: newId };
	if (step.step === 'delete') return { step: 'delete', certificateId: oldId };
	const certificateId = step.step === 'activate' ? (newId ?? null) : oldId;
	return { step: step.step, place: placeName(step.place), certificateId };
}

function placesOf(steps: Step[], kind: 'activate' | 'deactivate'): string {
	const places = steps.flatMap((step) => (step.step === kind ? [placeName(step.place)] : []));
	return places.length ? places.join(', ') : 'no place';
}

/** The error of a rotation stopped at `steps[failedAt]`: the steps before it were done. */
function rotationFailed(
	context: IExecuteFunctions,
	rotation: Rotation,
	steps: Step[],
	failedAt: number,
	newCertificateId: string | undefined,
	error: unknown,
) {
	const { oldCertificateId } = rotation;
	const entry = (step: Step) => reportEntry(step, oldCertificateId, newCertificateId);
	const done = steps.slice(0, failedAt);
	const failed = steps[failedAt];
	const where = 'place' in failed ? ` in ${placeName(failed.place)}` : '';
	const state = newCertificateId
		? `The new certificate ${newCertificateId} was uploaded and is active in ${placesOf(done, 'activate')}; the old certificate ${oldCertificateId} was deactivated in ${placesOf(done, 'deactivate')}.`
		: 'Nothing was changed: the new certificate was not uploaded.';
	return withReport(
		context.getNode(),
		error,
		`Rotation of ${oldCertificateId} stopped at step ${failedAt + 1} of ${steps.length} (${failed.step}${where}). ${state}`,
		{
			done: done.map(entry),
			failed: entry(failed),
			notDone: steps.slice(failedAt + 1).map(entry),
			oldCertificateId,
			newCertificateId: newCertificateId ?? null,
		},
		rotation.itemIndex,
	);
}

/** Uploads, then runs the plan in order; the first failure stops it. Returns the new certificate's ID. */
async function runRotation(
	context: IExecuteFunctions,
	rotation: Rotation,
	plan: SwitchStep[],
): Promise<string> {
	const steps: Step[] = [{ step: 'upload' }, ...plan];
	const uploaded = await outcomeOf(() => uploadNew(context, rotation));
	if (!uploaded.ok) throw rotationFailed(context, rotation, steps, 0, undefined, uploaded.error);
	for (const [index, step] of plan.entries()) {
		const ran = await outcomeOf(() => runSwitchStep(context, rotation, step, uploaded.value));
		if (!ran.ok)
			throw rotationFailed(context, rotation, steps, index + 1, uploaded.value, ran.error);
	}
	return uploaded.value;
}

=======
>>>>>>> main
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rotation = await readRotation.call(this, itemIndex);
	const state = await readState(this, rotation);
	const problem = canaryProblem(rotation, state);
	if (problem !== undefined)
		throw new NodeOperationError(this.getNode(), problem, {
			itemIndex,
			description:
				'Choose as Canary Project a project where the old certificate is in force (active for it, or for the organization). Nothing was changed.',
		});

	const plan = planRotation(rotation, state);
	const ids = {
		oldCertificateId: rotation.oldCertificateId,
		newCertificateId: state.newCertificateId,
	};
	if (rotation.options.dryRun === true) return [{ json: dryRunOutput(rotation, plan, ids) }];

	const run = await runRotation(this, rotation, plan, state);
	return [{ json: rotationOutput(rotation, run, run.ids) }];
}
