/**
 * Get Many's Filters as one keep-or-drop check per certificate, cheapest first: the list's own fields,
 * then project activation (a request per project), last the fingerprint (a request per candidate).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { matchesFingerprint } from '../../../api/certificateByFingerprint';
import { expiresWithinDays, isExpired } from '../../../helpers/dates';
import { showValue } from '../../../helpers/ids';
import type { NumberRule } from '../../../helpers/numbers';
import { checkNumber } from '../../../helpers/numbers';
import { certificateBlocks } from '../../../helpers/pem';
import { normalizeFingerprint, parseCertificate, validityOf } from '../../../helpers/x509';
import type { RequestSettings } from '../../../transport';
import type { ListedCertificate } from '../../../helpers/answers';
import { activeInStep, readActiveIn } from './activeIn';

export const EXPIRING_WITHIN_DAYS: NumberRule = {
	label: 'Expiring Within Days',
	min: 0,
	whole: false,
};

export type Keep = (certificate: ListedCertificate) => boolean | Promise<boolean>;

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

/** Expiring Within Days and Expired, against one "now" for the whole list. */
function expiryChecks(this: IExecuteFunctions, filters: IDataObject, itemIndex: number): Keep[] {
	const checks: Keep[] = [];
	const now = Math.floor(Date.now() / 1000);
	const { expiringWithinDays, expired } = filters;
	if (
		expiringWithinDays !== undefined &&
		expiringWithinDays !== null &&
		expiringWithinDays !== ''
	) {
		const days = checkNumber(this.getNode(), expiringWithinDays, EXPIRING_WITHIN_DAYS, itemIndex);
		checks.push((certificate) =>
			expiresWithinDays(certificate.certificate_details?.expires_at, days, now),
		);
	}
	if (typeof expired === 'boolean') {
		checks.push(
			(certificate) => isExpired(certificate.certificate_details?.expires_at, now) === expired,
		);
	}
	return checks;
}

/** Every check must keep the certificate; they run in order, so a cheap one spares the costly ones. */
function allOf(checks: Keep[]): Keep | undefined {
	if (checks.length === 0) return undefined;
	return async (certificate) => {
		for (const check of checks) if (!(await check(certificate))) return false;
		return true;
	};
}

/** The filters of the item as one check (undefined when there is none), each filter checked before any request. */
export function readFilters(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: RequestSettings,
	options: IDataObject,
): Keep | undefined {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const checks = [...expiryChecks.call(this, filters, itemIndex)];
	// After the cheap filters: reading project activation costs a request per project.
	const where = readActiveIn.call(this, filters, options, itemIndex);
	if (where) checks.push(activeInStep(this, where, settings));
	if (typeof filters.fingerprint256 === 'string' && filters.fingerprint256.trim() !== '') {
		// Last, so the cheap filters spare it requests.
		checks.push(readFingerprintFilter.call(this, filters.fingerprint256, itemIndex, settings));
	}
	return allOf(checks);
}
