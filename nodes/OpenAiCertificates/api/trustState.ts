/**
 * What the lockout guard needs to know before a change, read from the Admin API (reads only): which
 * projects the change affects, which certificates are active for the organization and for each of them,
 * and the content of every certificate that is or becomes active there (`include[]=content`).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { ActiveSets, TrustAnchor, TrustStep } from '../helpers/trust';
import { anchorCertificates } from '../helpers/trust';
import type { RequestSettings } from '../transport';
import { adminApiRequest, listObjects, listUpTo } from '../transport';
import type { Certificate, Project } from '../transport/shapes';

export interface TrustState {
	/** The projects whose requests the change affects (archived projects take no requests). */
	projects: string[];
	before: ActiveSets;
	anchors: Map<string, TrustAnchor>;
}

async function activeIds(
	context: IExecuteFunctions,
	path: string[],
	settings: RequestSettings,
): Promise<string[]> {
	const ids: string[] = [];
	for await (const certificate of listObjects<Certificate>(context, path, {}, settings))
		if (certificate.active === true) ids.push(certificate.id);
	return ids;
}

/** Whether any certificate is active for the organization now. */
export async function organizationEnforced(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<boolean> {
	for await (const certificate of listObjects<Certificate>(
		context,
		['organization', 'certificates'],
		{},
		settings,
	))
		if (certificate.active === true) return true;
	return false;
}

async function affectedProjects(
	context: IExecuteFunctions,
	steps: TrustStep[],
	settings: RequestSettings,
): Promise<string[]> {
	if (steps.some((step) => step.place.scope === 'organization')) {
		const path = ['organization', 'projects'];
		const projects = await listUpTo<Project>(context, path, {}, settings, undefined);
		return projects.map((project) => project.id);
	}
	return [
		...new Set(steps.map((step) => (step.place.scope === 'project' ? step.place.projectId : ''))),
	];
}

async function readAnchor(
	context: IExecuteFunctions,
	id: string,
	settings: RequestSettings,
): Promise<TrustAnchor> {
	const certificate = await adminApiRequest<Certificate>(
		context,
		{ method: 'GET', path: ['organization', 'certificates', id], qs: { 'include[]': 'content' } },
		settings,
	);
	const content = certificate.certificate_details?.content ?? '';
	return { id, name: certificate.name ?? id, certificates: anchorCertificates(content) };
}

/**
 * Reads the state a change starts from. `known` are anchors the caller already has (Rotate's new
 * certificate, not uploaded yet); every other certificate that is or becomes active is read once.
 */
export async function readTrustState(
	context: IExecuteFunctions,
	steps: TrustStep[],
	known: TrustAnchor[],
	settings: RequestSettings,
): Promise<TrustState> {
	const projects = await affectedProjects(context, steps, settings);
	const organization = await activeIds(context, ['organization', 'certificates'], settings);
	const before: ActiveSets = { organization, projects: {} };
	for (const projectId of projects) {
		const path = ['organization', 'projects', projectId, 'certificates'];
		before.projects[projectId] = await activeIds(context, path, settings);
	}
	const anchors = new Map(known.map((anchor) => [anchor.id, anchor]));
	const wanted = new Set([
		...organization,
		...Object.values(before.projects).flat(),
		...steps.flatMap((step) => (step.action === 'activate' ? step.certificateIds : [])),
	]);
	for (const id of wanted)
		if (!anchors.has(id)) anchors.set(id, await readAnchor(context, id, settings));
	return { projects, before, anchors };
}
