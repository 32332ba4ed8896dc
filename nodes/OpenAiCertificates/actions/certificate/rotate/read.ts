/**
 * Rotate's read phase: what the item asks for (checked before any request) and what the organization
 * holds now — whether the old certificate still exists, whether the new one was uploaded by an earlier
 * run (found by its SHA-256 fingerprint), and where each is active.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { findHeldCertificate } from '../../../api/certificateByFingerprint';
import type { Place } from '../../../api/place';
import { activationOverview } from '../../../api/activation';
import { ActivationView } from '../../../api/activationView';
import { clientAcceptedBy } from '../../../helpers/chain';
import type { Outcome } from '../../../helpers/progress';
import { outcomeOf } from '../../../helpers/progress';
import { refusal } from '../../../helpers/nodeErrors';
import { isNotFound } from '../../../helpers/apiErrors';
import type { RequestSettings } from '../../../transport';
import { adminApiRequest, ENDPOINTS } from '../../../transport';
import type { MtlsClient } from './mtlsClient';
import { hasMtlsClient, readMtlsClient } from './mtlsClient';
import type { CertificateInput } from '../../shared/certificateInput';
import { readCertificateInput, readCertificateName } from '../../shared/certificateInput';
import { projectIdOf, readId, readOptions, requestSettings } from '../../shared/parameters';

/** What one item asks for. */
export interface Rotation {
	oldCertificateId: string;
	input: CertificateInput;
	name: string | undefined;
	options: IDataObject;
	deleteOld: boolean;
	/** The project that gets the new certificate first, or undefined for no canary. */
	canaryProjectId: string | undefined;
	pauseAfterCanary: boolean;
	/** The mTLS client that verifies the canary, when the node has one. */
	client: MtlsClient | undefined;
	settings: RequestSettings;
	itemIndex: number;
}

/** The organization as this run finds it. */
export interface OrganizationState {
	oldExists: boolean;
	/** The new certificate's ID when an earlier run (or someone) uploaded it, and its name. */
	newCertificateId: string | undefined;
	newCertificateName?: string | null;
	oldActiveIn: Place[];
	newActiveIn: Place[];
	projectIds: string[];
}

function readCanaryProject(context: IExecuteFunctions, itemIndex: number) {
	const raw = context.getNodeParameter('canaryProject', itemIndex, '', { extractValue: true });
	if (raw === undefined || raw === null || raw === '') return undefined;
	return projectIdOf(context, raw, 'Canary Project', itemIndex);
}

/** The canary options make sense together, and the client can prove the new CA works. */
function checkCanary(context: IExecuteFunctions, rotation: Rotation): void {
	const { canaryProjectId, client, pauseAfterCanary, input, itemIndex } = rotation;
	const noCanary = 'Set Canary Project to the project that should get the new certificate first.';
	if (canaryProjectId === undefined && pauseAfterCanary)
		throw refusal(
			context.getNode(),
			itemIndex,
			'Pause After Canary needs a Canary Project',
			noCanary,
		);
	if (canaryProjectId === undefined && client)
		throw refusal(
			context.getNode(),
			itemIndex,
			'The OpenAI mTLS Client API credential verifies a canary, but no Canary Project is set',
			`${noCanary} Or remove the mTLS client credential from the node.`,
		);
	if (canaryProjectId !== undefined && !client && !pauseAfterCanary)
		throw refusal(
			context.getNode(),
			itemIndex,
			`Nothing would verify the canary in project ${canaryProjectId}`,
			'Select an OpenAI mTLS Client API credential holding a client certificate issued by the new CA and a key of the canary project (the node then sends one request through the mTLS host), or turn on Pause After Canary to check your workloads yourself and run Rotate again to continue.',
		);
	const now = Math.floor(Date.now() / 1000);
	const verdict = client && clientAcceptedBy(client.clientCertificate, input.pem, now);
	if (verdict && !verdict.accepted)
		throw refusal(
			context.getNode(),
			itemIndex,
			`The client certificate of the OpenAI mTLS Client API credential would not be accepted through the new certificate: ${verdict.reason}`,
			'Verification needs a valid client certificate that chains to the new CA: issue one from the new CA (with its intermediates after it) and put it and its private key in the credential.',
		);
}

