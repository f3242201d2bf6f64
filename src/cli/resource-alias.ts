/**
 * Short names for resource URIs, as Get-WSManInstance accepts them (`wmicimv2/Win32_Service`,
 * `winrm/config`), plus our own `shell` and `cmd`.
 */
const PREFIXES: Record<string, string> = {
  wmi: 'http://schemas.microsoft.com/wbem/wsman/1/wmi',
  wmicimv2: 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2',
  cimv2: 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2',
  winrm: 'http://schemas.microsoft.com/wbem/wsman/1',
  wsman: 'http://schemas.microsoft.com/wbem/wsman/1',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
};

const WHOLE: Record<string, string> = {
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  cmd: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd',
  config: 'http://schemas.microsoft.com/wbem/wsman/1/config',
};

/** Expands an alias; full URIs pass through unchanged. */
export function resolveResourceUri(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  const whole = WHOLE[value.toLowerCase()];
  if (whole) return whole;
  const slash = value.indexOf('/');
  const prefix = slash > 0 ? PREFIXES[value.slice(0, slash).toLowerCase()] : undefined;
  if (prefix) return `${prefix}/${value.slice(slash + 1)}`;
  return value;
}
