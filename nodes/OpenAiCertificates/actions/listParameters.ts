/** Get Many's own parameters: Return All, Limit and Order, as every n8n list operation has them. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { showValue } from '../helpers/ids';
import type { NumberRule } from '../helpers/numbers';
import { checkNumber } from '../helpers/numbers';

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
