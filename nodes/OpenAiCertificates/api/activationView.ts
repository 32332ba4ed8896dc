/**
 * One view of the organization per execution of the node: its certificate list (what it holds, and
 * what is active for the organization), the project list (archived projects included) and each
 * project's certificate list, each read at most once and shared by every item and step of the
 * execution: where certificates are active and Rotate's look-up of its new certificate read the same
 * list; an upload reads it again just before it is sent (`organizationCertificatesNow`). The node's
 * own successful writes are applied to it (`applied`, `uploaded`, `deleted`) instead of reading again;
 * a part the API contradicts, or a failed write, is dropped (`refresh`, `forgetHeld`) and read again
 * where it is next needed.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { inParallel } from '../helpers/parallel';
import { outcomeOf } from '../helpers/progress';
import { isNotFound } from '../helpers/apiErrors';
import type { RequestSettings } from '../transport';
import { asNodeError, errorForItem } from '../helpers/nodeErrors';
import { adminApiRequest, ENDPOINTS, listUpTo } from '../transport';
import type { Certificate, ListedCertificate, Project } from '../helpers/answers';
import type { Place, Toggle } from './place';

/**
 * Independent requests in flight at once: the per-project reads of the view, the anchors the guards
 * read, Rotate's activations and deactivations. The run's rate governor paces them all.
 */
export const IN_FLIGHT = 8;

type ActiveSet = Set<string>;

/** The IDs of a certificate list's certificates that are active in its place. */
const activeIdsOf = (certificates: Certificate[]): ActiveSet =>
	new Set(certificates.filter((certificate) => certificate.active === true).map(({ id }) => id));

async function activeIdsIn(
	context: IExecuteFunctions,
	projectId: string,
	settings: RequestSettings,
): Promise<ActiveSet> {
	const call = { endpoint: ENDPOINTS.listProjectCertificates, ids: { project_id: projectId } };
	return activeIdsOf(await listUpTo(context, call, settings, undefined));
}

/**
 * A read shared by all who ask while it is remembered; a failed read is forgotten, so the next ask reads
 * again. Each who asked gets its own copy of the failure, naming its own item (`itemIndex`).
 */
function remembered<K, T>(
	memo: Map<K, Promise<T>>,
	key: K,
	read: () => Promise<T>,
	itemIndex: number | undefined,
): Promise<T> {
	let value = memo.get(key);
	if (value === undefined) {
		value = read();
		memo.set(key, value);
		const stored = value;
		value.catch(() => memo.get(key) === stored && memo.delete(key));
	}
	return value.catch((error: unknown) => {
		throw errorForItem(error, itemIndex);
	});
}

const ORGANIZATION_KEY = '';

export class ActivationView {
	private static readonly byContext = new WeakMap<object, ActivationView>();

	/** The view of this execution (one per node run: every item and step shares it). */
	static of(context: IExecuteFunctions): ActivationView {
		let view = ActivationView.byContext.get(context);
		if (!view) {
			view = new ActivationView(context);
			ActivationView.byContext.set(context, view);
		}
		return view;
	}

	/** Active IDs by place: `''` for the organization, else the project ID. */
	private readonly active = new Map<string, Promise<ActiveSet>>();
	private readonly projectList = new Map<string, Promise<Project[]>>();
	/** The organization's certificate list, newest first (the API's default order). */
	private readonly held = new Map<string, Promise<ListedCertificate[]>>();
	private readonly contents = new Map<string, Promise<Certificate>>();
	/** Rotate's uploads of new certificates, by SHA-256 fingerprint. */
	private readonly uploads = new Map<string, Promise<Certificate>>();

	/** The end of the work running one at a time, by queue (see `oneAtATime`). */
	private readonly turns = new Map<string, Promise<void>>();

	private constructor(private readonly context: IExecuteFunctions) {}

