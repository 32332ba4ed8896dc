import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { matchesFingerprint } from '../../api/certificateByFingerprint';
import { expiresWithinDays, isExpired } from '../../helpers/dates';
import { showValue } from '../../helpers/ids';
import type { NumberRule } from '../../helpers/numbers';
import { checkNumber, numberTypeOptions } from '../../helpers/numbers';
import { certificateBlocks } from '../../helpers/pem';
import { normalizeFingerprint, parseCertificate, validityOf } from '../../helpers/x509';
import type { RequestSettings } from '../../transport';
import { listUpTo } from '../../transport';
import type { OrganizationCertificate } from '../../transport/shapes';
import {
	listFields,
	orderOption,
	readLimit,
	readOptions,
	readOrder,
	requestSettings,
	optionsCollection,
} from '../parameters';
import { activeInFilters, activeInStep, includeActiveInOption, readActiveIn } from './activeIn';

const EXPIRING_WITHIN_DAYS: NumberRule = { label: 'Expiring Within Days', min: 0, whole: false };

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
			{
				displayName: 'Status in Organization',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Active in the Organization', value: 'active' },
					{ name: 'Any', value: 'any' },
					{ name: 'Not Active in the Organization', value: 'inactive' },
				],
				default: 'any',
				description:
					'Activation for the organization only: a certificate active only for projects counts as not active here. To include projects, use Active In.',
			},
		],
	},
	optionsCollection([includeActiveInOption, orderOption]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['certificate'], operation: ['getAll'] } },
	properties,
);

type Keep = (certificate: OrganizationCertificate) => boolean | Promise<boolean>;

/**
 * The "Matches Certificate" filter: the fingerprint to find, and when a PEM was given its validity
 * dates, so only certificates with the same dates need their content fetched.
 */
function readFingerprintFilter(
	this: IExecuteFunctions,
	raw: unknown,
	itemIndex: number,
	settings: RequestSettings,
): Keep {
	const text = String(raw).trim();
	let fingerprint: string;
	let validity: { validAt: number; expiresAt: number } | undefined;
	if (certificateBlocks(text).length > 0) {
		const parsed = parseCertificate(certificateBlocks(text)[0].text);
		if (!parsed) {
			throw new NodeOperationError(
				this.getNode(),
				`The certificate in Matches Certificate of item ${itemIndex} is not a parseable X.509 certificate`,
				{
					itemIndex,
				},
			);
		}
		fingerprint = normalizeFingerprint(parsed.fingerprint256);
		validity = validityOf(parsed);
	} else {
		fingerprint = normalizeFingerprint(text);
		if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
			throw new NodeOperationError(
				this.getNode(),
				`Matches Certificate of item ${itemIndex} is neither a SHA-256 fingerprint nor a PEM certificate: ${showValue(raw)}`,
				{
					itemIndex,
					description:
						'Give 64 hex digits (colons allowed), e.g. from: openssl x509 -noout -fingerprint -sha256 -in ca.pem',
				},
			);
		}
	}
	return matchesFingerprint(this, { fingerprint, validity }, settings);
}

function readFilters(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: RequestSettings,
	options: IDataObject,
): Keep | undefined {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const checks: Keep[] = [];
	const now = Math.floor(Date.now() / 1000);
	const status = filters.status ?? 'any';
	if (status === 'active' || status === 'inactive') {
		checks.push((certificate) => (certificate.active === true) === (status === 'active'));
	} else if (status !== 'any') {
		throw new NodeOperationError(
			this.getNode(),
			`Status must be active, inactive or any, got ${showValue(status)}`,
			{ itemIndex },
		);
	}
	if (
		filters.expiringWithinDays !== undefined &&
		filters.expiringWithinDays !== null &&
		filters.expiringWithinDays !== ''
	) {
		const days = checkNumber(
			this.getNode(),
			filters.expiringWithinDays,
			EXPIRING_WITHIN_DAYS,
			itemIndex,
		);
		checks.push((certificate) =>
			expiresWithinDays(certificate.certificate_details?.expires_at, days, now),
		);
	}
	if (typeof filters.expired === 'boolean') {
		const wanted = filters.expired;
		checks.push(
			(certificate) => isExpired(certificate.certificate_details?.expires_at, now) === wanted,
		);
	}
	// After the cheap filters: reading project activation costs a request per project.
	const where = readActiveIn.call(this, filters, options, itemIndex);
	if (where) checks.push(activeInStep(this, where, settings));
	if (typeof filters.fingerprint256 === 'string' && filters.fingerprint256.trim() !== '') {
		// Last, so the cheap filters spare it requests.
		checks.push(readFingerprintFilter.call(this, filters.fingerprint256, itemIndex, settings));
	}
	if (checks.length === 0) return undefined;
	return async (certificate) => {
		for (const check of checks) if (!(await check(certificate))) return false;
		return true;
	};
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const options = readOptions.call(this, itemIndex);
	const order = readOrder.call(this, options, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const keep = readFilters.call(this, itemIndex, settings, options);
	const certificates = await listUpTo<OrganizationCertificate>(
		this,
		['organization', 'certificates'],
		{ order },
		settings,
		limit,
		keep,
	);
	return certificates.map((json) => ({ json }));
}
