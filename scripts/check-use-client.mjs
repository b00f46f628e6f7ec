#!/usr/bin/env node
// Fails unless every built JavaScript file of the package starts with the 'use client' directive
// (React Server Components treat the package's hooks as client modules only then).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const missing = readdirSync(dist)
  .filter((file) => /\.(c?js|mjs)$/.test(file))
  .filter((file) => !/^['"]use client['"];?/.test(readFileSync(join(dist, file), 'utf8').trimStart()));
if (missing.length > 0) {
  console.error(`missing 'use client' at the top of: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`check-use-client: every entry in ${dist} starts with 'use client'`);
