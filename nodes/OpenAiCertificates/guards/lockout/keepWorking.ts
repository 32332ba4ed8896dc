/**
 * The lockout guard's input: Client Certificates To Keep Working (text and binary fields), the clients
 * whose requests must still be accepted during and after a change. Certificates only, never a key.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { refusal } from '../../helpers/nodeErrors';
import { hasPrivateKey } from '../../helpers/pem';
import type { ClientChain } from '../../helpers/trust';
import { clientChainsFromPem } from '../../helpers/trust';

export const keepWorkingOptions: INodeProperties[] = [
	{
		displayName: 'Client Certificates To Keep Working',
		name: 'keepWorking',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: '-----BEGIN CERTIFICATE-----\nMIIB... (client)\n-----END CERTIFICATE-----',
		description:
			'Client certificates (PEM; each followed by its intermediates) whose requests must still be accepted during and after this change. Before writing anything, the node checks each of them in every affected project and refuses a change that would lock one out. Certificates only, never a private key.',
	},
	{
		displayName: 'Client Certificates To Keep Working: Binary Fields',
		name: 'keepWorkingBinary',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, worker2',
		description:
			'Input binary fields holding PEM files of client certificates to check the same way, comma-separated',
	},
];

async function pemFromBinary(context: IExecuteFunctions, itemIndex: number, field: string) {
	const binary = context.getInputData()[itemIndex]?.binary?.[field];
	if (!binary) {
		const message = `Item ${itemIndex} has no binary field "${field}" (Client Certificates To Keep Working: Binary Fields)`;
		throw refusal(
			context.getNode(),
			itemIndex,
			message,
			'Name the binary fields that hold the PEM files.',
		);
	}
	return (await context.helpers.getBinaryDataBuffer(itemIndex, field)).toString('utf8');
}

/** The clients of Client Certificates To Keep Working (text and binary fields); none when both are empty. */
export async function readKeepWorking(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<ClientChain[]> {
	const texts = [String(options.keepWorking ?? '')];
	const fields = String(options.keepWorkingBinary ?? '')
		.split(',')
		.map((field) => field.trim());
	for (const field of fields.filter(Boolean))
		texts.push(await pemFromBinary(this, itemIndex, field));
	const text = texts.join('\n');
	if (hasPrivateKey(text)) {
		const message = `Client Certificates To Keep Working of item ${itemIndex} contain a private key; nothing was sent`;
		throw refusal(
			this.getNode(),
			itemIndex,
			message,
			'Give only the client certificates: the check needs no key.',
		);
	}
	const { clients, unparseable } = clientChainsFromPem(text);
	if (unparseable > 0 || (text.trim() !== '' && clients.length === 0)) {
		const message = `Client Certificates To Keep Working of item ${itemIndex} hold ${unparseable || 'no'} certificate(s) that cannot be read`;
		throw refusal(
			this.getNode(),
			itemIndex,
			message,
			'Give PEM certificates (-----BEGIN CERTIFICATE----- blocks).',
		);
	}
	return clients;
}
