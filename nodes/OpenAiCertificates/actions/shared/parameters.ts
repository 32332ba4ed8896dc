/** Parameter fields and readers shared by several operations. Operations read parameters only through here or directly. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { refusal } from '../../helpers/nodeErrors';
import { parseId, showValue, splitIdList } from '../../helpers/ids';
import type { NumberRule } from '../../helpers/numbers';
import { checkNumber, numberTypeOptions } from '../../helpers/numbers';
import type { RequestSettings } from '../../transport';
import { DEFAULT_REQUEST_SETTINGS } from '../../transport';

const ID_VALIDATION = [
	{
		type: 'regex' as const,
		properties: {
			regex: '^\\s*[^/\\\\?#%\\s]+\\s*$',
			errorMessage: 'An ID has no spaces, slashes, ?, # or %',
		},
	},
];

export function certificateLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Certificate',
		name: 'certificateId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description:
			'The certificate to act on, chosen from the organization or given by ID (cert_...)',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a certificate...',
				typeOptions: { searchListMethod: 'searchCertificates', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'cert_abc123',
				validation: ID_VALIDATION,
			},
		],
		...overrides,
	};
}

export function projectLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Project',
		name: 'projectId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The project, chosen from the organization or given by ID (proj_...)',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a project...',
				typeOptions: { searchListMethod: 'searchProjects', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'proj_abc123',
				validation: ID_VALIDATION,
			},
		],
		...overrides,
	};
}

/** The Options collection of an operation: its own options, then the ones every operation has. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...options, ...requestOptionFields],
	};
}

const MAX_RETRIES: NumberRule = { label: 'Max Retries', min: 0, max: 10, whole: true };
export const CONCURRENCY: NumberRule = { label: 'Concurrency', min: 1, max: 20, whole: true };
const RETRY_DELAY: NumberRule = { label: 'Retry Delay', min: 0, whole: true, unit: 'milliseconds' };
const TIMEOUT: NumberRule = { label: 'Timeout', min: 100, whole: true, unit: 'milliseconds' };

/** Options every operation has: how hard to try. */
const requestOptionFields: INodeProperties[] = [
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: numberTypeOptions(MAX_RETRIES),
		default: 3,
		description:
			'How many times to repeat a request after a rate limit (429), a server error (5xx) or a lost connection. 0 sends each request once.',
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: numberTypeOptions(CONCURRENCY),
		default: 1,
		description:
			'How many input items to process at the same time. Output order and pairing stay those of the input; a rate limit (429) pauses all of them together.',
	},
	{
		displayName: 'Retry Delay',
		name: 'retryDelay',
		type: 'number',
		typeOptions: numberTypeOptions(RETRY_DELAY),
		default: 1000,
		description:
			'How long to wait before the first retry when the API does not say (no Retry-After), in milliseconds. It doubles with each retry, up to 30 seconds.',
	},
	{
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		typeOptions: numberTypeOptions(TIMEOUT),
		default: 30000,
		description:
			'How long to wait for one answer of the API before giving that attempt up, in milliseconds',
	},
];

