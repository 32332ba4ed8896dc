/**
 * Where certificates are active, and switching them on or off: the organization, or one project.
 * Shared by the Activate/Deactivate operations of both resources, Delete's "Deactivate Everywhere
 * First" and Rotate. Calls of the Admin API only: no node parameter is read here.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { failedOutcome, withReport } from '../helpers/progress';
import type { AdminApiCall, Endpoint, RequestSettings } from '../transport';
import { asNodeError } from '../helpers/nodeErrors';
import { adminApiRequest, ENDPOINTS } from '../transport';
import { ActivationView } from './activationView';
import type { Place, Toggle } from './place';
import { describePlace, ORGANIZATION, placeName, projectPlace } from './place';

/** The API takes 1–10 IDs per activate/deactivate call. */
const MAX_IDS_PER_CALL = 10;

/** The call that switches certificates on or off in a place. */
function toggleCall(
	place: Place,
	action: Toggle,
	certificateIds: string[],
): AdminApiCall<Endpoint<IDataObject>> {
	const body = { certificate_ids: certificateIds };
	if (place.scope === 'organization') {
		const endpoint = ENDPOINTS[`${action}OrganizationCertificates`];
		return { endpoint, body };
	}
	const endpoint = ENDPOINTS[`${action}ProjectCertificates`];
	return { endpoint, ids: { project_id: place.projectId }, body };
}

function chunked<T>(values: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < values.length; start += size)
		chunks.push(values.slice(start, start + size));
	return chunks;
}

/** The calls `toggleCertificates` sends, as steps the lockout guard can replay. */
export function toggleSteps(place: Place, action: Toggle, certificateIds: string[]) {
	return chunked(certificateIds, MAX_IDS_PER_CALL).map((chunk) => ({
		action,
		place,
		certificateIds: chunk,
	}));
}

function chunkFailed(
	context: IExecuteFunctions,
	error: unknown,
	place: Place,
	action: Toggle,
	chunks: string[][],
	index: number,
	itemIndex: number | undefined,
) {
	const entry = (certificateIds: string[]) => ({ action, place: placeName(place), certificateIds });
	const sent = chunks.slice(0, index);
	const status = failedOutcome(error);
	const unknown = status === 'unknown' ? ' Whether the failed call took effect is unknown.' : '';
	return withReport(
		context.getNode(),
		error,
		`Call ${index + 1} of ${chunks.length} to ${action} certificates in ${describePlace(place)} failed; ${index} call(s) before it succeeded (${
			sent.flat().join(', ') || 'none'
		}) and ${chunks.length - index - 1} were not sent.${unknown}`,
		{
			done: sent.map(entry),
			failed: { ...entry(chunks[index]), status },
			notDone: chunks.slice(index + 1).map(entry),
			rerun: `Running the same ${action === 'activate' ? 'Activate' : 'Deactivate'} again is safe: it ${action}s all of them, whichever were done already.`,
		},
		itemIndex,
	);
}

/**
 * Activates or deactivates certificates in one place, 10 IDs per call. Returns the API's responses as
 * given. If a call fails after others succeeded, the error says which chunks were done.
 */
export async function toggleCertificates(
	context: IExecuteFunctions,
	place: Place,
	action: Toggle,
	certificateIds: string[],
	settings: RequestSettings,
): Promise<IDataObject[]> {
	const chunks = chunked(certificateIds, MAX_IDS_PER_CALL);
	const responses: IDataObject[] = [];
	for (const [index, chunk] of chunks.entries()) {
		try {
			responses.push(await adminApiRequest(context, toggleCall(place, action, chunk), settings));
			ActivationView.of(context).applied(place, action, chunk);
		} catch (error) {
			// The call may have taken effect (its answer lost): the view no longer knows this place.
			ActivationView.of(context).refresh(place);
			if (chunks.length === 1) throw asNodeError(context.getNode(), error, settings.itemIndex);
			throw chunkFailed(context, error, place, action, chunks, index, settings.itemIndex);
		}
	}
	return responses;
}

/** The places where the certificate is active, from the view's sets: the organization first, then projects. */
function placesIn(
	certificateId: string,
	organization: Set<string>,
	projects: Map<string, Set<string>>,
): Place[] {
	const places: Place[] = organization.has(certificateId) ? [ORGANIZATION] : [];
	for (const [projectId, active] of projects)
		if (active.has(certificateId)) places.push(projectPlace(projectId));
	return places;
}

/** Where every certificate is active, and which projects exist. */
export interface ActivationOverview {
	projectIds: string[];
	/** The places where a certificate is active: the organization first, then projects in list order. */
	placesOf(certificateId: string): Place[];
}

/**
 * Where every certificate is active, from the execution's view (api/activationView.ts): the
 * organization's list, the project list (archived included) and each project's list, read once per
 * execution (the project lists in parallel) and kept true by this execution's own writes. Reads only.
 */
export async function activationOverview(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<ActivationOverview> {
	const view = ActivationView.of(context);
	const [organization, projects] = await Promise.all([
		view.organizationActive(settings),
		view.everyProject(settings),
	]);
	return {
		projectIds: [...projects.keys()],
		placesOf: (id) => placesIn(id, organization, projects),
	};
}

/** Every place where the certificate is active: the organization and each project (the view). Reads only. */
export async function placesWhereActive(
	context: IExecuteFunctions,
	certificateId: string,
	settings: RequestSettings,
): Promise<Place[]> {
	return (await activationOverview(context, settings)).placesOf(certificateId);
}

/** The projects where each certificate is active, in project-list order (archived projects included). */
export async function projectsWhereActive(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<Map<string, string[]>> {
	const projectsOf = new Map<string, string[]>();
	for (const [projectId, active] of await ActivationView.of(context).everyProject(settings))
		for (const id of active) projectsOf.set(id, [...(projectsOf.get(id) ?? []), projectId]);
	return projectsOf;
}

/**
 * Whether a 404 from a project's activate/deactivate means the project is gone (deleted since the view
 * read it): the project list is read again, and a project no longer in it holds no active certificate.
 */
export async function projectGone(
	context: IExecuteFunctions,
	place: Place,
	error: unknown,
	settings: RequestSettings,
): Promise<boolean> {
	if (place.scope !== 'project') return false;
	return await ActivationView.of(context).projectGone(place.projectId, error, settings);
}
