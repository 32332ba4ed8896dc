/** Where a certificate can be active, and how reports name it. */

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

export function describePlace(place: Place): string {
	return place.scope === 'organization' ? 'the organization' : `project ${place.projectId}`;
}

export type Toggle = 'activate' | 'deactivate';
