/** What the client verbs share once flags are parsed: credentials, connecting, classifying failures. */
import { Credential } from '../../auth/index.js';
import { TsrError } from '../../errors.js';
export { isUnreachable } from '../exit-codes.js';
import type { ConnectOptions } from '../../session/index.js';
import type { ConnectionOptions } from '../connection-options.js';
import { resolvePassword } from '../password.js';

/** The credential the flags ask for; undefined when no user was given and none is required. */
export async function credentialFor(conn: ConnectionOptions, required: boolean): Promise<Credential | undefined> {
  if (!conn.username) {
    if (!required) return undefined;
    throw new TsrError('ETSR_CREDENTIALS', 'no user name', { hint: 'give -u USER (or set TSREMOTE_USERNAME)' });
  }
  const password = await resolvePassword(conn.username, {
    passwordStdin: conn.passwordStdin,
    env: process.env,
    stdin: process.stdin,
    promptOut: process.stderr,
  });
  return new Credential(conn.username, password);
}

/** Connection options for session/connect from the CLI flags; warns once about --skip-cert-check. */
export function connectOptionsFor(conn: ConnectionOptions, credential: Credential | undefined): ConnectOptions {
  if (conn.skipCertCheck) {
    process.stderr.write('warning: --skip-cert-check: server certificates are NOT verified\n');
  }
  return {
    https: conn.https,
    port: conn.port,
    auth: conn.auth,
    credential,
    caFile: conn.caFile,
    skipCertCheck: conn.skipCertCheck,
    allowUnencrypted: conn.allowUnencrypted,
    operationTimeoutSec: conn.operationTimeoutSec,
    connectTimeoutSec: conn.connectTimeoutSec,
    debug: conn.debug ? (line: string) => void process.stderr.write(`debug: ${line}\n`) : undefined,
  };
}

/**
 * Ctrl+C / SIGTERM handling for verbs that hold remote resources: the first signal aborts
 * `signal` (the verb stops remote work and cleans up), a second one quits at once.
 */
export function interruptible(what: string): { signal: AbortSignal; interrupted: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) {
      process.stderr.write('tsremote: interrupted twice; quitting without cleanup\n');
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(`tsremote: interrupted; ${what} (Ctrl+C again to quit now)\n`);
    controller.abort(new TsrError('ETSR_ABORTED', 'interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    interrupted: () => interrupted,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
