/**
 * Get Many's "where is it active" part: the Active In and Active In Project filters and the
 * `activeIn` output field. The organization's state is the list's own `active`; project state needs
 * each project's certificate list, read once per execution of the operation and only when a
 * certificate got past the cheaper filters.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { showValue } from '../../../helpers/ids';
import type { RequestSettings } from '../../../transport';
import type { ListedCertificate } from '../../../helpers/answers';
import { projectsWhereActive } from '../../../api/activation';
import { ORGANIZATION, placeName } from '../../../api/place';
import { projectIdOf, projectLocator } from '../../shared/parameters';

export const activeInFilters: INodeProperties[] = [
	{
		displayName: 'Active In',
		name: 'activeIn',
		type: 'options',
		options: [
			{
				name: 'Anywhere (Organization or Any Project)',
				value: 'anywhere',
				description: 'Active for the organization or for at least one project',
			},
			{
				name: 'Nowhere',
				value: 'nowhere',
				description: 'Active neither for the organization nor for any project',
			},
			{
				name: 'Organization',
				value: 'organization',
				description: 'Active for the organization',
			},
			{
				name: 'Project',
				value: 'project',
				description: 'Active for the project chosen under Active In Project',
			},
		],
		default: 'anywhere',
		description:
			'Where the certificate must be active. Adds activeIn (the organization and/or project IDs) to each certificate; reading project activation costs one request per project.',
	},
	projectLocator({
		displayName: 'Active In Project',
		name: 'activeInProject',
		required: false,
		displayOptions: { show: { activeIn: ['project'] } },
		description:
			'The project, with Active In set to Project: only certificates active for it (wherever else they are active too)',
	}),
];

export const includeActiveInOption: INodeProperties = {
	displayName: 'Include Where Active',
	name: 'includeActiveIn',
	type: 'boolean',
	default: false,
	description:
		'Whether to add activeIn to each certificate: "organization" and the IDs of the projects where it is active. Costs one request per project.',
};

type Place = 'anywhere' | 'nowhere' | 'organization' | 'project';

interface WhereWanted {
	place?: Place;
	projectId?: string;
}

/** What the Active In filters ask for, or undefined when neither is set and activeIn is not wanted either. */
export function readActiveIn(
	this: IExecuteFunctions,
	filters: IDataObject,
	options: IDataObject,
	itemIndex: number,
): WhereWanted | undefined {
	const wanted: WhereWanted = {};
	if (filters.activeIn !== undefined) {
		if (!['anywhere', 'nowhere', 'organization', 'project'].includes(filters.activeIn as string)) {
			throw new NodeOperationError(
				this.getNode(),
				`Active In must be anywhere, nowhere, organization or project, got ${showValue(filters.activeIn)}`,
				{
					itemIndex,
					description: 'For one project, choose Project and the project under Active In Project.',
				},
			);
		}
		wanted.place = filters.activeIn as Place;
	}
	// One filter: a project is asked for with Active In = Project (the project field shows only then).
	if (wanted.place === 'project')
		wanted.projectId = projectIdOf(
			this,
			filters.activeInProject ?? '',
			'Active In Project',
			itemIndex,
		);
	return wanted.place !== undefined || options.includeActiveIn === true ? wanted : undefined;
}

function matches(wanted: WhereWanted, activeIn: string[]): boolean {
	if (wanted.projectId !== undefined && !activeIn.includes(wanted.projectId)) return false;
	if (wanted.place === 'anywhere') return activeIn.length > 0;
	if (wanted.place === 'nowhere') return activeIn.length === 0;
	if (wanted.place === 'organization') return activeIn.includes(placeName(ORGANIZATION));
	return true;
}

/**
 * A Get Many filter step: sets `activeIn` on the certificate and keeps it if it is active where
 * wanted. Project activation is read on the first call, once.
 */
export function activeInStep(
	context: IExecuteFunctions,
	wanted: WhereWanted,
	settings: RequestSettings,
): (certificate: ListedCertificate) => Promise<boolean> {
	let projects: Promise<Map<string, string[]>> | undefined;
	return async (certificate) => {
		projects ??= projectsWhereActive(context, settings);
		const inProjects = (await projects).get(certificate.id) ?? [];
		certificate.activeIn = [
			...(certificate.active === true ? [placeName(ORGANIZATION)] : []),
			...inProjects,
		];
		return matches(wanted, certificate.activeIn as string[]);
	};
}