export function readOptions(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return this.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

export function requestSettings(
	this: IExecuteFunctions,
	options: IDataObject,
	itemIndex: number,
): RequestSettings {
	const node = this.getNode();
	const read = (value: unknown, fallback: number, rule: NumberRule) =>
		checkNumber(node, value ?? fallback, rule, itemIndex);
	const maxRetries = read(options.maxRetries, DEFAULT_REQUEST_SETTINGS.maxRetries, MAX_RETRIES);
	const timeout = read(options.timeout, DEFAULT_REQUEST_SETTINGS.timeout, TIMEOUT);
	const retryDelay = read(options.retryDelay, DEFAULT_REQUEST_SETTINGS.retryDelay, RETRY_DELAY);
	return { maxRetries, timeout, retryDelay, itemIndex };
}

/** Reads a certificate ID parameter (a resource locator or plain text) and checks it before any request. */
export function readId(this: IExecuteFunctions, parameter: string, itemIndex: number): string {
	const raw = this.getNodeParameter(parameter, itemIndex, undefined, { extractValue: true });
	const parsed = parseId(raw);
	if ('id' in parsed) return parsed.id;
	throw refusal(
		this.getNode(),
		itemIndex,
		`The certificate ID "${showValue(raw)}" of item ${itemIndex} is not valid: ${parsed.problem}`,
		'Give the certificate ID as shown by the OpenAI Admin API, for example cert_abc123.',
	);
}

/**
 * The one reader of a project ID, from a project field's value (a resource locator, its value, or text)
 * wherever the field is (a parameter, a filter): checked before any request, or a refusal naming the field.
 */
export function projectIdOf(
	context: IExecuteFunctions,
	raw: unknown,
	field: string,
	itemIndex: number,
): string {
	const value = raw !== null && typeof raw === 'object' ? (raw as IDataObject).value : raw;
	const parsed = parseId(value);
	if ('id' in parsed) return parsed.id;
	throw refusal(
		context.getNode(),
		itemIndex,
		`${field} of item ${itemIndex} is not a valid project ID: ${parsed.problem}`,
		'Choose a project from the list or give its ID (proj_...).',
	);
}

/** A project parameter (Project, Canary Project): its ID, checked by `projectIdOf`. */
export function readProjectId(
	this: IExecuteFunctions,
	parameter: string,
	field: string,
	itemIndex: number,
): string {
	const raw = this.getNodeParameter(parameter, itemIndex, '', { extractValue: true });
	return projectIdOf(this, raw, field, itemIndex);
}

/** Reads a list of certificate IDs (comma-separated text or an array), drops duplicates and checks each. */
export function readIdList(
	this: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
): string[] {
	const raw = this.getNodeParameter(parameter, itemIndex, []) as unknown;
	const values = splitIdList(raw);
	const ids: string[] = [];
	for (const value of values) {
		const parsed = parseId(value);
		if ('problem' in parsed) {
			throw new NodeOperationError(
				this.getNode(),
				`The certificate ID "${showValue(value)}" in Certificate IDs of item ${itemIndex} is not valid: ${parsed.problem}`,
				{
					itemIndex,
					description:
						'Give certificate IDs as comma-separated text (cert_a, cert_b) or an expression that returns an array.',
				},
			);
		}
		if (!ids.includes(parsed.id)) ids.push(parsed.id);
	}
	if (ids.length === 0) {
		throw new NodeOperationError(this.getNode(), `Certificate IDs of item ${itemIndex} is empty`, {
			itemIndex,
			description: 'Give at least one certificate ID.',
		});
	}
	return ids;
}

export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only report what would be done, sending no request that changes anything',
};

export const certificateIdsField: INodeProperties = {
	displayName: 'Certificate Names or IDs',
	name: 'certificateIds',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getCertificates' },
	default: [],
	required: true,
	description:
		'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	hint: 'An expression may return an array of IDs or comma-separated text. Duplicates are dropped; more than 10 are sent 10 per call.',
};

/** Get Many's own parameters: Return All, Limit and Order, as every n8n list operation has them. */
const LIMIT: NumberRule = { label: 'Limit', min: 1, whole: true };

/** Get Many: Return All and Limit, as every n8n list operation. */
export function listFields(resource: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: LIMIT.min, numberPrecision: 0 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { resource: [resource], operation: ['getAll'], returnAll: [false] } },
		},
	];
}

export const orderOption: INodeProperties = {
	displayName: 'Order',
	name: 'order',
	type: 'options',
	options: [
		{ name: 'Newest First', value: 'desc' },
		{ name: 'Oldest First', value: 'asc' },
	],
	default: 'desc',
	description: 'Sort order by upload time',
};

/** How many results the user asked for: undefined for all. */
export function readLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	const limit = this.getNodeParameter('limit', itemIndex, 50);
	return checkNumber(this.getNode(), limit, LIMIT, itemIndex);
}

export function readOrder(
	this: IExecuteFunctions,
	options: IDataObject,
	itemIndex: number,
): 'asc' | 'desc' {
	const order = options.order ?? 'desc';
	if (order !== 'asc' && order !== 'desc') {
		throw new NodeOperationError(
			this.getNode(),
			`Order must be "asc" or "desc", got ${showValue(order)}`,
			{ itemIndex },
		);
	}
	return order;
}
