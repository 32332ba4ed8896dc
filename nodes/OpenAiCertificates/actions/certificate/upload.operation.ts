import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { uploadCertificate } from '../../api/upload';
import {
	certificateCheckOptions,
	certificateInputFields,
	certificateInputReport,
	readCertificateInput,
	readCertificateName,
} from '../shared/certificateInput';
import { readOptions, requestSettings, optionsCollection } from '../shared/parameters';

const show = { resource: ['certificate'], operation: ['upload'] };

const properties: INodeProperties[] = [
	...certificateInputFields(show),
	optionsCollection([...certificateCheckOptions]),
];

export const description = updateDisplayOptions({ show }, properties);

/**
 * Uploads a certificate, exactly once: an attempt whose outcome is unclear is settled by the certificate's
 * fingerprint before anything is sent again (api/upload.ts); a certificate found that way has `reconciled`.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const options = readOptions.call(this, itemIndex);
	const input = await readCertificateInput.call(this, itemIndex, options);
	const name = readCertificateName.call(this, itemIndex);
	const settings = requestSettings.call(this, options, itemIndex);
	const certificate = await uploadCertificate(this, input, name, settings);
	return [{ json: { ...certificate, ...certificateInputReport(input, options) } }];
}
