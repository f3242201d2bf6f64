/**
 * Every recorded envelope parses: responses through parseResponse (+ the reader for their action),
 * requests through parseRequest (+ the body reader for their action). Only WSManFault may escape,
 * and only from responses whose body is a s:Fault.
 */
import { expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { loadCorpus, type Envelope } from './corpus.js';
import {
  ACTION,
  IDENTIFY_ACTION,
  WSManFault,
  parseRequest,
  parseResponse,
  readCommandRequest,
  readCommandResponse,
  readEnumerateRequest,
  readEnumerateResponse,
  readGetResponse,
  readReceiveRequest,
  readReceiveResponse,
  readSendRequest,
  readShellCreateRequest,
  readShellCreated,
  readSignalRequest,
  type WSManRequest,
  type WSManResponse,
} from '../../src/wsman/index.js';

const RESPONSE_READERS: Record<string, (r: WSManResponse) => unknown> = {
  [ACTION.CreateResponse]: readShellCreated,
  [ACTION.CommandResponse]: readCommandResponse,
  [ACTION.ReceiveResponse]: readReceiveResponse,
  [ACTION.EnumerateResponse]: readEnumerateResponse,
  [ACTION.GetResponse]: readGetResponse,
};

const REQUEST_READERS: Record<string, (r: WSManRequest) => unknown> = {
  [ACTION.Create]: readShellCreateRequest,
  [ACTION.Command]: readCommandRequest,
  [ACTION.Send]: readSendRequest,
  [ACTION.Receive]: readReceiveRequest,
  [ACTION.Signal]: readSignalRequest,
  [ACTION.Enumerate]: readEnumerateRequest,
};

/** What happened to one envelope: 'ok:<action>' or 'fault:<subcode>'. */
function outcome(e: Envelope): string {
  if (e.kind === 'request') {
    const req = parseRequest(e.xml);
    // winrm/config Create-less Gets have no body reader; shell Creates do.
    REQUEST_READERS[req.action]?.(req);
    return `ok:${req.action === IDENTIFY_ACTION ? 'Identify' : req.action.split('/').pop()}`;
  }
  try {
    const resp = parseResponse(e.xml);
    RESPONSE_READERS[resp.action]?.(resp);
    return `ok:${resp.action.split('/').pop()}`;
  } catch (err) {
    if (err instanceof WSManFault) return `fault:${err.subcode}`;
    throw err;
  }
}

describeFixtures('every recorded WS-Management envelope', (dir) => {
  const corpus = loadCorpus(dir);

  it('has the expected number of envelopes per source (fails if a directory goes missing)', () => {
    const counts: Record<string, number> = {};
    for (const e of corpus) counts[`${e.source} ${e.kind}`] = (counts[`${e.source} ${e.kind}`] ?? 0) + 1;
    expect(counts).toEqual({
      'pypsrp request': 521,
      // one pypsrp message (test_psrp_is_alive_http_error) has no response: an HTTP error
      'pypsrp response': 520,
      'winrmsharp request': 108,
      'winrmsharp response': 108,
      'winrb response': 8,
      'masterzen response': 8,
      'pywinrm response': 10,
      'ironposh response': 3,
    });
  });

  it('parses all of them; only s:Fault bodies raise, and only as WSManFault', () => {
    const tally: Record<string, number> = {};
    const failures: string[] = [];
    for (const e of corpus) {
      try {
        const o = outcome(e);
        tally[o] = (tally[o] ?? 0) + 1;
        if (o.startsWith('fault:') && !/<([\w-]+:)?Fault>/.test(e.xml)) failures.push(`${e.id}: fault without s:Fault`);
      } catch (err) {
        failures.push(`${e.id}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    // The one request Windows itself refused (InvalidMessageInformationHeader) is refused by us too.
    expect(failures).toEqual([
      "pypsrp/test_psrp_is_alive_other_wsman_error.yml#3 request: WSManProtocolError: invalid xs:duration 'PT-1S'",
    ]);
    const faults = Object.entries(tally)
      .filter(([k]) => k.startsWith('fault:'))
      .sort();
    expect(faults).toEqual([
      ['fault:CannotProcessFilter', 2],
      ['fault:InternalError', 4],
      ['fault:InvalidMessageInformationHeader', 1],
      ['fault:InvalidParameter', 1],
      ['fault:InvalidSelectors', 4],
      ['fault:QuotaLimit', 1],
      ['fault:SchemaValidationError', 1],
      ['fault:TimedOut', 6],
    ]);
    expect(tally['ok:ReceiveResponse']).toBeGreaterThan(200);
    expect(tally['ok:Receive']).toBeGreaterThan(200);
    expect(tally['ok:Identify']).toBeUndefined();
  });
});
