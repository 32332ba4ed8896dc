import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { listPages, MAX_PAGE_SIZE } from '../transport';

interface NamedObject extends IDataObject {
	id: string;
	name?: string | null;
}

/** Enough matches to fill the list; more come when the user scrolls (the pagination token). */
const WANTED_RESULTS = 20;
const MAX_PAGES_PER_CALL = 10;

async function searchList(
	context: ILoadOptionsFunctions,
	path: readonly string[],
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = [];
	let next = paginationToken;
	let pages = 0;
	for await (const page of listPages<NamedObject>(
		context,
		path,
		{},
		undefined,
		MAX_PAGE_SIZE,
		paginationToken,
	)) {
		for (const object of page.objects) {
			const name = object.name ?? '(unnamed)';
			if (
				needle &&
				!name.toLowerCase().includes(needle) &&
				!object.id.toLowerCase().includes(needle)
			)
				continue;
			results.push({ name: `${name} (${object.id})`, value: object.id });
		}
		next = page.next;
		if (++pages >= MAX_PAGES_PER_CALL || results.length >= WANTED_RESULTS) break;
	}
	return { results, paginationToken: next };
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
