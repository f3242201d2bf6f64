/** `tsremote serve` — a WinRM endpoint on loopback, for demos, tests and benchmarks. */
import { Command } from 'commander';
import type { VerbResult } from './main.js';

export interface ServeVerbOptions {
  listen: string[];
  /** `--user` with TSREMOTE_SERVE_PASSWORD, or `--users FILE` (the store `tsremote enable` writes). */
  accounts: { user: string; password: string } | { usersFile: string };
  https: boolean;
  certFile: string | undefined;
  keyFile: string | undefined;
  certOut: string | undefined;
  allowUnencrypted: boolean;
  /** undefined: the server's default (basic,ntlm; plus certificate with a client CA). */
  auth: ('basic' | 'ntlm' | 'negotiate' | 'certificate' | 'oauth' | 'kerberos' | 'credssp')[] | undefined;
  /** `--keytab FILE` (Kerberos) and `--spn HTTP/host`: the keytab is read when the server starts. */
  keytabFile?: string | undefined;
  spn?: string | undefined;
  /** Bearer JWT validation (`--oauth-issuer` …); undefined: no OAuth. */
  oauth?: { issuer: string; audience: string; jwks?: string; userClaim?: string; caFile?: string } | undefined;
  cbt: 'strict' | 'relaxed' | 'none';
  clientCaFile: string | undefined;
  maxShellsPerUser: number;
  quiet: boolean;
  /** Fault injection rules (docs/serve.md, "Fault injection"); checked before the server starts. */
  faults: string | undefined;
  /** Milliseconds each request is held before it is handled (`--latency`, a simulated WAN); 0 = none. */
  latencyMs: number;
}

async function runServeLazy(opts: ServeVerbOptions): Promise<number> {
  const { runServe } = await import('./actions/serve.js');
  return runServe(opts);
}

const collect = (value: string, prev: string[] = []): string[] => [...prev, value];

