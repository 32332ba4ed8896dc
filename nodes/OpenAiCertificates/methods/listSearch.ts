import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { adminApiRequest, MAX_PAGE_SIZE } from '../transport';

interface NamedObject extends IDataObject {
	id: string;
	name?: string | null;
}

interface ListPage {
	data?: NamedObject[];
	has_more?: boolean;
	last_id?: string | null;
}

/** Enough matches to fill the list; more come when the user scrolls (the pagination token). */
const WANTED_RESULTS = 20;
const MAX_PAGES_PER_CALL = 10;

async function searchList(
	context: ILoadOptionsFunctions,
	path: readonly string[],
	filter: string | undefined,
	paginationToken: string | undefined,
	qs: IDataObject = {},
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = [];
	let after = paginationToken;
	for (let pages = 0; pages < MAX_PAGES_PER_CALL; pages++) {
		const page = await adminApiRequest<ListPage>(context, {
			method: 'GET',
			path,
			qs: { ...qs, limit: MAX_PAGE_SIZE, ...(after ? { after } : {}) },
		});
		for (const object of page.data ?? []) {
			const name = object.name ?? '(unnamed)';
			if (
				needle &&
				!name.toLowerCase().includes(needle) &&
				!object.id.toLowerCase().includes(needle)
			)
				continue;
			results.push({ name: `${name} (${object.id})`, value: object.id });
		}
		after = page.has_more && page.last_id ? page.last_id : undefined;
		if (!after || results.length >= WANTED_RESULTS) break;
	}
	return { results, paginationToken: after };
}

export async function searchCertificates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, ['organization', 'certificates'], filter, paginationToken);
}

export async function searchProjects(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, ['organization', 'projects'], filter, paginationToken);
}
