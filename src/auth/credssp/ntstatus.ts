/**
 * NTSTATUS codes a CredSSP server reports in TSRequest.errorCode (MS-CSSP 2.2.1, versions 3, 4
 * and 6+; MS-ERREF 2.3), named for the error line.
 */
export const STATUS_LOGON_FAILURE = 0xc000006d;
export const STATUS_ACCESS_DENIED = 0xc0000022;
export const STATUS_INVALID_PARAMETER = 0xc000000d;

const NAMES: Record<number, string> = {
  [STATUS_LOGON_FAILURE]: 'STATUS_LOGON_FAILURE',
  [STATUS_ACCESS_DENIED]: 'STATUS_ACCESS_DENIED',
  [STATUS_INVALID_PARAMETER]: 'STATUS_INVALID_PARAMETER',
  0xc000006e: 'STATUS_ACCOUNT_RESTRICTION',
  0xc0000072: 'STATUS_ACCOUNT_DISABLED',
  0xc0000234: 'STATUS_ACCOUNT_LOCKED_OUT',
  0xc0000071: 'STATUS_PASSWORD_EXPIRED',
  0xc0000224: 'STATUS_PASSWORD_MUST_CHANGE',
};

/** `0xC000006D STATUS_LOGON_FAILURE`, or the bare hex for a code we have no name for. */
export function describeNtStatus(code: number): string {
  const hex = `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  const name = NAMES[code >>> 0];
  return name === undefined ? `NTSTATUS ${hex}` : `${hex} ${name}`;
}
