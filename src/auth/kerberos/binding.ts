/**
 * The GSSAPI binding tsremote uses for Kerberos: the `kerberos` npm package (MongoDB's, over MIT
 * krb5's libgssapi_krb5 on Linux and macOS, SSPI on Windows). It is an optional dependency: it
 * builds native code at install time, so tsremote installs and runs without it and loads it only
 * when a logon asks for Kerberos.
 *
 * What the package does, read from its sources (lib/index.js, src/unix/kerberos_gss.cc, 7.0.0):
 * - `initializeClient(service, { principal, flags, mechOID })` imports `service` as a
 *   GSS_C_NT_HOSTBASED_SERVICE name (`HTTP@host`, not `HTTP/host`), and with `principal` acquires
 *   that principal's credentials from the ccache (collection) instead of the default one. Default
 *   flags are MUTUAL | SEQUENCE.
 * - `step(base64)` runs gss_init_sec_context; the client's `contextComplete` turns true on
 *   GSS_S_COMPLETE, and `response` holds the output token (base64) or is empty.
 * - `wrap(base64, { protect, user })` is meant to be plain gss_wrap without `user` and a SASL
 *   GSSAPI security-layer answer (RFC 4752) with it; but the C side tests `user.c_str()`, never
 *   NULL, so it always wraps the 4-byte SASL answer, whatever the input. Unusable for WinRM:
 *   tsremote seals with its own RFC 4121 code (ccache.ts, session.ts).
 * - `unwrap(base64)` is plain gss_unwrap (not used: see above).
 * - The client passes no channel bindings (GSS_C_NO_CHANNEL_BINDINGS), so Kerberos over HTTPS is
 *   not bound to the TLS channel (Windows' default CbtHardeningLevel Relaxed accepts that).
 * Everything crosses as base64 strings (null for an empty token) and every call runs on libuv's
 * thread pool.
 */
import { AuthError } from '../errors.js';

/** The subset of the package's KerberosClient that tsremote uses. */
export interface GssClient {
  readonly contextComplete: boolean;
  /** Resolves with the output token (base64), or null when there is none. */
  step(challenge: string): Promise<string | null>;
}

/** The subset of the package's exports that tsremote uses. */
export interface GssBinding {
  initializeClient(service: string, options?: { principal?: string; flags?: number; mechOID?: number }): Promise<GssClient>;
  readonly GSS_C_DELEG_FLAG: number;
  readonly GSS_C_MUTUAL_FLAG: number;
  readonly GSS_C_REPLAY_FLAG: number;
  readonly GSS_C_SEQUENCE_FLAG: number;
  readonly GSS_C_CONF_FLAG: number;
  readonly GSS_C_INTEG_FLAG: number;
  readonly GSS_MECH_OID_KRB5: number;
}

/** Loads the binding; tests and embedders may supply their own. */
export type GssBindingLoader = () => Promise<GssBinding>;

export const KERBEROS_PACKAGE = 'kerberos';

/** How to get the package, per platform: one line for the error's hint. */
export function kerberosInstallHint(platform: NodeJS.Platform = process.platform): string {
  const build =
    platform === 'darwin'
      ? 'macOS: Xcode command line tools (uses the system Heimdal/GSS framework)'
      : platform === 'win32'
        ? 'Windows: a C++ build toolchain (uses SSPI)'
        : 'Debian/Ubuntu: apt-get install libkrb5-dev build-essential krb5-user; Fedora/RHEL: dnf install krb5-devel gcc-c++ krb5-workstation';
  return `run "npm install kerberos" where tsremote is installed (it builds native code: ${build}), or use --auth ntlm`;
}

/**
 * Imports the `kerberos` package (once).
 * @throws AuthError (ETSR_AUTH_UNSUPPORTED) naming how to install it when it is absent or does
 *   not load (a build for another Node, a missing libgssapi_krb5).
 */
export const loadGssBinding: GssBindingLoader = (() => {
  let loading: Promise<GssBinding> | undefined;
  return () => (loading ??= importBinding(KERBEROS_PACKAGE));
})();

/**
 * Imports the binding from module `specifier` (exported for tests: a name that does not exist
 * shows what a user without the package sees).
 */
export async function importBinding(specifier: string): Promise<GssBinding> {
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_MODULE_NOT_FOUND';
    throw new AuthError(
      'ETSR_AUTH_UNSUPPORTED',
      missing
        ? `Kerberos needs the optional "${specifier}" package, which is not installed`
        : `the "${specifier}" package is installed but does not load: ${(err as Error).message.split('\n')[0]}`,
      { cause: err, hint: kerberosInstallHint() },
    );
  }
  const binding = ((mod as { default?: unknown }).default ?? mod) as Partial<GssBinding>;
  if (typeof binding.initializeClient !== 'function' || typeof binding.GSS_C_MUTUAL_FLAG !== 'number') {
    throw new AuthError('ETSR_AUTH_UNSUPPORTED', `the "${specifier}" package does not look like the kerberos binding (no initializeClient)`, {
      hint: kerberosInstallHint(),
    });
  }
  return binding as GssBinding;
}

/** True when the package can be found, without loading its native code (for Negotiate's choice). */
export function gssBindingInstalled(): boolean {
  try {
    import.meta.resolve(KERBEROS_PACKAGE);
    return true;
  } catch {
    return false;
  }
}
