/** The new certificate of Upload and Rotate: PEM text, or a PEM file in a binary property of the input item. */
import type { X509Certificate } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	byteLength,
	certificateBlocks,
	encodeCertificate,
	hasPrivateKey,
	keyMaterialBesides,
	MAX_INPUT_BYTES,
} from '../helpers/pem';
import type { CertificateDetails, CheckFailure, CheckName } from '../helpers/x509';
import { certificateDetails, checkCertificatePem, SKIPPABLE_CHECKS } from '../helpers/x509';

export function certificateInputFields(show: {
	resource: string[];
	operation: string[];
}): INodeProperties[] {
	return [
		{
			displayName: 'Input Type',
			name: 'inputType',
			type: 'options',
			options: [
				{
					name: 'Text',
					value: 'text',
					description: 'Paste the PEM text, or map it with an expression',
				},
				{
					name: 'Binary File',
					value: 'binary',
					description: 'A PEM file from an earlier node (Read Binary File, S3, HTTP Request)',
				},
			],
			default: 'text',
			displayOptions: { show },
		},
		{
			displayName: 'Certificate',
			name: 'certificate',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			required: true,
			placeholder: '-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----',
			description:
				"The certificate in PEM format. OpenAI's guidance: upload the CA that issues your client certificates, not a client (leaf) certificate.",
			displayOptions: { show: { ...show, inputType: ['text'] } },
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the input binary field containing the PEM file',
			description: 'The binary property of the input item that holds the PEM file',
			displayOptions: { show: { ...show, inputType: ['binary'] } },
		},
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			description:
				'A name for the certificate in the organization, e.g. "Production client CA 2027"',
			displayOptions: { show },
		},
	];
}

/** Options of Upload and Rotate about the local checks and the parsed details. */
export const certificateCheckOptions: INodeProperties[] = [
	{
		displayName: 'Allow Chain',
		name: 'allowChain',
		type: 'boolean',
		default: false,
		description:
			'Whether to accept more than one certificate (a chain); OpenAI must have enabled chains for the organization',
	},
	{
		displayName: 'Include Details',
		name: 'includeDetails',
		type: 'boolean',
		default: false,
		description:
			'Whether to add the parsed certificate to the output as details: subject, issuer, serial number, SHA-256 fingerprint, CA, key, validity and days until expiry',
	},
	{
		displayName: 'Skip Local Checks',
		name: 'skipLocalChecks',
		type: 'boolean',
		default: false,
		description:
			'Whether to send the certificate even if it is not a parseable CA, is expired or expiring within a day, is over 16 KB or is a chain. The output then lists the skipped checks. A private key is always refused.',
	},
];

export interface CertificateInput {
	/** What is sent: only the certificates that were parsed and checked, re-encoded — never the input as given. */
	pem: string;
	/** Where it came from, for messages: 'Certificate field' or 'binary property "data"'. */
	source: string;
	/** The parsed certificates, first one first (empty when none parses and checks were skipped). */
	certificates: X509Certificate[];
	/** When Skip Local Checks is on: which checks were skipped, and what they would have refused. */
	skipped?: { skippedChecks: CheckName[]; skippedCheckFailures: string[] };
}

function refusal(
	this: IExecuteFunctions,
	source: string,
	itemIndex: number,
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

/** The output fields the check options ask for: details of the first certificate, and any skipped checks. */
export function certificateInputReport(input: CertificateInput, options: IDataObject): IDataObject {
	const report: IDataObject = {};
	if (options.includeDetails === true && input.certificates.length > 0) {
		const details: CertificateDetails = certificateDetails(
			input.certificates[0],
			Math.floor(Date.now() / 1000),
		);
		report.details = details;
	}
	if (input.skipped) Object.assign(report, input.skipped);
	return report;
}

/**
 * Reads the PEM from text or a binary property and checks it locally before anything is sent:
 * never a private key, always a PEM certificate block, and OpenAI's guidance unless Skip Local Checks.
 */
export async function readCertificateInput(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<CertificateInput> {
	const inputType = this.getNodeParameter('inputType', itemIndex, 'text') as string;
	let pem: string;
	let source: string;
	if (inputType === 'binary') {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		source = `binary property "${property}"`;
		const binary = this.getInputData()[itemIndex]?.binary?.[property];
		if (!binary) {
			const available = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
			throw new NodeOperationError(this.getNode(), `Item ${itemIndex} has no ${source}`, {
				itemIndex,
				description: available.length
					? `Its binary properties are: ${available.join(', ')}. Set Input Binary Field to the one holding the PEM file.`
					: 'The item has no binary data. Read the PEM file with an earlier node (Read Binary File, S3, HTTP Request with response format File), or use Input Type Text.',
			});
		}
		pem = (await this.helpers.getBinaryDataBuffer(itemIndex, property)).toString('utf8');
	} else if (inputType === 'text') {
		source = 'Certificate field';
		const raw = this.getNodeParameter('certificate', itemIndex, '') as unknown;
		if (typeof raw !== 'string') {
			throw new NodeOperationError(
				this.getNode(),
				`The Certificate field of item ${itemIndex} must be text, got ${typeof raw}`,
				{
					itemIndex,
				},
			);
		}
		pem = raw;
	} else {
		throw new NodeOperationError(
			this.getNode(),
			`Input Type must be "text" or "binary", got "${inputType}"`,
			{ itemIndex },
		);
	}

	const { certificates, skipped } = checkedCertificates.call(this, pem, source, itemIndex, options);
	const encoded = certificates.map((certificate) => encodeCertificate(certificate.raw)).join('');
	return { pem: encoded, source, certificates, ...(skipped ? { skipped } : {}) };
}

/**
 * The checks, in an order that keeps hostile input cheap: size first (before any parsing), then
 * anything that could be key material, then the certificate blocks themselves.
 */
function checkedCertificates(
	this: IExecuteFunctions,
	pem: string,
	source: string,
	itemIndex: number,
	options: IDataObject,
) {
	const notSent = (problem: string, description: string) =>
		new NodeOperationError(
			this.getNode(),
			`The ${source} of item ${itemIndex} ${problem}; nothing was sent`,
			{
				itemIndex,
				description,
			},
		);
	const bytes = byteLength(pem);
	if (bytes > MAX_INPUT_BYTES) {
		throw notSent(
			`is ${bytes} bytes, more than the ${MAX_INPUT_BYTES / 1024 / 1024} MB this node reads`,
			'A CA certificate is a few kilobytes. Give only the certificate (the -----BEGIN CERTIFICATE----- block).',
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
	const { failures, certificates } = checkCertificatePem(
		pem,
		{ allowChain: options.allowChain === true },
		Math.floor(Date.now() / 1000),
	);
	const unparseable = failures.filter((failure) => failure.check === 'parse');
	if (unparseable.length > 0) throw refusal.call(this, source, itemIndex, unparseable, false);
	if (options.skipLocalChecks === true) {
		return {
			certificates,
			skipped: {
				skippedChecks: SKIPPABLE_CHECKS,
				skippedCheckFailures: failures.map((failure) => failure.problem),
			},
		};
	}
	if (failures.length > 0) throw refusal.call(this, source, itemIndex, failures, true);
	return { certificates, skipped: undefined };
}

export function readCertificateName(
	this: IExecuteFunctions,
	itemIndex: number,
): string | undefined {
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	return name === '' ? undefined : name;
}
