/**
 * The host methods of MS-PSRP §2.2.3.17: which return a value (the client answers with a host
 * response) and which are void (no response; Windows sends them with call id -100).
 */
import { HostMethodIdentifier as M } from '../constants.js';

/** Methods that return nothing: the client MUST NOT answer them (§3.1.5.4.15 / §3.1.5.4.27). */
export const VOID_HOST_METHODS: ReadonlySet<M> = new Set([
  M.SetShouldExit, M.EnterNestedPrompt, M.ExitNestedPrompt, M.NotifyBeginApplication, M.NotifyEndApplication,
  M.Write1, M.Write2, M.WriteLine1, M.WriteLine2, M.WriteLine3, M.WriteErrorLine, M.WriteDebugLine,
  M.WriteProgress, M.WriteVerboseLine, M.WriteWarningLine,
  M.SetForegroundColor, M.SetBackgroundColor, M.SetCursorPosition, M.SetWindowPosition, M.SetCursorSize,
  M.SetBufferSize, M.SetWindowSize, M.SetWindowTitle, M.FlushInputBuffer,
  M.SetBufferContents1, M.SetBufferContents2, M.ScrollBufferContents, M.PushRunspace, M.PopRunspace,
]);

/** The call id Windows gives void host calls. */
export const VOID_CALL_ID = -100n;

/** True when the method returns a value the server waits for. */
export function hostMethodReturns(method: M): boolean {
  return !VOID_HOST_METHODS.has(method);
}
