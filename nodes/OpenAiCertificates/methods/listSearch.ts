import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import {
	DEFAULT_REQUEST_SETTINGS,
	ENDPOINTS,
	listObjects,
	listPages,
	MAX_PAGE_SIZE,
} from '../transport';

/** Enough matches to fill the list; more come when the user scrolls (the pagination token). */
const WANTED_RESULTS = 20;
const MAX_PAGES_PER_CALL = 10;

async function searchList(
	context: ILoadOptionsFunctions,
	endpoint: typeof ENDPOINTS.listOrganizationCertificates | (typeof ENDPOINTS)['list-projects'],
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = [];
	let next = paginationToken;
	let pages = 0;
	const list = listPages(context, { endpoint }, undefined, MAX_PAGE_SIZE, paginationToken);
	for await (const page of list) {
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
	return await searchList(this, ENDPOINTS.listOrganizationCertificates, filter, paginationToken);
}

export async function searchProjects(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, ENDPOINTS['list-projects'], filter, paginationToken);
}

/**
 * The organization's certificates for Activate/Deactivate's list (an organization holds at most 50: one
 * page), each with whether it is active for the organization.
 */
export async function getCertificates(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const options: INodePropertyOptions[] = [];
	const call = { endpoint: ENDPOINTS.listOrganizationCertificates };
	for await (const certificate of listObjects(this, call, DEFAULT_REQUEST_SETTINGS)) {
		const where = certificate.active
			? 'active for the organization'
			: 'not active for the organization';
		options.push({
			name: `${certificate.name ?? '(unnamed)'} (${certificate.id})`,
			value: certificate.id,
			description: `${certificate.id}, ${where}`,
		});
	}
	return options;
}
