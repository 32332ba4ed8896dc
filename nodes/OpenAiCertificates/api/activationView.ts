/**
 * One view of where the organization's certificates are active, per execution of the node: the
 * organization's certificate list, the project list (archived projects included) and each project's
 * certificate list, each read at most once and shared by every item and step of the execution. The
 * node's own successful writes are applied to it (`applied`, `deleted`) instead of reading again; a
 * part the API contradicts is dropped (`refresh`) and read again where it is next needed.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { inParallel } from '../helpers/parallel';
import { outcomeOf } from '../helpers/progress';
import type { RequestSettings } from '../transport';
import { asNodeError, errorForItem, listObjects, listUpTo } from '../transport';
import type { Certificate, Project } from '../transport/shapes';
import type { Place, Toggle } from './activation';

/**
 * Independent requests in flight at once: the per-project reads of the view, the anchors the guards
 * read, Rotate's activations and deactivations. The run's rate governor paces them all.
 */
export const IN_FLIGHT = 8;

type ActiveSet = Set<string>;

async function activeIdsIn(
	context: IExecuteFunctions,
	path: string[],
	settings: RequestSettings,
): Promise<ActiveSet> {
	const ids: ActiveSet = new Set();
	for await (const certificate of listObjects<Certificate>(context, path, {}, settings))
		if (certificate.active === true) ids.add(certificate.id);
	return ids;
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
	private readonly contents = new Map<string, Promise<unknown>>();

	/** The end of the change running one at a time (see `oneAtATime`). */
	private turn: Promise<void> = Promise.resolve();

	private constructor(private readonly context: IExecuteFunctions) {}

	/**
	 * Runs a guarded change (its guard, then its writes) after the guarded changes of other items that
	 * started before it, so each guard decides on the view the earlier writes left, not beside them.
	 */
	async oneAtATime<T>(change: () => Promise<T>): Promise<T> {
		const previous = this.turn;
		let release = () => {};
		this.turn = new Promise<void>((resolve) => (release = resolve));
		await previous;
		try {
			return await change();
		} finally {
			release();
		}
	}

	/** The certificates active for the organization (the organization's certificate list). */
	organizationActive(settings: RequestSettings): Promise<ActiveSet> {
		const path = ['organization', 'certificates'];
		return remembered(
			this.active,
			ORGANIZATION_KEY,
			() => activeIdsIn(this.context, path, settings),
			settings.itemIndex,
		);
	}

	/** Every project, archived ones included, in the API's order. */
	projects(settings: RequestSettings): Promise<Project[]> {
		const path = ['organization', 'projects'];
		const qs = { include_archived: true };
		return remembered(
			this.projectList,
			ORGANIZATION_KEY,
			() => listUpTo<Project>(this.context, path, qs, settings, undefined),
			settings.itemIndex,
		);
	}

	/**
	 * The certificates active for one project (that project's certificate list). A project that answers
	 * 404 and is no longer in the project list (read again) was deleted meanwhile: nothing is active there.
	 */
	projectActive(projectId: string, settings: RequestSettings): Promise<ActiveSet> {
		const path = ['organization', 'projects', projectId, 'certificates'];
		const read = async () => {
			const outcome = await outcomeOf(() => activeIdsIn(this.context, path, settings));
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
		if (!(error instanceof NodeApiError) || error.httpCode !== '404') return false;
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

	/** Something read once per certificate ID (its content never changes under that ID), for an item. */
	certificate<T>(id: string, read: () => Promise<T>, itemIndex: number | undefined): Promise<T> {
		return remembered(this.contents, id, read, itemIndex) as Promise<T>;
	}

	/** This execution switched these certificates in this place: the view follows without reading again. */
	applied(place: Place, action: Toggle, certificateIds: string[]): void {
		const key = place.scope === 'organization' ? ORGANIZATION_KEY : place.projectId;
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

	/** This execution deleted the certificate: it is active nowhere. */
	deleted(certificateId: string): void {
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
		if (place?.scope !== 'organization') this.projectList.clear();
	}
}
