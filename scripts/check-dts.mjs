#!/usr/bin/env node
// Fails if a package's published type declarations contain `any` (the public API is fully typed).
// Usage (from a package directory): node ../../scripts/check-dts.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const offenders = [];
for (const file of readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))) {
  const text = readFileSync(join(dist, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '') // block comments and JSDoc
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""'); // string literals
  text.split('\n').forEach((line, i) => {
    if (/\bany\b/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
  });
}
if (offenders.length > 0) {
  console.error(`\`any\` in published types:\n${offenders.join('\n')}`);
  process.exit(1);
}
console.log(`check-dts: no \`any\` in ${dist}`);