export function serveCommand(result: VerbResult, run: (o: ServeVerbOptions) => Promise<number> = runServeLazy): Command {
  return new Command('serve')
    .description('run a loopback WinRM endpoint (--user with TSREMOTE_SERVE_PASSWORD, or --users FILE)')
    .option('--listen <addr>', 'HOST:PORT or HOST:FIRST-LAST (repeatable; default 127.0.0.1:5985)', collect)
    .option('--user <name>', 'the user name clients log on with (password from TSREMOTE_SERVE_PASSWORD)')
    .option('--users <file>', 'the users file written by `tsremote enable --add-user` (scrypt + NT hashes, mode 0600)')
    .option('--https', 'serve HTTPS (with --cert/--key, or a generated self-signed certificate)')
    .option('--cert <pem>', 'certificate file (PEM)')
    .option('--key <pem>', 'private key file (PEM)')
    .option('--cert-out <file>', "write the served certificate (PEM) here, for clients' --ca-file")
    .option('--allow-unencrypted', 'accept Basic and unsealed NTLM over plain HTTP (as WinRM AllowUnencrypted=true)')
    .option('--auth <list>', 'mechanisms offered: basic,ntlm,kerberos,certificate,credssp (negotiate = ntlm, + kerberos with --keytab; default basic,ntlm)')
    .option('--cbt <level>', 'NTLM channel binding on HTTPS: strict, relaxed or none', 'relaxed')
    .option('--client-ca <pem>', 'CA file (PEM) client certificates must chain to (with --https; enables certificate auth)')
    .option('--keytab <file>', 'keytab with the HTTP/<host> key: accept Kerberos (Negotiate and Kerberos schemes)')
    .option('--spn <principal>', 'with --keytab: accept tickets only for this principal (HTTP/host[@REALM])')
    .option('--oauth-issuer <url>', 'accept bearer JWTs from this issuer (enables oauth; keys from its OpenID metadata)')
    .option('--oauth-audience <aud>', 'the aud bearer tokens must carry (with --oauth-issuer)')
    .option('--oauth-jwks <url-or-file>', "the issuer's JWK set, instead of its OpenID metadata's jwks_uri")
    .option('--oauth-user-claim <claim>', 'claim naming the serve user (default: upn, preferred_username, appid, azp, sub)')
    .option('--oauth-ca-file <pem>', "trust this CA (PEM) when fetching the issuer's metadata and keys")
    .option('--max-shells <n>', 'MaxShellsPerUser', '30')
    .option('--quiet', 'print only the listening lines')
    .option('--latency <duration>', 'hold every request (auth legs too) this long, as a WAN round trip would: 20ms, 0.5s or milliseconds')
    .option('--faults <spec>', 'inject faults for tests: KIND[@OPS][:key=value,...] rules separated by ";" (see docs/serve.md)')
    .action(async (flags: Record<string, unknown>) => {
      const { InvalidArgumentError } = await import('../errors.js');
      const { parseAuthList, parseCbt, parseLatency } = await import('../server/options.js');
      if ((flags.user === undefined) === (flags.users === undefined)) {
        throw new InvalidArgumentError('give either --user (with TSREMOTE_SERVE_PASSWORD) or --users FILE', {
          hint: 'serve never runs without authentication; tsremote enable --add-user NAME writes a users file',
        });
      }
      const password = process.env.TSREMOTE_SERVE_PASSWORD;
      if (flags.user !== undefined && !password) {
        throw new InvalidArgumentError('no password: set TSREMOTE_SERVE_PASSWORD for --user', {
          hint: 'serve never takes a password on the command line',
        });
      }
      const maxShells = Number(flags.maxShells);
      if (!Number.isInteger(maxShells) || maxShells < 1) throw new InvalidArgumentError('--max-shells must be >= 1');
      if ((flags.cert === undefined) !== (flags.key === undefined)) {
        throw new InvalidArgumentError('--cert and --key go together');
      }
      const auth = flags.auth === undefined ? undefined : parseAuthList(flags.auth as string);
      const cbt = parseCbt(flags.cbt as string);
      const latencyMs = flags.latency === undefined ? 0 : parseLatency(flags.latency as string);

      const https = Boolean(flags.https) || flags.cert !== undefined;
      if (flags.clientCa !== undefined && !https) throw new InvalidArgumentError('--client-ca needs --https', { hint: 'client certificates travel in the TLS handshake' });
      if ((flags.oauthIssuer === undefined) !== (flags.oauthAudience === undefined)) {
        throw new InvalidArgumentError('--oauth-issuer and --oauth-audience go together');
      }
      const oauthExtras = flags.oauthJwks !== undefined || flags.oauthUserClaim !== undefined || flags.oauthCaFile !== undefined;
      if (flags.oauthIssuer === undefined && oauthExtras) {
        throw new InvalidArgumentError('--oauth-jwks, --oauth-user-claim and --oauth-ca-file need --oauth-issuer and --oauth-audience');
      }
      const oauth = flags.oauthIssuer === undefined ? undefined : {
        issuer: flags.oauthIssuer as string,
        audience: flags.oauthAudience as string,
        ...(flags.oauthJwks === undefined ? {} : { jwks: flags.oauthJwks as string }),
        ...(flags.oauthUserClaim === undefined ? {} : { userClaim: flags.oauthUserClaim as string }),
        ...(flags.oauthCaFile === undefined ? {} : { caFile: flags.oauthCaFile as string }),
      };
      if (flags.spn !== undefined && flags.keytab === undefined) throw new InvalidArgumentError('--spn needs --keytab', { hint: 'the SPN picks a key from the keytab' });
      const faults = flags.faults as string | undefined;
      if (faults !== undefined) {
        // Checked here so a typo fails before anything listens.
        const { parseFaultSpec } = await import('../server/fault-injection/index.js');
        if (parseFaultSpec(faults).rules.some((r) => r.kind === 'wrong-cert') && !https) {
          throw new InvalidArgumentError('the wrong-cert fault needs --https', { hint: 'add --https, or drop wrong-cert from --faults' });
        }
      }
      result.code = await run({
        listen: (flags.listen as string[] | undefined) ?? ['127.0.0.1:5985'],
        accounts: flags.users !== undefined ? { usersFile: flags.users as string } : { user: flags.user as string, password: password as string },
        https,
        certFile: flags.cert as string | undefined,
        keyFile: flags.key as string | undefined,
        certOut: flags.certOut as string | undefined,
        allowUnencrypted: Boolean(flags.allowUnencrypted),
        auth,
        cbt,
        clientCaFile: flags.clientCa as string | undefined,
        oauth,
        keytabFile: flags.keytab as string | undefined,
        spn: flags.spn as string | undefined,
        maxShellsPerUser: maxShells,
        quiet: Boolean(flags.quiet),
        faults,
        latencyMs,
      });
    });
}
