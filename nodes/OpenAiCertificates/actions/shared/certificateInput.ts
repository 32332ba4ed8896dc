/** The new certificate of Upload and Rotate: PEM text, or a PEM file in a binary property of the input item. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { encodeCertificate } from '../../helpers/pem';
import type { ParsedDetails } from '../../helpers/x509';
import { certificateDetails } from '../../helpers/x509';
import type { CheckedCertificates, PemSource } from './certificateChecks';
import { checkedCertificates } from './certificateChecks';

const inputTypeField: INodeProperties = {
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
};

const pemTextField: INodeProperties = {
	displayName: 'Certificate',
	name: 'certificate',
	type: 'string',
	typeOptions: { rows: 6 },
	default: '',
	required: true,
	placeholder: '-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----',
	description:
		"The certificate in PEM format. OpenAI's guidance: upload the CA that issues your client certificates, not a client (leaf) certificate.",
};

const binaryPropertyField: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the input binary field containing the PEM file',
	description: 'The binary property of the input item that holds the PEM file',
};

const nameField: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	description: 'A name for the certificate in the organization, e.g. "Production client CA 2027"',
};

/** The fields of the new certificate, shown for the given resource and operation. */
export function certificateInputFields(
	show: { resource: string[]; operation: string[] },
	displayName = pemTextField.displayName,
): INodeProperties[] {
	return [
		{ ...inputTypeField, displayOptions: { show } },
		{ ...pemTextField, displayName, displayOptions: { show: { ...show, inputType: ['text'] } } },
		{ ...binaryPropertyField, displayOptions: { show: { ...show, inputType: ['binary'] } } },
		{ ...nameField, displayOptions: { show } },
	];
}
/** Options of Upload and Rotate about the local checks and the parsed details. */
export const certificateCheckOptions: INodeProperties[] = [
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
			'Whether to send the certificate even if it is not a CA, lacks the Subject Key Identifier, Authority Key Identifier or Key Usage (Certificate Sign, CRL Sign) OpenAI requires, is expired or expiring within a day, is over 16 KB or is a chain. The output then lists the skipped checks. A private key or an unparseable block is always refused.',
	},
];

export interface CertificateInput extends CheckedCertificates {
	/** What is sent: only the certificates that were parsed and checked, re-encoded — never the input as given. */
	pem: string;
	/** Where it came from, for messages: 'Certificate field' or 'binary property "data"'. */
	source: string;
}

/** The output fields the check options ask for: details of the first certificate, and any skipped checks. */
export function certificateInputReport(input: CertificateInput, options: IDataObject): IDataObject {
	const report: IDataObject = {};
	if (options.includeDetails === true && input.certificates.length > 0) {
		const details: ParsedDetails = certificateDetails(
			input.certificates[0],
			Math.floor(Date.now() / 1000),
		);
		report.details = details;
	}
	if (input.skipped) Object.assign(report, input.skipped);
	return report;
}

/** The PEM text of a binary property of the input item. */
async function readBinaryPem(
	this: IExecuteFunctions,
	itemIndex: number,
	property: string,
): Promise<string> {
	const binary = this.getInputData()[itemIndex]?.binary?.[property];
	if (!binary) {
		const available = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} has no binary property "${property}"`,
			{
				itemIndex,
				description: available.length
					? `Its binary properties are: ${available.join(', ')}. Set Input Binary Field to the one holding the PEM file.`
					: 'The item has no binary data. Read the PEM file with an earlier node (Read Binary File, S3, HTTP Request with response format File), or use Input Type Text.',
			},
		);
	}
	return (await this.helpers.getBinaryDataBuffer(itemIndex, property)).toString('utf8');
}

/** The PEM text of the Certificate field. */
function readTextPem(this: IExecuteFunctions, itemIndex: number): string {
	const raw = this.getNodeParameter('certificate', itemIndex, '') as unknown;
	if (typeof raw !== 'string') {
		throw new NodeOperationError(
			this.getNode(),
			`The Certificate field of item ${itemIndex} must be text, got ${typeof raw}`,
			{ itemIndex },
		);
	}
	return raw;
}

/** The PEM as given, and where it came from. */
async function readPem(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<{ pem: string; from: PemSource }> {
	const inputType = this.getNodeParameter('inputType', itemIndex, 'text') as string;
	if (inputType === 'binary') {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		const from = { source: `binary property "${property}"`, itemIndex };
		return { pem: await readBinaryPem.call(this, itemIndex, property), from };
	}
	if (inputType === 'text') {
		return {
			pem: readTextPem.call(this, itemIndex),
			from: { source: 'Certificate field', itemIndex },
		};
	}
	throw new NodeOperationError(
		this.getNode(),
		`Input Type must be "text" or "binary", got "${inputType}"`,
		{ itemIndex },
	);
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
	const { pem, from } = await readPem.call(this, itemIndex);
	const { certificates, skipped } = checkedCertificates.call(this, pem, from, options);
	const encoded = certificates.map((certificate) => encodeCertificate(certificate.raw)).join('');
	return { pem: encoded, source: from.source, certificates, ...(skipped ? { skipped } : {}) };
}

export function readCertificateName(
	this: IExecuteFunctions,
	itemIndex: number,
): string | undefined {
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	return name === '' ? undefined : name;
}
