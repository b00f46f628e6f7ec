import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Docs that are generated from code live between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 * Tests assert they match; `UPDATE_DOCS=1 pnpm test` rewrites them.
 */
export function expectGeneratedRegion(file: URL, name: string, content: string): void {
  const text = readFileSync(file, 'utf8');
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  expect(start, `${file.pathname} lacks ${open}`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const expected = `${open}\n${content}\n${close}`;
  const actual = text.slice(start, end + close.length);
  if (actual !== expected && process.env.UPDATE_DOCS) {
    writeFileSync(file, text.slice(0, start) + expected + text.slice(end + close.length));
    return;
  }
  expect(actual).toBe(expected);
}
