/**
 * Every recorded WS-Management envelope in ../shared/fixtures, as one list, for the wsman tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readPypsrpYaml, readWinrmSharpYaml } from '../helpers/fixtures.js';

export interface Envelope {
  /** e.g. 'pypsrp/test_winrs_standard.yml#3 response' */
  id: string;
  source: 'pypsrp' | 'winrmsharp' | 'winrb' | 'masterzen' | 'pywinrm' | 'ironposh';
  kind: 'request' | 'response';
  xml: string;
}

export const PYPSRP = 'pypsrp/tests/tests_pypsrp/responses';
export const WINRMSHARP = 'winrmsharp/src/WinRMSharp.Tests/Data/Sessions';
export const WINRB = 'winrb-winrm/tests/spec/stubs/responses';
export const MASTERZEN = 'masterzen-winrm/fixture_test_extracted';
export const PYWINRM = 'pywinrm/winrm/tests/conftest_extracted';
export const IRONPOSH = 'ironposh/crates/ironposh-winrm/tests/resources';

/** pypsrp files (without the format template). */
export function pypsrpFiles(dir: string): string[] {
  return listFiles(path.join(dir, PYPSRP), /\.yml$/).filter((f) => !f.endsWith('_template.yml'));
}

export function winrmSharpFiles(dir: string): string[] {
  return listFiles(path.join(dir, WINRMSHARP), /\.yml$/);
}

/** All envelopes; pypsrp's http_error message has no response (None) and is skipped. */
export function loadCorpus(dir: string): Envelope[] {
  const out: Envelope[] = [];
  for (const f of pypsrpFiles(dir)) {
    readPypsrpYaml(f).forEach((m, i) => {
      const id = `pypsrp/${path.basename(f)}#${i}`;
      out.push({ id: `${id} request`, source: 'pypsrp', kind: 'request', xml: m.request });
      if (typeof m.response === 'string') out.push({ id: `${id} response`, source: 'pypsrp', kind: 'response', xml: m.response });
    });
  }
  for (const f of winrmSharpFiles(dir)) {
    readWinrmSharpYaml(f).forEach((x, i) => {
      const id = `winrmsharp/${path.basename(f)}#${i}`;
      out.push({ id: `${id} request`, source: 'winrmsharp', kind: 'request', xml: x.Request.Body });
      out.push({ id: `${id} response`, source: 'winrmsharp', kind: 'response', xml: x.Response.Body });
    });
  }
  const files: [Envelope['source'], string, RegExp][] = [
    ['winrb', WINRB, /\.xml$/],
    ['masterzen', MASTERZEN, /\.xml$/],
    ['pywinrm', PYWINRM, /\.xml$/],
    ['ironposh', IRONPOSH, /^(resource_created|receive_response|error_response)\.xml$/],
  ];
  for (const [source, sub, re] of files) {
    for (const f of listFiles(path.join(dir, sub), re)) {
      if (f.includes(`${path.sep}malformed${path.sep}`)) continue;
      out.push({ id: `${source}/${path.basename(f)}`, source, kind: 'response', xml: readFileSync(f, 'utf8') });
    }
  }
  return out;
}

/** A fixture file's text. */
export function fixtureText(dir: string, ...parts: string[]): string {
  return readFileSync(path.join(dir, ...parts), 'utf8');
}

/** The pypsrp messages of one file by base name. */
export function pypsrp(dir: string, name: string): { request: string; response: string }[] {
  return readPypsrpYaml(path.join(dir, PYPSRP, name)).map((m) => ({ request: m.request, response: String(m.response) }));
}

/** The winrmsharp exchanges of one file by base name. */
export function winrmsharp(dir: string, name: string): { request: string; response: string; status: number }[] {
  return readWinrmSharpYaml(path.join(dir, WINRMSHARP, name)).map((x) => ({
    request: x.Request.Body,
    response: x.Response.Body,
    status: x.Response.StatusCode,
  }));
}