export async function readRotation(this: IExecuteFunctions, itemIndex: number): Promise<Rotation> {
	const oldCertificateId = readId.call(this, 'certificateId', itemIndex);
	const options = readOptions.call(this, itemIndex);
	const rotation: Rotation = {
		oldCertificateId,
		input: await readCertificateInput.call(this, itemIndex, options),
		name: readCertificateName.call(this, itemIndex),
		options,
		deleteOld: options.deleteOld === true,
		canaryProjectId: readCanaryProject(this, itemIndex),
		pauseAfterCanary: this.getNodeParameter('pauseAfterCanary', itemIndex, false) === true,
		client: hasMtlsClient(this) ? await readMtlsClient(this, itemIndex) : undefined,
		settings: requestSettings.call(this, options, itemIndex),
		itemIndex,
	};
	checkCanary(this, rotation);
	return rotation;
}

/** The new certificate, if an earlier run uploaded it; it must not be the old one. */
async function findNew(
	context: IExecuteFunctions,
	rotation: Rotation,
): Promise<{ id: string; name?: string | null } | undefined> {
	const [parsed] = rotation.input.certificates;
	if (parsed === undefined) return undefined;
	const found = await findHeldCertificate(context, parsed, rotation.settings);
	if (found?.id === rotation.oldCertificateId)
		throw refusal(
			context.getNode(),
			rotation.itemIndex,
			`The new certificate is the old one (${rotation.oldCertificateId}): nothing to rotate`,
			'Give the renewed CA certificate as the new certificate.',
		);
	return found && { id: found.id, name: found.name };
}

/**
 * The old certificate must exist, unless an earlier run uploaded the new one and deleted the old one:
 * a typo must not upload a certificate that then replaces nothing. `found` is the new certificate's
 * look-up; the error to stop with, if either read says to.
 */
function lookUpFailure(found: Outcome<object | undefined>, old: Outcome<unknown>): unknown {
	if (!found.ok) return found.error;
	if (old.ok) return undefined;
	// Gone is an answer only once the new certificate is there (an earlier run's upload, then its delete).
	const gone = found.value !== undefined && isNotFound(old.error);
	return gone ? undefined : old.error;
}

/**
 * What the organization holds for this rotation. The old certificate and the new one (looked up by its
 * fingerprint in the execution's list of the organization's certificates) are read at once, beside the
 * paging of the project list, under the run's governor; each project's certificate list only once the
 * look-ups allow the rotation, so an Old Certificate ID that does not exist costs no per-project reads.
 * A failure is reported as if the reads had run one after the other.
 */
export async function readState(
	context: IExecuteFunctions,
	rotation: Rotation,
): Promise<OrganizationState> {
	const { oldCertificateId, settings } = rotation;
	const projectList = outcomeOf(() => ActivationView.of(context).projects(settings));
	const oldCall = { endpoint: ENDPOINTS.getCertificate, ids: { certificate_id: oldCertificateId } };
	const [found, old] = await Promise.all([
		outcomeOf(() => findNew(context, rotation)),
		outcomeOf(() => adminApiRequest(context, oldCall, settings)),
	]);
	const failure = lookUpFailure(found, old);
	const projects = await projectList;
	if (failure !== undefined) throw failure;
	if (!projects.ok) throw projects.error;
	const overview = await activationOverview(context, settings);
	const newCertificateId = found.ok ? found.value?.id : undefined;
	return {
		oldExists: old.ok,
		newCertificateId,
		newCertificateName: found.ok ? found.value?.name : undefined,
		oldActiveIn: old.ok ? overview.placesOf(oldCertificateId) : [],
		newActiveIn: newCertificateId === undefined ? [] : overview.placesOf(newCertificateId),
		projectIds: overview.projectIds,
	};
}
