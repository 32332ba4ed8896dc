import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** One operation: what it returns for one input item (the router pairs it to that item). */
export interface Operation {
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}
