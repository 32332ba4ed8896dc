import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { OpenAiCertificates } from '../../nodes/OpenAiCertificates/OpenAiCertificates.node';
import { operations as certificateOperations } from '../../nodes/OpenAiCertificates/actions/certificate';
import { operations as projectCertificateOperations } from '../../nodes/OpenAiCertificates/actions/projectCertificate';
import { findOperation } from '../../nodes/OpenAiCertificates/actions/router';

const { properties } = new OpenAiCertificates().description;

const optionValues = (property: INodeProperties | undefined) =>
	(property?.options ?? []).map((option) => String((option as INodePropertyOptions).value));

const resources = optionValues(properties.find((property) => property.name === 'resource'));

const operationsOf = (resource: string) =>
	optionValues(
		properties.find(
			(property) =>
				property.name === 'operation' &&
				property.displayOptions?.show?.resource?.includes(resource),
		),
	);

describe('The node’s wiring', () => {
	it('offers both resources, each with the operations its index wires (no list to edit here)', () => {
		expect(resources).toEqual(['certificate', 'projectCertificate']);
		expect(operationsOf('certificate').sort()).toEqual(Object.keys(certificateOperations).sort());
		expect(operationsOf('projectCertificate').sort()).toEqual(
			Object.keys(projectCertificateOperations).sort(),
		);
		expect(operationsOf('certificate')).toContain('rename');
	});

	it.each(
		resources.flatMap((resource) =>
			operationsOf(resource).map((operation) => [resource, operation]),
		),
	)('%s › %s has an operation to run', (resource, operation) => {
		expect(findOperation(resource, operation)?.execute).toEqual(expect.any(Function));
	});

	it('finds no operation for a name the options do not offer', () => {
		expect(findOperation('certificate', 'update')).toBeUndefined();
		expect(findOperation('projectCertificate', 'delete')).toBeUndefined();
		expect(findOperation('project', 'getAll')).toBeUndefined();
		expect(findOperation('certificate', 'toString')).toBeUndefined();
	});

	it('shows every other field for one resource and operations it offers (each operation file scopes its own)', () => {
		const fields = properties.filter(
			(property) => property.name !== 'resource' && property.name !== 'operation',
		);
		expect(fields.length).toBeGreaterThan(20);
		for (const field of fields) {
			const show = field.displayOptions?.show ?? {};
			const [resource, ...others] = (show.resource ?? []) as string[];
			expect({ field: field.name, resources: others.length + (resource ? 1 : 0) }).toEqual({
				field: field.name,
				resources: 1,
			});
			const offered = operationsOf(resource);
			for (const operation of (show.operation ?? []) as string[])
				expect({ field: field.name, operation, offered: offered.includes(operation) }).toEqual({
					field: field.name,
					operation,
					offered: true,
				});
			expect((show.operation ?? []).length).toBeGreaterThan(0);
		}
	});
});
