import { expect, it } from 'vitest';
// Plain Node ESM, no types: the generator of docs/performance.md and its charts.
import { staleFiles, writeDoc } from '../../bench/render-doc.mjs';

it('docs/performance.md and docs/performance/*.svg are generated from bench/results/*.json', () => {
  // Renders in memory and compares with the files (no clock involved: dates come from the results).
  const stale: string[] = staleFiles();
  if (stale.length && process.env.UPDATE_DOCS) {
    writeDoc();
    return;
  }
  expect(stale, `out of date with bench/results: ${stale.join(', ')}. Run \`node bench/render-doc.mjs\` and commit the result.`).toEqual([]);
});
