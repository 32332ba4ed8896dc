import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { uploadCertificate } from '../../api/upload';
import {
	certificateCheckOptions,
	certificateInputFields,
	certificateInputReport,
	readCertificateInput,
	readCertificateName,
} from '../certificateInput';
import { readOptions, requestSettings, optionsCollection } from '../parameters';

const show = { resource: ['certificate'], operation: ['upload'] };

const properties: INodeProperties[] = [
	...certificateInputFields(show),
	optionsCollection([...certificateCheckOptions]),
];

export const description = updateDisplayOptions({ show }, properties);

/** Uploads a certificate. Never sent twice: a failed upload is repeated only when it surely did not arrive. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const options = readOptions.call(this, itemIndex);
	const input = await readCertificateInput.call(this, itemIndex, options);
	const name = readCertificateName.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const certificate = await uploadCertificate(this, input.pem, name, settings);
	return [{ json: { ...certificate, ...certificateInputReport(input, options) } }];
}
