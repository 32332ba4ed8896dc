/**
 * Number parameters: one rule per parameter gives both the field's limits in the editor and the check
 * before any request, so each limit is written once and every bad value is refused in the same words.
 */
import type { INode, INodePropertyTypeOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { showValue } from './ids';

export interface NumberRule {
	/** The field's display name, as messages name it. */
	label: string;
	min: number;
	max?: number;
	/** Whether only whole numbers are accepted. */
	whole: boolean;
	/** What the number counts, when messages should say it (`milliseconds`). */
	unit?: string;
}

/** The field's typeOptions for a rule: the editor offers only what the check accepts. */
export function numberTypeOptions(rule: NumberRule): INodePropertyTypeOptions {
	return {
		minValue: rule.min,
		...(rule.max === undefined ? {} : { maxValue: rule.max }),
		...(rule.whole ? { numberPrecision: 0 } : {}),
	};
}

function expected(rule: NumberRule): string {
	const kind = `${rule.whole ? 'a whole number' : 'a number'}${rule.unit ? ` of ${rule.unit}` : ''}`;
	const range =
		rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
	return `${kind} ${range}`;
}

function follows(value: unknown, rule: NumberRule): value is number {
	return (
		typeof value === 'number' &&
		Number.isFinite(value) &&
		(!rule.whole || Number.isInteger(value)) &&
		value >= rule.min &&
		(rule.max === undefined || value <= rule.max)
	);
}

/** A number, or text that is one (an expression may give "30"); anything else as it is. */
function asNumber(value: unknown): unknown {
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

/** The value if it follows the rule; otherwise an error that names the field, the range and the value. */
export function checkNumber(
	node: INode,
	value: unknown,
	rule: NumberRule,
	itemIndex?: number,
): number {
	const number = asNumber(value);
	if (follows(number, rule)) return number;
	throw new NodeOperationError(
		node,
		`${rule.label} must be ${expected(rule)}, got ${showValue(value)}`,
		{ itemIndex },
	);
}
