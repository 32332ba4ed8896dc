import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Test-only: emits the items given in its `items` parameter (JSON), and for each item with a
 * `$binary` map of { property: { text, fileName, mimeType } } a real binary property made by n8n-core.
 */
export class InputItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Input Items',
		name: 'test.inputItems',
		group: ['transform'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Input Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		const output: INodeExecutionData[] = [];
		for (const [index, item] of items.entries()) {
			const { $binary, ...json } = item as IDataObject & {
				$binary?: Record<string, { text: string; fileName?: string; mimeType?: string }>;
			};
			const result: INodeExecutionData = { json, pairedItem: { item: 0 } };
			if ($binary) {
				result.binary = {};
				for (const [property, file] of Object.entries($binary)) {
					result.binary[property] = await this.helpers.prepareBinaryData(
						Buffer.from(file.text, 'utf8'),
						file.fileName ?? `file${index}.pem`,
						file.mimeType ?? 'application/x-pem-file',
					);
				}
			}
			output.push(result);
		}
		return [output];
	}
}
