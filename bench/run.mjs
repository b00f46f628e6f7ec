#!/usr/bin/env node
// Usage: node bench/run.mjs <scenario|all|doc> [--quick]
//
// Bundles bench/scenarios/<name>.ts with esbuild (workspace packages from their TypeScript source,
// through the `@switchboard/source` condition) into bench/.cache/<name>.mjs, runs it in a child
// process, and the scenario writes bench/results/<name>.json (a --quick run: bench/results/tmp/).
// Then docs/performance.md is regenerated from the results (bench/render-doc.mjs; a --quick run
// writes bench/results/tmp/performance.md instead). `doc` only regenerates. See bench/README.md.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeDoc } from './render-doc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scenarios = readdirSync(join(here, 'scenarios'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [which, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');
if (!which || (which !== 'all' && which !== 'doc' && !scenarios.includes(which))) {
  console.error(`Usage: node bench/run.mjs <${[...scenarios, 'all', 'doc'].join('|')}> [--quick]`);
  process.exit(2);
}
/** A scenario still running after this is stopped (it hangs, or the machine is far too busy). */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S || (quick ? 5 * 60 : 15 * 60)) * 1000;

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
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }, TIMEOUT_MS);
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  clearTimeout(timer);
  if (timedOut) throw new Error(`${name} stopped after ${TIMEOUT_MS / 1000} s (BENCH_TIMEOUT_S)`);
  if (code !== 0) throw new Error(`${name} exited with ${code}`);
}

const failed = [];
const took = [];
const started = performance.now();
for (const name of which === 'all' ? scenarios : which === 'doc' ? [] : [which]) {
  const t0 = performance.now();
  try {
    await run(name);
  } catch (error) {
    failed.push(name);
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  took.push(`${name} ${((performance.now() - t0) / 1000).toFixed(0)} s${failed.includes(name) ? ' (failed)' : ''}`);
}
if (took.length > 1) console.log(`\n${took.join(', ')}; total ${((performance.now() - started) / 60_000).toFixed(1)} min`);

// The doc, from whatever results there are (a failed scenario keeps its previous result, dated).
try {
  const { outFile, charts } = writeDoc(quick);
  console.log(`wrote ${outFile} (${charts} charts)`);
} catch (error) {
  failed.push('doc');
  console.error(`doc: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
if (failed.length) console.error(`failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
