import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';

import { makeCertificate } from './certificates';
import { listen } from './listen';

/**
 * The sandbox's PKI: what a certificate authority's publication point serves when a CA is renewed.
 * `GET /ca/<certificate name>.pem` answers a renewed CA for that name (a real CA made with openssl on
 * the first request, then the same one every time — across restarts too when given a `file` to keep
 * them in, so a rotation paused after its canary finishes with the CA it started with), as the
 * scheduled-rotation example downloads it. Plain HTTP on loopback, like the rest of the sandbox.
 * Everything else is 404.
 */

export interface SandboxPki {
	/** e.g. http://127.0.0.1:5681 — what replaces https://pki.example.com in the examples. */
	baseUrl: string;
	/** The certificate names downloaded, in order. */
	downloads: string[];
	/** The renewed CA served for a name, if it was downloaded. */
	renewed(name: string): string | undefined;
	close(): Promise<void>;
}

const DAY = 86_400;
const PATH = /^\/ca\/([^/]+)\.pem$/;

/** A Common Name openssl accepts for the renewed CA: no subject separators, at most 64 characters. */
function commonNameFor(name: string): string {
	return `${name.replace(/[/\\=+,]/g, '-').slice(0, 48)} (renewed)`;
}

export async function startSandboxPki(
	options: { port?: number; host?: string; file?: string } = {},
): Promise<SandboxPki> {
	const { file } = options;
	const issued = new Map<string, string>(
		file && existsSync(file)
			? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
			: [],
	);
	const downloads: string[] = [];

	const server: Server = createServer((request, response) => {
		const match =
			request.method === 'GET'
				? PATH.exec(new URL(request.url ?? '/', 'http://pki').pathname)
				: null;
		let name: string | undefined;
		try {
			name = match ? decodeURIComponent(match[1]) : undefined;
		} catch {
			name = undefined;
		}
		if (name === undefined || name.trim() === '') {
			response
				.writeHead(404, { 'Content-Type': 'text/plain' })
				.end('Not found: the sandbox PKI serves GET /ca/<certificate name>.pem\n');
			return;
		}
		downloads.push(name);
		if (!issued.has(name)) {
			issued.set(
				name,
				makeCertificate({
					ca: true,
					commonName: commonNameFor(name),
					notBeforeOffset: -DAY,
					notAfterOffset: 730 * DAY,
				}).pem,
			);
			if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(issued), null, '\t'));
		}
		response
			.writeHead(200, {
				'Content-Type': 'application/x-pem-file',
				'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}.pem"; filename*=UTF-8''${encodeURIComponent(name)}.pem`,
			})
			.end(issued.get(name));
	});
	const { port, close } = await listen(server, options);

	return {
		baseUrl: `http://127.0.0.1:${port}`,
		downloads,
		renewed: (name) => issued.get(name),
		close,
	};
}
