/** A PSObject whose value is itself (built by code, not by the deserializer, which refuses it). */
import { describe, expect, it } from 'vitest';
import { PSObject } from '../../src/psrp/clixml/model.js';
import { cellText } from '../../src/render/value-text.js';

describe('cellText of a self-wrapping PSObject', () => {
  it('ends with the type name instead of overflowing the stack', () => {
    const obj = new PSObject({ typeNames: ['Odd.Loop'] });
    obj.value = obj;
    expect(cellText(obj)).toBe('Odd.Loop');
  });

  it('still shows a wrapped PSObject a few levels deep by its text', () => {
    const inner = new PSObject({ typeNames: ['Inner'], toStringText: 'inner text' });
    const outer = new PSObject({ typeNames: ['Outer'], value: new PSObject({ typeNames: ['Mid'], value: inner }) });
    expect(cellText(outer)).toBe('inner text');
  });
});
