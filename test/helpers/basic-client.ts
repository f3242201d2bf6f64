import { Credential } from '../../src/auth/index.js';
import { connect, type WSManClient } from '../../src/session/index.js';

/** A WSManClient for an in-process serve with user `u` / `p`: Basic over plain HTTP (allowUnencrypted). */
export function basicLoopbackClient(host: string): WSManClient {
  return connect(host, {
    https: false,
    auth: 'basic',
    credential: new Credential('u', 'p'),
    allowUnencrypted: true,
    operationTimeoutSec: 20,
    connectTimeoutSec: 5,
  });
}
