// Where a scenario's figures go: bench/results/<id>.json (machine-readable, one file per scenario,
// overwritten by each run) and its own block in docs/performance.md, between
// `<!-- bench:<id> -->` and `<!-- /bench:<id> -->`, so a run refreshes only what it measured.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'bench/results');
const DOC = path.join(ROOT, 'docs/performance.md');

/** What the figures were measured on. */
export function machine() {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', platform: `${os.platform()} ${os.release()}` };
}

/** Writes bench/results/<id>.json with the run's command line, date and machine. */
export function writeResult(id, command, data) {
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${id}.json`);
  writeFileSync(file, JSON.stringify({ id, command, date: new Date().toISOString(), machine: machine(), ...data }, null, 2) + '\n');
  return file;
}

/** Replaces (or appends) the block of scenario `id` in docs/performance.md. */
export function writeDocBlock(id, markdown) {
  const open = `<!-- bench:${id} -->`;
  const close = `<!-- /bench:${id} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  let doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(open);
  const b = doc.indexOf(close);
  doc = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + close.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}

/** A markdown table from a header row and rows (cells already formatted). */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Formats a number with `digits` decimals and thousands separators. */
export function fmt(n, digits = 0) {
  return Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
