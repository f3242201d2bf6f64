/**
 * The listening sockets of `serve`, one node:http(s) server per port, and what fault injection
 * does to them: `refuse` and `restart` really close a port's listening socket (connects get
 * ECONNREFUSED) and bind the same port again after a while. Port 0 is resolved at the first bind,
 * so a re-bind takes the port clients already know.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { ListenAddress } from './options.js';

type AnyServer = http.Server | https.Server;

/** One port; `server` is undefined while it refuses. */
interface Port {
  readonly addr: ListenAddress;
  server: AnyServer | undefined;
  reopen: NodeJS.Timeout | undefined;
}

export class ListeningPorts {
  readonly #ports = new Map<number, Port>();
  readonly #create: () => AnyServer;
  readonly #log: (line: string) => void;
  #closed = false;

  /** @param create makes a configured, not yet listening server (handlers attached). */
  constructor(create: () => AnyServer, log: (line: string) => void) {
    this.#create = create;
    this.#log = log;
  }

  /** Binds one address. @returns it with port 0 resolved. @throws the listen error (EADDRINUSE …). */
  async listen(addr: ListenAddress): Promise<ListenAddress> {
    const server = this.#create();
    const bound = await bind(server, addr);
    this.#ports.set(bound.port, { addr: bound, server, reopen: undefined });
    return bound;
  }

  /**
   * Closes the listening socket of `portNumber` for `ms`, then binds the same port again. Idle
   * keep-alive connections of the port are closed too, so that a client's next request really has
   * to connect; requests in progress go on.
   */
  suspend(portNumber: number, ms: number): void {
    const port = this.#ports.get(portNumber);
    if (port === undefined || this.#closed) return;
    const server = port.server;
    port.server = undefined;
    if (server !== undefined) {
      server.close();
      server.closeIdleConnections();
    }
    clearTimeout(port.reopen);
    port.reopen = setTimeout(() => {
      port.reopen = undefined;
      if (this.#closed || port.server !== undefined) return;
      const next = this.#create();
      port.server = next;
      bind(next, port.addr).catch((err: unknown) => {
        if (port.server === next) port.server = undefined;
        this.#log(`cannot listen again on port ${portNumber}: ${(err as Error).message}`);
      });
    }, ms);
  }

  /** {@link suspend} for every port. */
  suspendAll(ms: number): void {
    for (const n of this.#ports.keys()) this.suspend(n, ms);
  }

  /** Stops listening for good and closes every connection of the servers. */
  async close(): Promise<void> {
    this.#closed = true;
    const servers: AnyServer[] = [];
    for (const port of this.#ports.values()) {
      clearTimeout(port.reopen);
      if (port.server !== undefined) servers.push(port.server);
      port.server = undefined;
    }
    this.#ports.clear();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}

function bind(server: AnyServer, addr: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: addr.host, port: addr.port }, () => {
      server.off('error', reject);
      const bound = server.address();
      resolve({ host: addr.host, port: typeof bound === 'object' && bound !== null ? bound.port : addr.port });
    });
  });
}
