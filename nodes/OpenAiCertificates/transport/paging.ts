import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AdminApiContext, RequestSettings } from './request';
import { adminApiRequest } from './request';

export const MAX_PAGE_SIZE = 100;

interface ListPage<T> {
	data?: T[];
	has_more?: boolean;
	last_id?: string | null;
}

/**
 * Every object of a cursor-paged list, one page at a time: `after` is the previous page's `last_id`,
 * while `has_more`. Stopping the iteration stops the requests, so only what is used is fetched.
 */
export async function* listObjects<T extends IDataObject>(
	context: AdminApiContext,
	path: readonly string[],
	qs: IDataObject,
	settings: RequestSettings,
	pageSize: number = MAX_PAGE_SIZE,
): AsyncGenerator<T> {
	let after: string | undefined;
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
		for (const object of page.data ?? []) yield object;
		if (!page.has_more) return;
		const next = page.last_id ?? undefined;
		if (next === undefined || seenCursors.has(next)) {
			throw new NodeOperationError(
				context.getNode(),
				'The OpenAI Admin API said more pages follow but gave no new cursor (last_id); stopped paging',
				{ itemIndex: settings.itemIndex },
			);
		}
		seenCursors.add(next);
		after = next;
	}
}

/** Up to `limit` objects that pass `keep` (all of them when limit is undefined), fetching no page more than needed. */
export async function collectObjects<T extends IDataObject>(
	objects: AsyncGenerator<T>,
	limit: number | undefined,
	keep: (object: T) => boolean | Promise<boolean> = () => true,
): Promise<T[]> {
	const result: T[] = [];
	if (limit !== undefined && limit <= 0) return result;
	for await (const object of objects) {
		if (!(await keep(object))) continue;
		result.push(object);
		if (limit !== undefined && result.length >= limit) break;
	}
	return result;
}
