/**
 * The local checks of Upload and Rotate's new certificate, in an order that keeps hostile input cheap:
 * size first (before any parsing), then anything that could be key material, then the certificate
 * blocks themselves against OpenAI's guidance (helpers/x509.ts).
 */
import type { X509Certificate } from 'node:crypto';

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	byteLength,
	certificateBlocks,
	hasPrivateKey,
	keyMaterialBesides,
	MAX_INPUT_BYTES,
	otherBlocks,
} from '../../helpers/pem';
import type { CheckFailure, CheckName } from '../../helpers/x509';
import { checkCertificatePem, SKIPPABLE_CHECKS } from '../../helpers/x509';

/** Where the PEM came from, for messages: 'Certificate field' or 'binary property "data"'. */
export interface PemSource {
	source: string;
	itemIndex: number;
}

export interface CheckedCertificates {
	/** The parsed certificates, first one first (empty when none parses and checks were skipped). */
	certificates: X509Certificate[];
	/** When Skip Local Checks is on: which checks were skipped, and what they would have refused. */
	skipped?: { skippedChecks: CheckName[]; skippedCheckFailures: string[] };
}

function refusal(
	this: IExecuteFunctions,
	{ source, itemIndex }: PemSource,
	failures: CheckFailure[],
	skippable: boolean,
): NodeOperationError {
	return new NodeOperationError(
		this.getNode(),
		`The certificate in the ${source} of item ${itemIndex} was not sent: ${failures.map((failure) => failure.problem).join('; ')}`,
		{
			itemIndex,
			description: `${[...new Set(failures.map((failure) => failure.fix))].join(' ')}${skippable ? ' To send it anyway, turn on Skip Local Checks.' : ''}`,
		},
	);
}

/** Refuses what must never be sent, whatever the options: too large to read, key material, no certificate block. */
function screenPem(this: IExecuteFunctions, pem: string, { source, itemIndex }: PemSource): void {
	const notSent = (problem: string, description: string) =>
		new NodeOperationError(
			this.getNode(),
			`The ${source} of item ${itemIndex} ${problem}; nothing was sent`,
			{ itemIndex, description },
		);
	const bytes = byteLength(pem);
	if (bytes > MAX_INPUT_BYTES) {
		throw notSent(
			`is ${bytes} bytes, more than the ${MAX_INPUT_BYTES / 1024 / 1024} MB this node reads`,
			'A CA certificate is a few kilobytes. Give only the certificate (the -----BEGIN CERTIFICATE----- block).',
		);
	}
	const others = otherBlocks(pem);
	if (others.length > 0) {
		const kinds = [...new Set(others.map((other) => other.name))];
		throw notSent(
			`contains ${kinds.join(', and ')}`,
			[...new Set(others.map((other) => other.fix))].join(' '),
		);
	}
	const keyMaterial = hasPrivateKey(pem) ? [] : keyMaterialBesides(pem);
	if (hasPrivateKey(pem) || keyMaterial.length > 0) {
		throw notSent(
			hasPrivateKey(pem)
				? 'contains a private key'
				: `contains ${keyMaterial.join(', and ')}, which could be key material`,
			'A private key must never be uploaded: only the certificate blocks are. Give only the certificate (the -----BEGIN CERTIFICATE----- block), and keep the key where it is.',
		);
	}
	if (certificateBlocks(pem).length === 0) {
		throw notSent(
			'is not a PEM certificate',
			'Expected text with a -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block. A DER (binary) file can be converted with: openssl x509 -inform der -in cert.der -out cert.pem',
		);
	}
}

/** The certificates of the PEM once every check passed, or (Skip Local Checks) with what was skipped. */
export function checkedCertificates(
	this: IExecuteFunctions,
	pem: string,
	from: PemSource,
	options: IDataObject,
): CheckedCertificates {
	screenPem.call(this, pem, from);
	const { failures, certificates } = checkCertificatePem(pem, Math.floor(Date.now() / 1000));
	const unparseable = failures.filter((failure) => failure.check === 'parse');
	if (unparseable.length > 0) throw refusal.call(this, from, unparseable, false);
	if (options.skipLocalChecks === true) {
		const skippedCheckFailures = failures.map((failure) => failure.problem);
		return { certificates, skipped: { skippedChecks: SKIPPABLE_CHECKS, skippedCheckFailures } };
	}
	if (failures.length > 0) throw refusal.call(this, from, failures, true);
	return { certificates, skipped: undefined };
}
