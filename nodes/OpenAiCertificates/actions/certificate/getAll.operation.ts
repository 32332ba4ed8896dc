import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { expiresWithinDays, isExpired } from '../../helpers/dates';
import { showValue } from '../../helpers/ids';
import { collectObjects, listObjects, MAX_PAGE_SIZE } from '../../transport';
import { listFields, orderOption, readLimit, readOptions, readOrder, requestOptionFields, requestSettings } from '../parameters';

const properties: INodeProperties[] = [
	...listFields('certificate'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Expired',
				name: 'expired',
				type: 'boolean',
				default: true,
				description: 'Whether to return only expired certificates (on) or only unexpired ones (off)',
			},
			{
				displayName: 'Expiring Within Days',
				name: 'expiringWithinDays',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 30,
				description: 'Only certificates that expire within this many days from now, already expired ones included',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Active', value: 'active', description: 'Active in the organization' },
					{ name: 'Any', value: 'any' },
					{ name: 'Inactive', value: 'inactive', description: 'Not active in the organization' },
				],
				default: 'any',
				description: 'Activation at the organization level (project activation is listed by Project Certificate → Get Many)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [orderOption, ...requestOptionFields],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['certificate'], operation: ['getAll'] } }, properties);

interface OrganizationCertificate extends IDataObject {
	id: string;
	active?: boolean;
	certificate_details?: { expires_at?: number };
}

type Keep = (certificate: OrganizationCertificate) => boolean;

function readFilters(this: IExecuteFunctions, itemIndex: number): Keep | undefined {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const checks: Keep[] = [];
	const now = Math.floor(Date.now() / 1000);
	const status = filters.status ?? 'any';
	if (status === 'active' || status === 'inactive') {
		checks.push((certificate) => (certificate.active === true) === (status === 'active'));
	} else if (status !== 'any') {
		throw new NodeOperationError(this.getNode(), `Status must be active, inactive or any, got ${showValue(status)}`, { itemIndex });
	}
	if (filters.expiringWithinDays !== undefined && filters.expiringWithinDays !== null && filters.expiringWithinDays !== '') {
		const days = Number(filters.expiringWithinDays);
		if (!Number.isFinite(days) || days < 0) {
			throw new NodeOperationError(this.getNode(), `Expiring Within Days must be a number of at least 0, got ${showValue(filters.expiringWithinDays)}`, {
				itemIndex,
			});
		}
		checks.push((certificate) => expiresWithinDays(certificate.certificate_details?.expires_at, days, now));
	}
	if (typeof filters.expired === 'boolean') {
		const wanted = filters.expired;
		checks.push((certificate) => isExpired(certificate.certificate_details?.expires_at, now) === wanted);
	}
	return checks.length ? (certificate) => checks.every((check) => check(certificate)) : undefined;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const keep = readFilters.call(this, itemIndex);
	const options = readOptions.call(this, itemIndex);
	const order = readOrder.call(this, options, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	// Unfiltered with a small limit, one page of exactly that size; otherwise full pages.
	const pageSize = keep || limit === undefined ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
	const certificates = await collectObjects(
		listObjects<OrganizationCertificate>(this, ['organization', 'certificates'], { order }, settings, pageSize),
		limit,
		keep,
	);
	return certificates.map((json) => ({ json }));
}
