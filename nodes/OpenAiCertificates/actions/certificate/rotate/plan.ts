/**
 * Rotate's plan: the steps of an uninterrupted rotation, each marked found done when the organization
 * already shows its effect (an earlier run did it), so a re-run converges instead of repeating or
 * failing. Pure: it reads only the rotation and the state.
 */
import type { Place } from '../../../api/place';
import { ORGANIZATION, placeName, projectPlace } from '../../../api/place';
import type { OrganizationState, Rotation } from './read';

export type Step =
	| { step: 'upload' }
	| { step: 'activate'; place: Place; canary: boolean }
	| { step: 'verify'; place: Place }
	| { step: 'deactivate'; place: Place }
	| { step: 'delete' };

export type PlannedStep = Step & { foundDone: boolean };

export interface RotationPlan {
	steps: PlannedStep[];
	/** The run stops after this step (the canary's last) to let workloads be checked; -1: no pause. */
	pauseAfter: number;
	/** Whether a failed verification undoes the canary activation: nothing beyond the canary is done yet. */
	undoCanaryOnFailure: boolean;
	/** Why the run stops at pauseAfter: the canary, or the node's own admin access (guards/adminAccess/). */
	pauseFor?: 'canary' | 'adminClientCertificate';
	/** This rotation paused after the canary before (the new certificate carries PAUSE_MARK): it goes on. */
	resumed: boolean;
}

/**
 * How a run knows its own earlier pause after the canary. A canary found active can be an earlier run's
 * pause or an operator's preparation, and the organization shows both alike; so a pausing run appends this
 * to the new certificate's name (visible in the dashboard), the next run goes on and takes it off at the end.
 */
export const PAUSE_MARK = '(Rotate paused after canary)';

export const pausedHere = (name: string | null | undefined): boolean =>
	typeof name === 'string' && name.trim().endsWith(PAUSE_MARK);

/** The name without the mark, and the name with it (a name of its own first, when it has one). */
export function pauseMarked(name: string | null | undefined): { base: string; marked: string } {
	const text = (name ?? '').trim();
	const base = pausedHere(text) ? text.slice(0, -PAUSE_MARK.length).trim() : text;
	return { base, marked: base ? `${base} ${PAUSE_MARK}` : PAUSE_MARK };
}

const isIn = (places: Place[], place: Place) =>
	places.some((candidate) => placeName(candidate) === placeName(place));

/**
 * Where the rotation acts: everywhere the old certificate is active, and everywhere an earlier run
 * already activated the new one (the old one may be deactivated there by now). Organization first.
 */
export function rotationScope(state: OrganizationState): Place[] {
	const scope: Place[] = [];
	for (const place of [...state.oldActiveIn, ...state.newActiveIn])
		if (!isIn(scope, place)) scope.push(place);
	return scope.sort(
		(a, b) => Number(b.scope === 'organization') - Number(a.scope === 'organization'),
	);
}

/**
 * Why the canary project can't take the new certificate first, if it can't: it must exist, and the
 * old certificate must already be enforced there (active for it or for the organization) — otherwise
 * activating the new one would turn mTLS enforcement on for a project that had none.
 */
export function canaryProblem(rotation: Rotation, state: OrganizationState): string | undefined {
	const projectId = rotation.canaryProjectId;
	if (projectId === undefined) return undefined;
	if (!state.projectIds.includes(projectId))
		return `Canary Project ${projectId} is not a project of the organization`;
	const canary = projectPlace(projectId);
	const covered =
		isIn(state.oldActiveIn, canary) ||
		isIn(state.oldActiveIn, ORGANIZATION) ||
		isIn(state.newActiveIn, canary);
	if (covered) return undefined;
	return `The old certificate is active neither in Canary Project ${projectId} nor for the organization: activating the new one there would turn mTLS enforcement on for that project`;
}

function canarySteps(rotation: Rotation, state: OrganizationState): PlannedStep[] {
	if (rotation.canaryProjectId === undefined) return [];
	const place = projectPlace(rotation.canaryProjectId);
	const activated = isIn(state.newActiveIn, place);
	const verify: PlannedStep[] = rotation.client
		? [{ step: 'verify', place, foundDone: false }]
		: [];
	return [{ step: 'activate', place, canary: true, foundDone: activated }, ...verify];
}

/** Activate the new one where the rotation acts (the canary aside), then deactivate the old one. */
function switchSteps(state: OrganizationState, canaryPlace: Place | undefined): PlannedStep[] {
	const scope = rotationScope(state);
	const isCanary = (place: Place) =>
		canaryPlace !== undefined && placeName(place) === placeName(canaryPlace);
	// The canary is deactivated only where the old one is active: it may be in force there through the
	// organization alone, and the canary is then in scope only because it holds the new one.
	const retire = scope.filter((place) => !isCanary(place) || isIn(state.oldActiveIn, place));
	return [
		...scope
			.filter((place) => !isCanary(place))
			.map((place): PlannedStep => {
				const foundDone = isIn(state.newActiveIn, place);
				return { step: 'activate', place, canary: false, foundDone };
			}),
		...retire.map((place): PlannedStep => {
			const foundDone = !isIn(state.oldActiveIn, place);
			return { step: 'deactivate', place, foundDone };
		}),
	];
}

export function planRotation(rotation: Rotation, state: OrganizationState): RotationPlan {
	const canary = canarySteps(rotation, state);
	const canaryPlace = canary[0]?.step === 'activate' ? canary[0].place : undefined;
	const steps: PlannedStep[] = [
		{ step: 'upload', foundDone: state.newCertificateId !== undefined },
		...canary,
		...switchSteps(state, canaryPlace),
		...(rotation.deleteOld ? [{ step: 'delete', foundDone: !state.oldExists } as PlannedStep] : []),
	];
	// A canary found active pauses like a fresh one, unless this rotation paused there before (its mark).
	const resumed = canary[0]?.foundDone === true && pausedHere(state.newCertificateName);
	const pauses = rotation.pauseAfterCanary && canary.length > 0 && !resumed;
	const widened = steps.some((step) => step.step === 'activate' && !step.canary && step.foundDone);
	return {
		steps,
		pauseAfter: pauses ? canary.length : -1,
		...(pauses ? { pauseFor: 'canary' as const } : {}),
		undoCanaryOnFailure: !widened,
		resumed,
	};
}
