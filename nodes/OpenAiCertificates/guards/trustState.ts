/**
 * What the lockout guard needs to know before a change (reads only): which projects the change affects,
 * which certificates are active for the organization and for each of them, and the content of every
 * certificate that is or becomes active there (`include[]=content`). Activation comes from the
 * execution's view (api/activationView.ts), so items and steps of one execution share one read.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { inParallel } from '../helpers/parallel';
import type { ActiveSets, TrustAnchor, TrustStep } from '../helpers/trust';
import { anchorCertificates } from '../helpers/trust';
import type { RequestSettings } from '../transport';
import type { Certificate } from '../helpers/answers';
import { ActivationView, IN_FLIGHT } from '../api/activationView';

export interface TrustState {
	/** The projects whose requests the change affects (archived projects take no requests). */
	projects: string[];
	before: ActiveSets;
	anchors: Map<string, TrustAnchor>;
}

/** Whether any certificate is active for the organization now. */
export async function organizationEnforced(
	context: IExecuteFunctions,
	settings: RequestSettings,
): Promise<boolean> {
	return (await ActivationView.of(context).organizationActive(settings)).size > 0;
}

async function affectedProjects(
	view: ActivationView,
	steps: TrustStep[],
	settings: RequestSettings,
): Promise<string[]> {
	if (steps.some((step) => step.place.scope === 'organization')) {
		const projects = await view.projects(settings);
		return projects.filter((project) => !project.archived_at).map((project) => project.id);
	}
	return [
		...new Set(steps.map((step) => (step.place.scope === 'project' ? step.place.projectId : ''))),
	];
}

/** A certificate read with its content, as the trust anchor it is. */
export function anchorOf(certificate: Certificate): TrustAnchor {
	const content = certificate.certificate_details?.content ?? '';
	const { id } = certificate;
	return { id, name: certificate.name ?? id, certificates: anchorCertificates(content) };
}

/**
 * Reads the state a change starts from. `known` are anchors the caller already has (Rotate's new
 * certificate, not uploaded yet); every other certificate that is or becomes active is read once per
 * execution.
 */
export async function readTrustState(
	context: IExecuteFunctions,
	steps: TrustStep[],
	known: TrustAnchor[],
	settings: RequestSettings,
): Promise<TrustState> {
	const view = ActivationView.of(context);
	const projects = await affectedProjects(view, steps, settings);
	const [organization, inProjects] = await Promise.all([
		view.organizationActive(settings),
		inParallel(projects, IN_FLIGHT, (id) => view.projectActive(id, settings)),
	]);
	const before: ActiveSets = { organization: [...organization], projects: {} };
	projects.forEach((projectId, index) => (before.projects[projectId] = [...inProjects[index]]));
	const anchors = new Map(known.map((anchor) => [anchor.id, anchor]));
	const wanted = new Set([
		...before.organization,
		...Object.values(before.projects).flat(),
		...steps.flatMap((step) => (step.action === 'activate' ? step.certificateIds : [])),
	]);
	const toRead = [...wanted].filter((id) => !anchors.has(id));
	const read = await inParallel(toRead, IN_FLIGHT, (id) => view.stored(id, settings));
	toRead.forEach((id, index) => anchors.set(id, anchorOf(read[index])));
	return { projects, before, anchors };
}
