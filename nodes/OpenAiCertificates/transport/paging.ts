import { NodeOperationError } from 'n8n-workflow';

import type { ListPage } from '../helpers/answers';
import type { Endpoint } from './endpoints';
import type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
import { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';

type ListEndpoint = Endpoint<ListPage<unknown>>;
/** What a list endpoint lists. */
type ItemOf<E> = E extends Endpoint<ListPage<infer T>> ? T : never;

export const MAX_PAGE_SIZE = 100;
/** At most this many pages per list (100 000 objects at 100 a page): a server that never ends is stopped. */
export const MAX_PAGES_PER_LIST = 1000;
/** Empty pages in a row that still claim more: a server going round in circles is stopped sooner. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 3;

export interface Page<T> {
	objects: T[];
	/** The cursor of the next page (`after`), or undefined after the last page. */
	next: string | undefined;
}

/** Why paging must stop after this page although the API says more follow, if it must. */
function endlessPaging(
	hasMore: boolean,
	next: string | undefined,
	seen: Set<string>,
	emptyInARow: number,
): string | undefined {
	if (hasMore && (next === undefined || seen.has(next)))
		return 'the API said more pages follow but gave no new cursor (last_id)';
	if (next !== undefined && emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW)
		return `${emptyInARow} empty pages in a row still said more pages follow`;
	if (next !== undefined && seen.size + 1 >= MAX_PAGES_PER_LIST)
		return `it read the maximum of ${MAX_PAGES_PER_LIST} pages and the API still said more follow`;
	return undefined;
}

/**
 * The pages of a cursor-paged list: `after` is the previous page's `last_id`, while `has_more`,
 * starting after `from` when given. Stopping the iteration stops the requests.
 */
export async function* listPages<E extends ListEndpoint>(
	context: AdminApiContext,
	call: AdminApiCall<E>,
	settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
	pageSize: number = MAX_PAGE_SIZE,
	from?: string,
): AsyncGenerator<Page<ItemOf<E>>> {
	let after = from;
	const seen = new Set<string>();
	for (let emptyInARow = 0; ; ) {
		const qs = { ...call.qs, limit: pageSize, ...(after === undefined ? {} : { after }) };
		const page = (await adminApiRequest(context, { ...call, qs }, settings)) as ListPage<ItemOf<E>>;
		const next = page.has_more ? (page.last_id ?? undefined) : undefined;
		emptyInARow = page.data.length === 0 ? emptyInARow + 1 : 0;
		const problem = endlessPaging(page.has_more, next, seen, emptyInARow);
		if (problem !== undefined) {
			throw new NodeOperationError(
				context.getNode(),
				`Stopped paging through /${call.endpoint.path}: ${problem}`,
				{
					itemIndex: settings.itemIndex,
					description:
						'The answers of the API did not come to an end as the API reference promises. Check the Base URL in the credential; if it is right, try again later.',
				},
			);
		}
		yield { objects: page.data, next };
		if (next === undefined) return;
		seen.add(next);
		after = next;
	}
}

/** Every object of a cursor-paged list, one page at a time; only what is used is fetched. */
export async function* listObjects<E extends ListEndpoint>(
	context: AdminApiContext,
	call: AdminApiCall<E>,
	settings: RequestSettings,
	pageSize: number = MAX_PAGE_SIZE,
): AsyncGenerator<ItemOf<E>> {
	for await (const page of listPages(context, call, settings, pageSize)) yield* page.objects;
}

/**
 * Up to `limit` objects of a list that pass `keep` (all of them when limit is undefined), fetching no
 * page more than needed: unfiltered and within one page, exactly `limit` objects are asked for.
 */
export async function listUpTo<E extends ListEndpoint>(
	context: AdminApiContext,
	call: AdminApiCall<E>,
	settings: RequestSettings,
	limit: number | undefined,
	keep?: (object: ItemOf<E>) => boolean | Promise<boolean>,
): Promise<Array<ItemOf<E>>> {
	const result: Array<ItemOf<E>> = [];
	if (limit !== undefined && limit <= 0) return result;
	const pageSize = keep || limit === undefined ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
	for await (const object of listObjects(context, call, settings, pageSize)) {
		if (keep && !(await keep(object))) continue;
		result.push(object);
		if (limit !== undefined && result.length >= limit) break;
	}
	return result;
}
