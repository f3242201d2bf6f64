/**
 * Runs `startServer` until SIGINT/SIGTERM, printing `listening on URL` once per listener. Accounts
 * come from `--user` + TSREMOTE_SERVE_PASSWORD, or from a users file (read once at start: restart
 * serve after `tsremote enable --add-user`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadServeUsers, startServer, type ServeUser } from '../../server/index.js';
import type { ServeOAuthOptions } from '../../server/options.js';
import { ExitCode } from '../exit-codes.js';
import type { ServeVerbOptions } from '../serve.js';

export async function runServe(opts: ServeVerbOptions): Promise<number> {
  const log = opts.quiet ? undefined : (line: string) => void process.stderr.write(`serve: ${line}\n`);
  const users: ServeUser[] = 'usersFile' in opts.accounts
    ? loadServeUsers(opts.accounts.usersFile)
    : [{ username: opts.accounts.user, password: opts.accounts.password }];
  const basicOnly = users.filter((u) => !('password' in u) && u.ntHash === undefined).map((u) => u.username);
  if (basicOnly.length > 0) log?.(`no NT hash stored (Basic only, NTLM refused) for: ${basicOnly.join(', ')}`);
  const server = await startServer({
    listen: opts.listen,
    users,
    https: opts.https,
    cert: opts.certFile ? readFileSync(opts.certFile, 'utf8') : undefined,
    key: opts.keyFile ? readFileSync(opts.keyFile, 'utf8') : undefined,
    allowUnencrypted: opts.allowUnencrypted,
    ...(opts.auth === undefined ? {} : { auth: opts.auth }),
    cbt: opts.cbt,
    ...(opts.clientCaFile === undefined ? {} : { clientCa: readFileSync(opts.clientCaFile, 'utf8') }),
    ...(opts.keytabFile === undefined ? {} : { keytab: opts.keytabFile }),
    ...(opts.spn === undefined ? {} : { spn: opts.spn }),
    ...(opts.oauth === undefined ? {} : { oauth: oauthOptions(opts.oauth) }),
    maxShellsPerUser: opts.maxShellsPerUser,
    log,
    ...(opts.faults === undefined ? {} : { faultSpec: opts.faults }),
    ...(opts.latencyMs > 0 ? { latencyMs: opts.latencyMs } : {}),
  });
  if (opts.certOut && server.certPem) writeFileSync(opts.certOut, server.certPem);
  process.stdout.write(server.urls.map((u) => `listening on ${u.href}\n`).join(''));

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return ExitCode.Ok;
}

/** serve's OAuth options from the verb's: the CA file read here, once. */
function oauthOptions(o: NonNullable<ServeVerbOptions['oauth']>): ServeOAuthOptions {
  const { caFile, ...rest } = o;
  return { ...rest, ...(caFile === undefined ? {} : { ca: readFileSync(caFile, 'utf8') }) };
}
