import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AdminApiContext, RequestSettings } from './request';
import type { ListPage } from './shapes';
import { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';

export const MAX_PAGE_SIZE = 100;
/** At most this many pages per list (100 000 objects at 100 a page): a server that never ends is stopped. */
export const MAX_PAGES_PER_LIST = 1000;
/** Empty pages in a row that still claim more: a server going round in circles is stopped sooner. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 3;

function isListPage(page: unknown): page is ListPage<never> {
	const { data, has_more: hasMore } = (page ?? {}) as ListPage<unknown>;
	return Array.isArray(data) && typeof hasMore === 'boolean';
}

export interface Page<T> {
	objects: T[];
	/** The cursor of the next page (`after`), or undefined after the last page. */
	next: string | undefined;
}

/** One page of a list; an answer that is not a list is an error. */
async function fetchPage<T extends IDataObject>(
	context: AdminApiContext,
	path: readonly string[],
	qs: IDataObject,
	settings: RequestSettings,
): Promise<ListPage<T>> {
	const page = await adminApiRequest<ListPage<T>>(context, { method: 'GET', path, qs }, settings);
	if (!isListPage(page)) {
		throw new NodeOperationError(
			context.getNode(),
			'The OpenAI Admin API answered a list request with something that is not a list (no data array and has_more)',
			{ itemIndex: settings.itemIndex },
		);
	}
	return page;
}

interface PagingSoFar {
	pages: number;
	emptyInARow: number;
	seenCursors: Set<string>;
}

/** Why paging must stop after this page although the API says more follow, if it must. */
function endlessPaging(
	page: ListPage<unknown>,
	next: string | undefined,
	soFar: PagingSoFar,
): string | undefined {
	if (page.has_more && (next === undefined || soFar.seenCursors.has(next)))
		return 'the API said more pages follow but gave no new cursor (last_id)';
	if (next !== undefined && soFar.emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW)
		return `${soFar.emptyInARow} empty pages in a row still said more pages follow`;
	if (next !== undefined && soFar.pages >= MAX_PAGES_PER_LIST)
		return `it read the maximum of ${MAX_PAGES_PER_LIST} pages and the API still said more follow`;
	return undefined;
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
	const soFar: PagingSoFar = { pages: 0, emptyInARow: 0, seenCursors: new Set<string>() };
	for (;;) {
		const pageQs = { ...qs, limit: pageSize, ...(after === undefined ? {} : { after }) };
		const page = await fetchPage<T>(context, path, pageQs, settings);
		const next = page.has_more ? (page.last_id ?? undefined) : undefined;
		soFar.pages++;
		soFar.emptyInARow = page.data.length === 0 ? soFar.emptyInARow + 1 : 0;
		const problem = endlessPaging(page, next, soFar);
		if (problem !== undefined) {
			throw new NodeOperationError(
				context.getNode(),
				`Stopped paging through /${path.join('/')}: ${problem}`,
				{
					itemIndex: settings.itemIndex,
					description:
						'The answers of the API did not come to an end as the API reference promises. Check the Base URL in the credential; if it is right, try again later.',
				},
			);
		}
		yield { objects: page.data, next };
		if (next === undefined) return;
		soFar.seenCursors.add(next);
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