	/**
	 * Runs work after the work of other items queued before it under the same name. The guarded changes
	 * (the default queue: a guard, then its writes), so each guard decides on the view the earlier writes
	 * left, not beside them; and uploads of one PEM (`upload:<fingerprint>`), so an upload whose answer was
	 * unclear is settled before the next of the same PEM is sent and is never taken for a sibling's copy.
	 */
	async oneAtATime<T>(change: () => Promise<T>, queue = 'guarded changes'): Promise<T> {
		const previous = this.turns.get(queue) ?? Promise.resolve();
		let release = () => {};
		this.turns.set(queue, new Promise<void>((resolve) => (release = resolve)));
		await previous;
		try {
			return await change();
		} finally {
			release();
		}
	}

	/**
	 * Every certificate the organization holds, newest first: its certificate list, read once and kept
	 * true by this execution's uploads, deletes and organization (de)activations.
	 */
	organizationCertificates(settings: RequestSettings): Promise<ListedCertificate[]> {
		const call = { endpoint: ENDPOINTS.listOrganizationCertificates };
		return remembered(
			this.held,
			ORGANIZATION_KEY,
			() => listUpTo(this.context, call, settings, undefined),
			settings.itemIndex,
		);
	}

	/**
	 * The organization's certificate list read again now, for a write that must know what was there just
	 * before it (an upload: its room check, and the certificates an unclear attempt must not be taken
	 * for, api/upload.ts); the execution's list from then on.
	 */
	organizationCertificatesNow(settings: RequestSettings): Promise<ListedCertificate[]> {
		this.forgetHeld();
		return this.organizationCertificates(settings);
	}

	/** The certificates active for the organization (from the organization's certificate list). */
	organizationActive(settings: RequestSettings): Promise<ActiveSet> {
		const read = async () => activeIdsOf(await this.organizationCertificates(settings));
		return remembered(this.active, ORGANIZATION_KEY, read, settings.itemIndex);
	}

	/** Every project, archived ones included, in the API's order. */
	projects(settings: RequestSettings): Promise<Project[]> {
		const call = { endpoint: ENDPOINTS['list-projects'], qs: { include_archived: true } };
		return remembered(
			this.projectList,
			ORGANIZATION_KEY,
			() => listUpTo(this.context, call, settings, undefined),
			settings.itemIndex,
		);
	}

	/**
	 * The certificates active for one project (that project's certificate list). A project that answers
	 * 404 and is no longer in the project list (read again) was deleted meanwhile: nothing is active there.
	 */
	projectActive(projectId: string, settings: RequestSettings): Promise<ActiveSet> {
		const read = async () => {
			const outcome = await outcomeOf(() => activeIdsIn(this.context, projectId, settings));
			if (outcome.ok) return outcome.value;
			if (await this.projectGone(projectId, outcome.error, settings)) return new Set<string>();
			throw asNodeError(this.context.getNode(), outcome.error, settings.itemIndex);
		};
		return remembered(this.active, projectId, read, settings.itemIndex);
	}

	/**
	 * Whether a 404 for a project means it was deleted since the view read it: the project list, read
	 * again, no longer has it (the project's part of the view is dropped either way).
	 */
	async projectGone(
		projectId: string,
		error: unknown,
		settings: RequestSettings,
	): Promise<boolean> {
		if (!isNotFound(error)) return false;
		this.refresh({ scope: 'project', projectId });
		const projects = await this.projects(settings);
		return !projects.some((project) => project.id === projectId);
	}

	/** Each project's active certificates, in project-list order: the per-project reads run in parallel. */
	async everyProject(settings: RequestSettings): Promise<Map<string, ActiveSet>> {
		const ids = (await this.projects(settings)).map((project) => project.id);
		const sets = await inParallel(ids, IN_FLIGHT, (id) => this.projectActive(id, settings));
		return new Map(ids.map((id, index) => [id, sets[index]]));
	}

