/**
 * Where certificates are active, and switching them on or off: the organization, or one project.
 * Shared by the Activate/Deactivate operations of both resources, Delete's "Deactivate Everywhere
 * First" and Rotate. Calls of the Admin API only: no node parameter is read here.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { failedOutcome, withReport } from '../helpers/progress';
import type { RequestSettings } from '../transport';
import { adminApiRequest, asNodeError, listObjects, listUpTo } from '../transport';
import type { Certificate, Project } from '../transport/shapes';

/** Where a certificate can be active. */
export type Place = { scope: 'organization' } | { scope: 'project'; projectId: string };

export const ORGANIZATION: Place = { scope: 'organization' };

export function projectPlace(projectId: string): Place {
	return { scope: 'project', projectId };
}

/** A place as output items and reports name it: `organization`, or the project ID. */
export function placeName(place: Place): string {
	return place.scope === 'organization' ? 'organization' : place.projectId;
}

function describePlace(place: Place): string {
	return place.scope === 'organization' ? 'the organization' : `project ${place.projectId}`;
}

export type Toggle = 'activate' | 'deactivate';

/** The API takes 1–10 IDs per activate/deactivate call. */
const MAX_IDS_PER_CALL = 10;

function togglePath(place: Place, action: Toggle): string[] {
	return place.scope === 'organization'
		? ['organization', 'certificates', action]
		: ['organization', 'projects', place.projectId, 'certificates', action];
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
			responses.push(
				await adminApiRequest(
					context,
					{ method: 'POST', path: togglePath(place, action), body: { certificate_ids: chunk } },
					settings,
				),
			);
		} catch (error) {
			if (chunks.length === 1) throw asNodeError(context.getNode(), error, settings.itemIndex);
			throw chunkFailed(context, error, place, action, chunks, index, settings.itemIndex);
		}
	}
	return responses;
}

/** The IDs of every project, archived ones included (a certificate must be inactive in all of them). */
async function allProjectIds(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<string[]> {
	const projects = await listUpTo<Project>(
		context,
		['organization', 'projects'],
		{ include_archived: true },
		settings,
		undefined,
	);
	return projects.map((project) => project.id);
}

async function isActiveIn(
	context: IExecuteFunctions,
	path: string[],
	certificateId: string,
	settings: RequestSettings,
): Promise<boolean> {
	for await (const certificate of listObjects<Certificate>(context, path, {}, settings)) {
		if (certificate.id === certificateId) return certificate.active === true;
	}
	return false;
}

/**
 * Every place where the certificate is active: the organization (from its certificate list) and each
 * project (from that project's certificate list). Reads only.
 */
export async function placesWhereActive(
	context: IExecuteFunctions,
	certificateId: string,
	settings: RequestSettings,
): Promise<Place[]> {
	const places: Place[] = [];
	if (await isActiveIn(context, ['organization', 'certificates'], certificateId, settings))
		places.push(ORGANIZATION);
	for (const projectId of await allProjectIds(context, settings)) {
		const path = ['organization', 'projects', projectId, 'certificates'];
		if (await isActiveIn(context, path, certificateId, settings))
			places.push(projectPlace(projectId));
	}
	return places;
}

/** For each certificate active in one of the projects, those projects, in the given order. */
async function activeByProject(
	context: IExecuteFunctions,
	projectIds: string[],
	settings: RequestSettings,
): Promise<Map<string, string[]>> {
	const projectsOf = new Map<string, string[]>();
	for (const projectId of projectIds) {
		const path = ['organization', 'projects', projectId, 'certificates'];
		for await (const certificate of listObjects<Certificate>(context, path, {}, settings)) {
			if (certificate.active !== true) continue;
			projectsOf.set(certificate.id, [...(projectsOf.get(certificate.id) ?? []), projectId]);
		}
	}
	return projectsOf;
}

/**
 * The projects where each certificate is active, in project-list order (archived projects included):
 * one listing of the projects, then each project's certificate list (one request per project while
 * the organization holds at most 100 certificates). Reads only.
 */
export async function projectsWhereActive(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<Map<string, string[]>> {
	return await activeByProject(context, await allProjectIds(context, settings), settings);
}

/** Where every certificate is active, and which projects exist. */
export interface ActivationOverview {
	projectIds: string[];
	/** The places where a certificate is active: the organization first, then projects in list order. */
	placesOf(certificateId: string): Place[];
}

/** The organization's list, the project list and each project's list, read once. Reads only. */
export async function activationOverview(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<ActivationOverview> {
	const inOrganization = new Set<string>();
	const path = ['organization', 'certificates'];
	for await (const certificate of listObjects<Certificate>(context, path, {}, settings)) {
		if (certificate.active === true) inOrganization.add(certificate.id);
	}
	const projectIds = await allProjectIds(context, settings);
	const projectsOf = await activeByProject(context, projectIds, settings);
	return {
		projectIds,
		placesOf: (id) => [
			...(inOrganization.has(id) ? [ORGANIZATION] : []),
			...(projectsOf.get(id) ?? []).map(projectPlace),
		],
	};
}
