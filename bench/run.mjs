#!/usr/bin/env node
// Usage: node bench/run.mjs <scenario|all> [--quick]
//
// Bundles bench/scenarios/<name>.ts with esbuild (workspace packages from their TypeScript source,
// through the `@switchboard/source` condition) into bench/.cache/<name>.mjs, runs it in a child
// process, and the scenario writes bench/results/<name>.json (a --quick run: bench/results/tmp/).
// See bench/README.md.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const scenarios = readdirSync(join(here, 'scenarios'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [which, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');
if (!which || (which !== 'all' && !scenarios.includes(which))) {
  console.error(`Usage: node bench/run.mjs <${[...scenarios, 'all'].join('|')}> [--quick]`);
  process.exit(2);
}

/** Packages loaded at run time from bench/node_modules (they ship native or optional pieces). */
const EXTERNAL = ['ws', 'socket.io', 'socket.io-client', 'bufferutil', 'utf-8-validate', 'esbuild', 'happy-dom'];

async function run(name) {
  const outfile = join(here, '.cache', `${name}.mjs`);
  await build({
    entryPoints: [join(here, 'scenarios', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@switchboard/source'],
    external: EXTERNAL,
    // Bundled CommonJS dependencies may call require(): give the ES module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // Production builds of React and of switchboard (dev-only warnings off): what users ship.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
  // --expose-gc: memory figures are taken after a full GC.
  const child = spawn(process.execPath, ['--expose-gc', outfile, ...(quick ? ['--quick'] : [])], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', BENCH_RESULTS: join(here, 'results') },
  });
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  if (code !== 0) throw new Error(`${name} exited with ${code}`);
}

let failed = 0;
for (const name of which === 'all' ? scenarios : [which]) {
  try {
    await run(name);
  } catch (error) {
    failed++;
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
