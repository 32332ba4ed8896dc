import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { byteLength, certificateBlocks, hasPrivateKey, MAX_CERTIFICATE_BYTES } from '../helpers/pem';

/** The new certificate of Upload and Rotate: PEM text, or a PEM file in a binary property of the input item. */

export function certificateInputFields(show: { resource: string[]; operation: string[] }): INodeProperties[] {
	return [
		{
			displayName: 'Input Type',
			name: 'inputType',
			type: 'options',
			options: [
				{ name: 'Text', value: 'text', description: 'Paste the PEM text, or map it with an expression' },
				{ name: 'Binary File', value: 'binary', description: 'A PEM file from an earlier node (Read Binary File, S3, HTTP Request)' },
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
			description: 'A name for the certificate in the organization, e.g. "Production client CA 2027"',
			displayOptions: { show },
		},
	];
}

export interface CertificateInput {
	pem: string;
	/** Where it came from, for messages: 'the Certificate field' or 'binary property "data"'. */
	source: string;
}

/** Reads the PEM from text or a binary property and checks it before anything is sent. */
export async function readCertificateInput(this: IExecuteFunctions, itemIndex: number): Promise<CertificateInput> {
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
		source = 'the Certificate field';
		const raw = this.getNodeParameter('certificate', itemIndex, '') as unknown;
		if (typeof raw !== 'string') {
			throw new NodeOperationError(this.getNode(), `The Certificate field of item ${itemIndex} must be text, got ${typeof raw}`, {
				itemIndex,
			});
		}
		pem = raw;
	} else {
		throw new NodeOperationError(this.getNode(), `Input Type must be "text" or "binary", got "${inputType}"`, { itemIndex });
	}

	if (hasPrivateKey(pem)) {
		throw new NodeOperationError(this.getNode(), `The ${source} of item ${itemIndex} contains a private key; nothing was sent`, {
			itemIndex,
			description:
				'A private key must never be uploaded. Give only the certificate (the -----BEGIN CERTIFICATE----- block), and keep the key where it is.',
		});
	}
	if (certificateBlocks(pem).length === 0) {
		throw new NodeOperationError(this.getNode(), `The ${source} of item ${itemIndex} is not a PEM certificate`, {
			itemIndex,
			description:
				'Expected text with a -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block. A DER (binary) file can be converted with: openssl x509 -inform der -in cert.der -out cert.pem',
		});
	}
	const bytes = byteLength(pem);
	if (bytes > MAX_CERTIFICATE_BYTES) {
		throw new NodeOperationError(this.getNode(), `The ${source} of item ${itemIndex} is ${bytes} bytes, more than OpenAI's limit of 16 KB`, {
			itemIndex,
			description:
				'Upload only the CA certificate that issues your client certificates, not a client (leaf) certificate or a long chain.',
		});
	}
	return { pem, source };
}

export function readCertificateName(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	return name === '' ? undefined : name;
}
