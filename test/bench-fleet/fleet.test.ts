/**
 * bench/lib/fleet.mjs: hosts spread over several serve processes, their request counts summed,
 * per-run differences per host, and the latency passed through to serve. Runs dist/ (npm run build).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildIdentify } from '../../src/wsman/index.js';
// @ts-expect-error -- a plain .mjs module of the bench, without type declarations
import { PASSWORD, USER, requestsBetween, startFleet } from '../../bench/lib/fleet.mjs';

interface Fleet {
  urls: URL[];
  targets: string[];
  processes: number;
  stats(): Promise<{ processes: unknown[]; shells: number; requests: { http: { total: number; byPort: Record<string, number> }; wsman: Record<string, number> } }>;
  stop(): Promise<void>;
}

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function identify(url: URL): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    body: buildIdentify().xml,
  });
  await res.text();
  return res.status;
}

describe('startFleet', () => {
  it('spreads hosts over processes and sums their request counts', async () => {
    fleet = (await startFleet({ hosts: 5, processes: 2, allowUnencrypted: true, auth: ['basic'] })) as Fleet;
    expect(fleet.processes).toBe(2);
    expect(fleet.targets).toHaveLength(5);
    expect(new Set(fleet.targets).size).toBe(5);
    const before = await fleet.stats();
    for (const url of fleet.urls) expect(await identify(url)).toBe(200);
    await identify(fleet.urls[0] as URL);
    const after = await fleet.stats();
    expect(after.processes).toHaveLength(2);
    expect(after.requests.http.total).toBe(6);
    expect(after.requests.wsman.other).toBe(6);
    const d = requestsBetween(before, after);
    expect([d.hosts, d.http.total, d.wsmanTotal]).toEqual([5, 6, 6]);
    expect(d.httpPerHost).toBeCloseTo(1.2);
    expect(d.http.byPort[(fleet.urls[0] as URL).port]).toBe(2);
  });

  it('passes latencyMs to serve: a request takes at least that long', async () => {
    fleet = (await startFleet({ hosts: 1, allowUnencrypted: true, auth: ['basic'], latencyMs: 80 })) as Fleet;
    const began = performance.now();
    expect(await identify(fleet.urls[0] as URL)).toBe(200);
    expect(performance.now() - began).toBeGreaterThanOrEqual(78);
  });
});
