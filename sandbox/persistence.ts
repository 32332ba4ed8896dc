import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

import type { StoredCertificate, StoredProject } from './organization';
import { Organization } from './organization';

/**
 * The sandbox organization kept on disk between `npm start` runs, so certificates uploaded, activated or
 * deleted from the editor are still so after a restart (a workflow may refer to their IDs).
 */

interface Snapshot {
	projects: StoredProject[];
	certificates: Array<
		StoredCertificate & { activeInOrganization: boolean; activeInProjects: string[] }
	>;
}

export function saveOrganization(organization: Organization, file: string): void {
	const snapshot: Snapshot = {
		projects: organization.projectList(true),
		certificates: organization.certificateList().map((certificate) => {
			const places = organization.whereActive(certificate.id);
			return {
				...certificate,
				activeInOrganization: places.includes('organization'),
				activeInProjects: places.filter((place) => place !== 'organization'),
			};
		}),
	};
	// Written aside, then renamed: a crash mid-write leaves the previous snapshot whole.
	writeFileSync(`${file}.tmp`, JSON.stringify(snapshot, null, '\t'));
	renameSync(`${file}.tmp`, file);
}

/** The organization saved in `file`, or undefined when there is none yet. */
export function loadOrganization(file: string): Organization | undefined {
	if (!existsSync(file)) return undefined;
	const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
	const organization = new Organization();
	for (const project of snapshot.projects) {
		const added = organization.addProject({
			id: project.id,
			name: project.name,
			created_at: project.created_at,
		});
		added.archived_at = project.archived_at;
	}
	for (const certificate of snapshot.certificates) organization.addCertificate(certificate);
	return organization;
}

/** Saves `organization` every few seconds while requests change it, and once more on `stop()`. */
export function keepSaved(
	organization: Organization,
	file: string,
	changes: () => number,
): { stop(): void } {
	let saved = changes();
	const save = () => {
		if (changes() === saved) return;
		saved = changes();
		saveOrganization(organization, file);
	};
	const timer = setInterval(save, 5_000);
	timer.unref();
	return {
		stop() {
			clearInterval(timer);
			saveOrganization(organization, file);
		},
	};
}
