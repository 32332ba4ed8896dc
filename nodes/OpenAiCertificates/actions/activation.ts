import type {
	IDataObject,
	IExecuteFunctions,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import type { RequestSettings } from '../transport';
import { adminApiRequest, asNodeError, listObjects, listUpTo } from '../transport';

/**
 * Where certificates are active, and switching them on or off: the organization, or one project.
 * Shared by the Activate/Deactivate operations of both resources, Delete's "Deactivate Everywhere
 * First" and Rotate.
 */

/** `organization`, or a project ID. */
export type Place = 'organization' | string;

export const ORGANIZATION: Place = 'organization';

/** The API takes 1–10 IDs per activate/deactivate call. */
export const MAX_IDS_PER_CALL = 10;

function togglePath(place: Place, action: 'activate' | 'deactivate'): string[] {
	return place === ORGANIZATION
		? ['organization', 'certificates', action]
		: ['organization', 'projects', place, 'certificates', action];
}

export function chunked<T>(values: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < values.length; start += size)
		chunks.push(values.slice(start, start + size));
	return chunks;
}

/** A failure part-way through a multi-step job: what was done, what failed, what was not tried. */
export interface ProgressReport extends IDataObject {
	done: IDataObject[];
	failed: IDataObject;
	notDone: IDataObject[];
}

/** Adds the report to the error (its description and `context.report`), so a partial result is never silent. */
export function withReport(
	context: IExecuteFunctions,
	error: unknown,
	summary: string,
	report: ProgressReport,
	itemIndex: number | undefined,
): NodeApiError | NodeOperationError {
	const wrapped = asNodeError(context.getNode(), error, itemIndex);
	wrapped.description = `${summary} ${wrapped.description ?? ''}`.trim();
	wrapped.context.report = report;
	return wrapped;
}

/**
 * Activates or deactivates certificates in one place, 10 IDs per call. Returns the API's responses as
 * given. If a call fails after others succeeded, the error says which chunks were done.
 */
export async function toggleCertificates(
	context: IExecuteFunctions,
	place: Place,
	action: 'activate' | 'deactivate',
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
			const where = place === ORGANIZATION ? 'the organization' : `project ${place}`;
			throw withReport(
				context,
				error,
				`Call ${index + 1} of ${chunks.length} to ${action} certificates in ${where} failed; ${index} call(s) before it succeeded (${
					chunks.slice(0, index).flat().join(', ') || 'none'
				}) and ${chunks.length - index - 1} were not sent.`,
				{
					done: chunks.slice(0, index).map((ids) => ({ action, place, certificateIds: ids })),
					failed: { action, place, certificateIds: chunk },
					notDone: chunks.slice(index + 1).map((ids) => ({ action, place, certificateIds: ids })),
				},
				settings.itemIndex,
			);
		}
	}
	return responses;
}

interface ScopedCertificate extends IDataObject {
	id: string;
	active?: boolean;
}

interface Project extends IDataObject {
	id: string;
}

/** The IDs of every project, archived ones included (a certificate must be inactive in all of them). */
export async function allProjectIds(
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

/**
 * Every place where the certificate is active: the organization (from its certificate list) and each
 * project (from that project's certificate list). Reads only.
 */
export async function placesWhereActive(
	context: IExecuteFunctions,
	certificateId: string,
	settings: RequestSettings,
): Promise<Place[]> {
	const isActiveIn = async (path: string[]) => {
		for await (const certificate of listObjects<ScopedCertificate>(context, path, {}, settings)) {
			if (certificate.id === certificateId) return certificate.active === true;
		}
		return false;
	};
	const places: Place[] = [];
	if (await isActiveIn(['organization', 'certificates'])) places.push(ORGANIZATION);
	for (const projectId of await allProjectIds(context, settings)) {
		if (await isActiveIn(['organization', 'projects', projectId, 'certificates']))
			places.push(projectId);
	}
	return places;
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
	const projectsOf = new Map<string, string[]>();
	for (const projectId of await allProjectIds(context, settings)) {
		const path = ['organization', 'projects', projectId, 'certificates'];
		for await (const certificate of listObjects<ScopedCertificate>(context, path, {}, settings)) {
			if (certificate.active !== true) continue;
			projectsOf.set(certificate.id, [...(projectsOf.get(certificate.id) ?? []), projectId]);
		}
	}
	return projectsOf;
}
