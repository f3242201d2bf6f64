/**
 * The PowerShell scripts `copy` runs on the remote host. They are real PowerShell (Windows
 * PowerShell 5.1 and pwsh 7 run them as they are) and stay inside the subset `tsremote serve`'s
 * engine runs, so the same text is tested end to end against serve.
 *
 * Upload (one pipeline per segment of a file, as pypsrp's copy does but resumable in segments):
 * the file arrives as pipeline input, one base64 string per chunk; the process block decodes and
 * appends each chunk to a temp file beside the destination (`.NAME.TOKEN.tsrpart`, so the final move
 * stays on one volume and is atomic); the last segment's end block hashes the temp file, compares
 * the SHA-256 with the one the client computed, and moves it into place — or deletes it and throws.
 *
 * Download: the script reads the file in chunks and writes each as a base64 string to the output
 * stream, then one object with the SHA-256 and length, which the client checks.
 *
 * Arguments travel as `$args` (positional values), never spliced into the text: a path with
 * quotes or `$` in it cannot change the script.
 */

/**
 * Where an upload lands: `$dest` (the final path) and `$tmp` (the temp file beside it).
 * A destination that ends with a separator or is an existing directory receives the file under
 * its own name (`$name`), as `cp` and Copy-Item do.
 */
const RESOLVE_UPLOAD = `
$dest = [IO.Path]::Combine((Get-Location).Path, $path)
if ($path.EndsWith('\\') -or $path.EndsWith('/') -or (Test-Path -LiteralPath $dest -PathType Container)) {
  $dest = [IO.Path]::Combine($dest, $name)
}
$tmp = [IO.Path]::Combine([IO.Path]::GetDirectoryName($dest), '.' + [IO.Path]::GetFileName($dest) + '.' + $token + '.tsrpart')
`;

/**
 * One upload segment. `$args`: path, name, token, first (bool), last (bool), sha256 (lower-case
 * hex, checked when last). Input: base64 strings. Output (last segment only): an object with
 * Path, Length and Sha256.
 */
export const UPLOAD_SCRIPT = `
begin {
  $ErrorActionPreference = 'Stop'
  $path = [string]$args[0]; $name = [string]$args[1]; $token = [string]$args[2]
  $first = [bool]$args[3]; $last = [bool]$args[4]; $expected = [string]$args[5]
${RESOLVE_UPLOAD}
  if (-not (Test-Path -LiteralPath ([IO.Path]::GetDirectoryName($dest)) -PathType Container)) {
    throw "Could not find a part of the path '$dest': the directory does not exist."
  }
  $mode = 'Append'
  if ($first) { $mode = 'Create' }
  $fs = [IO.File]::Open($tmp, $mode, 'Write', 'None')
}
process {
  $bytes = [Convert]::FromBase64String($_)
  $fs.Write($bytes, 0, $bytes.Length)
}
end {
  $fs.Dispose()
  if ($last) {
    $hash = (Get-FileHash -LiteralPath $tmp -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($hash -ne $expected) {
      Remove-Item -LiteralPath $tmp -Force
      throw "SHA-256 mismatch for '$dest': received $hash, expected $expected; the partial file was removed"
    }
    Move-Item -LiteralPath $tmp -Destination $dest -Force
    [pscustomobject]@{ Path = $dest; Length = (Get-Item -LiteralPath $dest).Length; Sha256 = $hash }
  }
}
`;

/** Removes an upload's temp file after a failure. `$args`: path, name, token. */
export const UPLOAD_CLEANUP_SCRIPT = `
$path = [string]$args[0]; $name = [string]$args[1]; $token = [string]$args[2]
${RESOLVE_UPLOAD}
if (Test-Path -LiteralPath $tmp) { Remove-Item -LiteralPath $tmp -Force }
`;

/**
 * Download one file. `$args`: path, chunk size in bytes. Output: base64 strings, then an object
 * with Sha256 (lower-case hex) and Length.
 */
export const DOWNLOAD_SCRIPT = `
$ErrorActionPreference = 'Stop'
$src = [IO.Path]::Combine((Get-Location).Path, [string]$args[0])
$item = Get-Item -LiteralPath $src -Force
if ($item.PSIsContainer) { throw "'$src' is a directory; copy it with -r" }
$fs = [IO.File]::OpenRead($src)
try {
  $buffer = New-Object byte[] ([int]$args[1])
  while (($n = $fs.Read($buffer, 0, $buffer.Length)) -gt 0) {
    [Convert]::ToBase64String($buffer, 0, $n)
  }
} finally {
  $fs.Dispose()
}
[pscustomobject]@{ Sha256 = (Get-FileHash -LiteralPath $src -Algorithm SHA256).Hash.ToLowerInvariant(); Length = $item.Length }
`;

/**
 * What a remote path holds, for downloads. `$args`: path. Output: one object per entry — the
 * root first (Rel ''), then, for a directory, every file and directory under it with its path
 * relative to the root ('/'-separated), Dir and Length.
 */
export const LIST_SCRIPT = `
$ErrorActionPreference = 'Stop'
$root = [IO.Path]::Combine((Get-Location).Path, [string]$args[0])
$item = Get-Item -LiteralPath $root -Force
[pscustomobject]@{ Rel = ''; Dir = [bool]$item.PSIsContainer; Length = $item.Length; FullName = $item.FullName }
if ($item.PSIsContainer) {
  $prefix = $item.FullName.TrimEnd('\\', '/').Length + 1
  Get-ChildItem -LiteralPath $item.FullName -Recurse -Force | ForEach-Object {
    [pscustomobject]@{ Rel = $_.FullName.Substring($prefix).Replace('\\', '/'); Dir = [bool]$_.PSIsContainer; Length = $_.Length; FullName = $_.FullName }
  }
}
`;

/**
 * Creates directories for an upload with -r. `$args`: the root, then paths relative to it
 * ('/'-separated). Output: the root's full path.
 */
export const MKDIR_SCRIPT = `
$ErrorActionPreference = 'Stop'
$root = [IO.Path]::Combine((Get-Location).Path, [string]$args[0])
$null = New-Item -ItemType Directory -Path $root -Force
for ($i = 1; $i -lt $args.Count; $i++) {
  $null = New-Item -ItemType Directory -Path ([IO.Path]::Combine($root, [string]$args[$i])) -Force
}
$root
`;
