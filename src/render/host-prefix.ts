/**
 * The `[host] ` in front of every line when several hosts answer, as `docker compose logs` does it:
 * padded to the longest host name, so the hosts' text starts in one column, and each host in its
 * own colour (a fixed palette, picked by the host's place in the list) when colour is on.
 * `hide` (--hide-host, Invoke-Command -HideComputerName) drops it.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { displayWidth } from './width.js';

const PALETTE = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'cyanBright', 'yellowBright', 'greenBright', 'magentaBright', 'blueBright'] as const;

export interface HostPrefixOptions {
  color: boolean;
  /** No prefix at all. */
  hide?: boolean;
}

export class HostPrefix {
  readonly #width: number;
  readonly #paint = new Map<string, (t: string) => string>();
  readonly #hide: boolean;

  constructor(hosts: readonly string[], opts: HostPrefixOptions) {
    this.#hide = opts.hide ?? false;
    this.#width = Math.max(0, ...hosts.map((h) => displayWidth(h)));
    const c: ChalkInstance | undefined = opts.color ? new Chalk({ level: 1 }) : undefined;
    hosts.forEach((h, i) => {
      if (c && !this.#paint.has(h)) this.#paint.set(h, c[PALETTE[i % PALETTE.length] as (typeof PALETTE)[number]]);
    });
  }

  /** Whether lines get a prefix at all. */
  get shown(): boolean {
    return !this.#hide;
  }

  /** `[web1]    ` (coloured, padded so every host's text starts in the same column), or ''. */
  of(host: string): string {
    if (this.#hide || host === '') return '';
    const label = `[${host}]`;
    const paint = this.#paint.get(host);
    return `${paint ? paint(label) : label}${' '.repeat(Math.max(0, this.#width - displayWidth(host)) + 1)}`;
  }

  /** Prefixes every line of `text` (a trailing newline stays the last character). */
  lines(host: string, text: string): string {
    const prefix = this.of(host);
    if (!prefix) return text;
    const end = text.endsWith('\n');
    const body = end ? text.slice(0, -1) : text;
    return body.split('\n').map((l) => prefix + l).join('\n') + (end ? '\n' : '');
  }
}
