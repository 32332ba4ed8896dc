/**
 * Cases 6 and 7 of `npm run bench` (issue 17): what hostile input costs. Pure CPU, no server.
 * 6: the PEM scan on its worst case (repeated BEGIN lines) against ordinary PEM of the same size, and the
 *    former lazy-regex scan on a small worst case for comparison; 7: checking a 100-certificate list page
 *    against the spec's shape, against parsing the same JSON.
 */
import { keyMaterialBesides, pemBlocks } from '../nodes/OpenAiCertificates/helpers/pem';
import { certificateListShape } from '../nodes/OpenAiCertificates/helpers/answers';
import { makeCertificate } from '../sandbox/certificates';

type Row = (...cells: Array<string | number>) => void;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function timed(run: () => unknown, repeat = 1): number {
	const started = performance.now();
	for (let index = 0; index < repeat; index++) run();
	return (performance.now() - started) / repeat;
}

const sizeOf = (bytes: number, unit: string) => unit.repeat(Math.ceil(bytes / unit.length));
const scan = (text: string) => [pemBlocks(text), keyMaterialBesides(text)];
/** The scan this package used before issue 17: quadratic on BEGIN lines without END. */
const formerScan = (text: string) => [
	...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g),
];

export function benchPemScan(row: Row): void {
	const worstUnit = '-----BEGIN CERTIFICATE-----\n';
	const ordinaryUnit = makeCertificate({ ca: true, commonName: 'Bench CA' }).pem;
	const megabyte = 1024 * 1024;
	const worst = timed(() => scan(sizeOf(megabyte, worstUnit)), 3);
	const ordinary = timed(() => scan(sizeOf(megabyte, ordinaryUnit)), 3);
	const worst8 = timed(() => scan(sizeOf(8 * megabyte, worstUnit)));
	row(
		'6a. PEM scan, 1 MB of repeated BEGIN lines vs 1 MB of ordinary PEM',
		`${ms(worst)} vs ${ms(ordinary)}`,
		`worst/ordinary ${(worst / ordinary).toFixed(2)}`,
		`8 MB worst case ${ms(worst8)} (${(worst8 / worst).toFixed(1)}× 1 MB: linear ≈ 8)`,
		'target: 8 MB ≈ 8× 1 MB (linear)',
	);
	const small = 64 * 1024;
	const former = timed(() => formerScan(sizeOf(small, worstUnit)));
	const now = timed(() => scan(sizeOf(small, worstUnit)), 10);
	row(
		'6b. PEM scan, 64 KB of repeated BEGIN lines: former lazy regex vs now',
		`${ms(former)} vs ${ms(now)}`,
		`former/now ${(former / now).toFixed(0)}`,
		'the former scan grows with the square of the size (1 MB ≈ 12 s)',
		'',
	);
}

export function benchAnswerValidation(row: Row): void {
	const now = Math.floor(Date.now() / 1000);
	const page = {
		object: 'list',
		data: Array.from({ length: 100 }, (_, index) => ({
			object: 'organization.certificate',
			id: `cert_${index.toString().padStart(24, '0')}`,
			name: `Certificate ${index}`,
			created_at: now - index,
			certificate_details: { valid_at: now - 86_400, expires_at: now + 86_400 * 365 },
			active: index % 2 === 0,
		})),
		has_more: true,
		first_id: 'cert_0',
		last_id: 'cert_99',
	};
	const text = JSON.stringify(page);
	const parsed = JSON.parse(text) as unknown;
	const repeat = 2000;
	const parse = timed(() => JSON.parse(text), repeat);
	const check = timed(() => certificateListShape(parsed), repeat);
	if (certificateListShape(parsed) !== undefined)
		throw new Error('the bench page does not pass its own check');
	row(
		'7. Answer check of a 100-certificate list page vs JSON.parse of it',
		`${(check * 1000).toFixed(1)} µs vs ${(parse * 1000).toFixed(1)} µs`,
		`check/parse ${(check / parse).toFixed(2)}`,
		`per page of ${(text.length / 1024).toFixed(1)} KB; n8n-core's HTTP helper costs ≈ 2 ms per request`,
		'target: check/parse ≤ 2',
	);
}
