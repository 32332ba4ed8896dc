import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AdminApiContext, RequestSettings } from './request';
import { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';
import type { ListPage } from './shapes';

export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
	objects: T[];
	/** The cursor of the next page (`after`), or undefined after the last page. */
	next: string | undefined;
}

/**
 * The pages of a cursor-paged list: `after` is the previous page's `last_id`, while `has_more`,
 * starting after `from` when given. Stopping the iteration stops the requests.
 */
export async function* listPages<T extends IDataObject>(
	context: AdminApiContext,
	path: readonly string[],
	qs: IDataObject,
	settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
	pageSize: number = MAX_PAGE_SIZE,
	from?: string,
): AsyncGenerator<Page<T>> {
	let after = from;
	const seenCursors = new Set<string>();
	for (;;) {
		const page = await adminApiRequest<ListPage<T>>(
			context,
			{
				method: 'GET',
				path,
				qs: { ...qs, limit: pageSize, ...(after === undefined ? {} : { after }) },
			},
			settings,
		);
		const next = page.has_more ? (page.last_id ?? undefined) : undefined;
		if (page.has_more && (next === undefined || seenCursors.has(next))) {
			throw new NodeOperationError(
				context.getNode(),
				'The OpenAI Admin API said more pages follow but gave no new cursor (last_id); stopped paging',
				{ itemIndex: settings.itemIndex },
			);
		}
		yield { objects: page.data ?? [], next };
		if (next === undefined) return;
		seenCursors.add(next);
		after = next;
	}
}

/** Every object of a cursor-paged list, one page at a time; only what is used is fetched. */
export async function* listObjects<T extends IDataObject>(
	context: AdminApiContext,
	path: readonly string[],
	qs: IDataObject,
	settings: RequestSettings,
	pageSize: number = MAX_PAGE_SIZE,
): AsyncGenerator<T> {
	for await (const page of listPages<T>(context, path, qs, settings, pageSize)) yield* page.objects;
}

/**
 * Up to `limit` objects of a list that pass `keep` (all of them when limit is undefined), fetching no
 * page more than needed: unfiltered and within one page, exactly `limit` objects are asked for.
 */
export async function listUpTo<T extends IDataObject>(
	context: AdminApiContext,
	path: readonly string[],
	qs: IDataObject,
	settings: RequestSettings,
	limit: number | undefined,
	keep?: (object: T) => boolean | Promise<boolean>,
): Promise<T[]> {
	const result: T[] = [];
	if (limit !== undefined && limit <= 0) return result;
	const pageSize = keep || limit === undefined ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
	for await (const object of listObjects<T>(context, path, qs, settings, pageSize)) {
		if (keep && !(await keep(object))) continue;
		result.push(object);
		if (limit !== undefined && result.length >= limit) break;
	}
	return result;
}
