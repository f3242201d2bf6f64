/**
 * What a client answers to a host call (§2.2.2.16 / §2.2.2.28), before it is encoded.
 *
 * A value holding a SecureString (ReadLineAsSecureString, PromptForCredential, a Prompt field of
 * type SecureString) cannot be encoded until the session key exists (§3.1.4.8): such results are
 * given as a function of the key, and the pool holds them until ENCRYPTED_SESSION_KEY arrives,
 * starting the key exchange itself when none was made — as PowerShell's client does.
 */
import { PSObject, ps, type PSValue } from '../clixml/index.js';
import type { SessionKey } from '../securestring/index.js';
import { buildErrorRecord } from './error-record.js';

export type HostResult =
  /** The method's return value (mr). */
  | { value: PSValue }
  /** A return value built with the session key (SecureStrings inside). */
  | { secure: (key: SessionKey) => PSValue }
  /** The method failed: an ErrorRecord (me), or a message to wrap in one. */
  | { error: PSObject | string };

/** A host result: this plaintext, sent as an encrypted <SS>. */
export function secureStringResult(text: string): HostResult {
  return { secure: (key) => ps.text('SS', key.encrypt(text)) };
}

/** The System.Management.Automation.PSCredential object, password as <SS> (§2.2.3.25). */
export function credentialObject(key: SessionKey, userName: string, password: string): PSObject {
  return new PSObject({
    typeNames: ['System.Management.Automation.PSCredential', 'System.Object'],
    toStringText: 'System.Management.Automation.PSCredential',
    adapted: [
      ['UserName', userName],
      ['Password', ps.text('SS', key.encrypt(password))],
    ],
  });
}

/** A host result: a PSCredential (PromptForCredential). */
export function credentialResult(userName: string, password: string): HostResult {
  return { secure: (key) => credentialObject(key, userName, password) };
}

/** The `me` ErrorRecord of a failed host call (FullyQualifiedErrorId as PowerShell's client). */
export function hostErrorRecord(message: string): PSObject {
  return buildErrorRecord({
    message,
    errorId: 'RemoteHostExecutionException',
    exceptionType: 'System.Management.Automation.Remoting.RemoteHostException',
    reason: 'RemoteHostException',
  });
}