	/**
	 * A certificate with its PEM (`include[]=content`), read once per ID: its content never changes under
	 * that ID. The lockout guard's anchors and the fingerprint look-ups share it.
	 */
	stored(id: string, settings: RequestSettings): Promise<Certificate> {
		const call = {
			endpoint: ENDPOINTS.getCertificate,
			ids: { certificate_id: id },
			qs: { 'include[]': 'content' },
		};
		const read = () => adminApiRequest(this.context, call, settings);
		return remembered(this.contents, id, read, settings.itemIndex);
	}

	/**
	 * A new certificate uploaded once per execution, however many items rotate to it at once: the first
	 * item sends it (`first`), the others wait for that upload. A failed upload is forgotten.
	 */
	uploadOnce<T extends Certificate>(
		fingerprint: string,
		upload: () => Promise<T>,
		itemIndex: number,
	): { first: boolean; uploaded: Promise<T> } {
		const first = !this.uploads.has(fingerprint);
		const uploaded = remembered(this.uploads, fingerprint, upload, itemIndex) as Promise<T>;
		return { first, uploaded };
	}

	/** This execution switched these certificates in this place: the view follows without reading again. */
	applied(place: Place, action: Toggle, certificateIds: string[]): void {
		const key = place.scope === 'organization' ? ORGANIZATION_KEY : place.projectId;
		if (place.scope === 'organization')
			this.followHeld((held) => {
				for (const certificate of held)
					if (certificateIds.includes(certificate.id)) certificate.active = action === 'activate';
				return held;
			});
		const before = this.active.get(key);
		if (before === undefined) return; // not read yet: a later read sees the write
		const after = before.then((ids) => {
			for (const id of certificateIds) {
				if (action === 'activate') ids.add(id);
				else ids.delete(id);
			}
			return ids;
		});
		this.active.set(key, after);
		after.catch(() => this.active.get(key) === after && this.active.delete(key));
	}

	/** Changes the remembered certificate list, if it was read; a later read sees the change anyway. */
	private followHeld(change: (held: ListedCertificate[]) => ListedCertificate[]): void {
		const before = this.held.get(ORGANIZATION_KEY);
		if (before === undefined) return;
		const after = before.then(change);
		this.held.set(ORGANIZATION_KEY, after);
		after.catch(() => this.held.get(ORGANIZATION_KEY) === after && this.forgetHeld());
	}

	/** This execution uploaded the certificate: the organization holds it, newest, active nowhere. */
	uploaded(certificate: Certificate): void {
		const added: ListedCertificate = { ...certificate, active: false };
		delete added.reconciled;
		this.followHeld((held) => [added, ...held.filter(({ id }) => id !== certificate.id)]);
	}

	/**
	 * What the organization holds is no longer known (an upload or a delete that failed: refused, or of
	 * unknown outcome): its list is read again on next use. Where certificates are active is unchanged.
	 */
	forgetHeld(): void {
		this.held.delete(ORGANIZATION_KEY);
	}

	/** This execution deleted the certificate: it is active nowhere. */
	deleted(certificateId: string): void {
		this.followHeld((held) => held.filter(({ id }) => id !== certificateId));
		for (const key of [...this.active.keys()])
			this.applied(
				key === ORGANIZATION_KEY ? { scope: 'organization' } : { scope: 'project', projectId: key },
				'deactivate',
				[certificateId],
			);
		this.contents.delete(certificateId);
	}

	/**
	 * The API contradicted the view: forget what it said of this place (a project: also the project
	 * list, the project may be gone), or of everything when no place is named. Read again on next use.
	 */
	refresh(place?: Place): void {
		if (place === undefined) this.active.clear();
		else this.active.delete(place.scope === 'organization' ? ORGANIZATION_KEY : place.projectId);
		if (place?.scope !== 'project') this.forgetHeld();
		if (place?.scope !== 'organization') this.projectList.clear();
	}
}
