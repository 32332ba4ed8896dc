/**
 * Real X.509 certificates made with openssl at test time (never stored fixtures that expire):
 * CAs and leaves, RSA or EC keys, any validity window (past, future, an hour), signed by an issuer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GeneratedCertificate {
	pem: string;
	keyPem: string;
	commonName: string;
}

export interface CertificateOptions {
	commonName?: string;
	ca?: boolean;
	key?: 'rsa' | 'ec';
	/** Validity window relative to now, in seconds (defaults: valid since a day ago, for a year). */
	notBeforeOffset?: number;
	notAfterOffset?: number;
	issuer?: GeneratedCertificate;
	/** A key of its own; by default certificates of one key type share a key (key generation is slow). */
	freshKey?: boolean;
	/**
	 * A CA's extensions OpenAI requires, changed or left out (null; openssl adds a Subject Key Identifier
	 * unless it is 'none') to make a CA OpenAI refuses; by
	 * default every CA has all three (CA_EXTENSIONS).
	 */
	caExtensions?: Partial<Record<keyof typeof CA_EXTENSIONS, string | null>>;
	/** A client certificate's extensions, changed or left out (null); subjectKeyIdentifier 'none' drops it. */
	leafExtensions?: Partial<Record<keyof typeof LEAF_EXTENSIONS, string | null>>;
}

/** What OpenAI's help centre requires of an uploaded CA, besides CA:TRUE (see spec/NOTES.md). */
export const CA_EXTENSIONS = {
	subjectKeyIdentifier: 'hash',
	authorityKeyIdentifier: 'keyid:always',
	keyUsage: 'critical,keyCertSign,cRLSign',
};

const CONFIG = `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
`;

/** What a client (leaf) certificate has by default: everything OpenAI's guide and help centre ask for. */
export const LEAF_EXTENSIONS = {
	keyUsage: 'critical,digitalSignature,keyEncipherment',
	extendedKeyUsage: 'clientAuth',
	subjectKeyIdentifier: 'hash',
	authorityKeyIdentifier: 'keyid:always',
	subjectAltName: null as string | null,
};

/** The [ v3_leaf ] section: CA:FALSE and the leaf extensions, as the options change them. */
function leafSection(changes: CertificateOptions['leafExtensions'] = {}): string {
	const lines = Object.entries({ ...LEAF_EXTENSIONS, ...changes })
		.filter((entry): entry is [string, string] => entry[1] !== null)
		.map(([name, value]) => `${name} = ${value}`);
	return ['[ v3_leaf ]', 'basicConstraints = critical,CA:FALSE', ...lines, ''].join('\n');
}

/** The [ v3_ca ] section: CA:TRUE and the required extensions, as the options change them. */
function caSection(changes: CertificateOptions['caExtensions'] = {}): string {
	const lines = Object.entries({ ...CA_EXTENSIONS, ...changes })
		.filter((entry): entry is [string, string] => entry[1] !== null)
		.map(([name, value]) => `${name} = ${value}`);
	return ['[ v3_ca ]', 'basicConstraints = critical,CA:TRUE', ...lines, ''].join('\n');
}

let counter = 0;
const keyCache = new Map<string, string>();

function openssl(cwd: string, args: string[]): void {
	execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function generalizedTime(offsetSeconds: number): string {
	return `${new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function newKey(dir: string, type: 'rsa' | 'ec', fresh: boolean): string {
	const cached = keyCache.get(type);
	if (cached && !fresh) return cached;
	const args =
		type === 'rsa'
			? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'new.key']
			: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'new.key'];
	openssl(dir, args);
	const pem = readFileSync(join(dir, 'new.key'), 'utf8');
	if (!cached) keyCache.set(type, pem);
	return pem;
}

export function makeCertificate(options: CertificateOptions = {}): GeneratedCertificate {
	counter += 1;
	const dir = mkdtempSync(join(tmpdir(), 'test-cert-'));
	try {
		const commonName = options.commonName ?? `Test ${options.ca ? 'CA' : 'Client'} ${counter}`;
		writeFileSync(
			join(dir, 'ca.cnf'),
			CONFIG + leafSection(options.leafExtensions) + caSection(options.caExtensions),
		);
		writeFileSync(join(dir, 'index.txt'), '');
		writeFileSync(
			join(dir, 'serial'),
			`${(Date.now() * 1000 + counter).toString(16).padStart(16, '0')}\n`,
		);
		const keyPem = newKey(dir, options.key ?? 'ec', options.freshKey === true);
		writeFileSync(join(dir, 'subject.key'), keyPem);
		openssl(dir, [
			'req',
			'-new',
			'-key',
			'subject.key',
			'-subj',
			`/CN=${commonName}/O=n8n-nodes-openai-certificates tests`,
			'-out',
			'subject.csr',
		]);
		const signing = options.issuer
			? (writeFileSync(join(dir, 'issuer.pem'), options.issuer.pem),
				writeFileSync(join(dir, 'issuer.key'), options.issuer.keyPem),
				['-cert', 'issuer.pem', '-keyfile', 'issuer.key'])
			: ['-selfsign', '-keyfile', 'subject.key'];
		openssl(dir, [
			'ca',
			'-batch',
			'-config',
			'ca.cnf',
			'-notext',
			'-in',
			'subject.csr',
			'-out',
			'subject.pem',
			'-startdate',
			generalizedTime(options.notBeforeOffset ?? -86_400),
			'-enddate',
			generalizedTime(options.notAfterOffset ?? 365 * 86_400),
			'-extensions',
			options.ca ? 'v3_ca' : 'v3_leaf',
			...signing,
		]);
		return { pem: readFileSync(join(dir, 'subject.pem'), 'utf8'), keyPem, commonName };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
