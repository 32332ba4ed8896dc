import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * The one way the sandbox's servers (fake Admin API, mTLS host, PKI) listen: on 127.0.0.1 and a free
 * port unless told otherwise, keeping track of open connections so `close` ends them instead of waiting
 * for keep-alive clients to leave.
 */
export interface Listening {
	port: number;
	close(): Promise<void>;
}

export async function listen(
	server: Server,
	options: { port?: number; host?: string },
): Promise<Listening> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) =>
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
	);
	const { port } = server.address() as AddressInfo;
	return {
		port,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
