/**
 * Get Many: the organization's certificates, filtered (getAll/filters.ts) and paged only as far as the
 * limit needs.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { numberTypeOptions } from '../../helpers/numbers';
import { ENDPOINTS, listUpTo } from '../../transport';
import {
	readOptions,
	requestSettings,
	optionsCollection,
	listFields,
	orderOption,
	readLimit,
	readOrder,
} from '../shared/parameters';
import { activeInFilters, includeActiveInOption } from './getAll/activeIn';
import { EXPIRING_WITHIN_DAYS, readFilters } from './getAll/filters';

const properties: INodeProperties[] = [
	...listFields('certificate'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			...activeInFilters,
			{
				displayName: 'Expired',
				name: 'expired',
				type: 'boolean',
				default: true,
				description:
					'Whether to return only expired certificates (on) or only unexpired ones (off)',
			},
			{
				displayName: 'Expiring Within Days',
				name: 'expiringWithinDays',
				type: 'number',
				typeOptions: numberTypeOptions(EXPIRING_WITHIN_DAYS),
				default: 30,
				description:
					'Only certificates that expire within this many days from now, already expired ones included',
			},
			{
				displayName: 'Matches Certificate',
				name: 'fingerprint256',
				type: 'string',
				default: '',
				placeholder: 'AB:CD:... or -----BEGIN CERTIFICATE-----...',
				description:
					'Only the certificate that is this one: give its SHA-256 fingerprint, or its PEM (e.g. from your vault) to find its OpenAI ID. With a PEM, only certificates with the same validity dates are fetched to compare, so it stays cheap on the rate-limited API.',
			},
		],
	},
	optionsCollection([includeActiveInOption, orderOption]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['getAll'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const options = readOptions.call(this, itemIndex);
	const order = readOrder.call(this, options, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const keep = readFilters.call(this, itemIndex, settings, options);
	const certificates = await listUpTo(
		this,
		{ endpoint: ENDPOINTS.listOrganizationCertificates, qs: { order } },
		settings,
		limit,
		keep,
	);
	return certificates.map((json) => ({ json }));
}
