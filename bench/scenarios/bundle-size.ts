// Bundle size: what an app ships (min and min+gzip) for switchboard and for the libraries people would
// use instead. Every entry is a small file in bench/size/ holding the imports an app writes; each is
// bundled with esbuild the way an app bundler would (minified, production, browser, ESM, React external)
// from the PUBLISHED build of the packages (their dist/, what npm users get), so the packages are built
// first (turbo, cached). The same entry files are checked against limits by size-limit in `pnpm test`
// (bench/.size-limit.cjs).
//
// The per-module profile of the base bundle comes from the same entry bundled from the TypeScript
// source (the `@switchboard/source` condition): esbuild's metafile then names every source file and the
// minified bytes it leaves in the output.
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { Report } from '../lib/report.js';
import { quick } from '../lib/roles.js';

const report = new Report('bundle-size', quick);

// The scenario runs as bench/.cache/bundle-size.mjs.
const bench = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(bench, '..');
const sizeDir = join(bench, 'size');

// ── 1. The published build of every package measured ─────────────────────────────────────────────
const filters = ['@switchboard/react', '@switchboard/pusher', '@switchboard/ably', '@switchboard/socket.io'].map((p) => `--filter=${p}...`);
const built = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) throw new Error(`turbo build failed (${built.status ?? built.signal})`);

// ── 2. Bundling ───────────────────────────────────────────────────────────────────────────────────
const REACT = ['react', 'react-dom', 'react/jsx-runtime'];

/** How an app bundler ships code: the same for every entry, switchboard or not. */
const common: BuildOptions = {
  bundle: true,
  write: false,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  // `sideEffects: false` packages importing an empty shared chunk make esbuild warn; nothing to act on.
  logLevel: 'error',
  absWorkingDir: bench,
};

interface Size {
  readonly min: number;
  readonly gzip: number;
  readonly metafile: Metafile;
}

async function measure(entry: string, options: { external?: string[]; source?: boolean } = {}): Promise<Size> {
  const result = await build({
    ...common,
    entryPoints: [join(sizeDir, entry)],
    external: [...REACT, ...(options.external ?? [])],
    ...(options.source ? { conditions: ['@switchboard/source'] } : {}),
    outfile: join(bench, '.cache', 'size', entry),
  });
  const code = result.outputFiles![0]!.contents;
  // gzip level 9, as size-limit measures it.
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile! };
}

type Kind = 'switchboard' | 'increment' | 'anchor' | 'sdk';
const entries: { name: string; kind: Kind; min: number; gzip: number; file?: string; note?: string }[] = [];

function record(name: string, kind: Kind, size: { min: number; gzip: number }, extra: { file?: string; note?: string } = {}): void {
  const prefix = kind === 'switchboard' ? 'switchboard' : kind;
  report.add(`${prefix}.${name}.min`, 'B', size.min);
  report.add(`${prefix}.${name}.gzip`, 'B', size.gzip);
  entries.push({ name, kind, min: size.min, gzip: size.gzip, ...extra });
}

// The base: react + core + websocket transport.
const base = await measure('base.js');
record('base', 'switchboard', base, { file: 'size/base.js', note: 'RealtimeProvider, createClient, useChannel, useConnectionStatus + websocket()' });

// Further transports on top of the base. The adapters' vendor SDKs are measured both ways: left out
// (the adapter's own bytes) and bundled (what the app ships with that transport).
const further: { name: string; file: string; sdk?: string }[] = [
  { name: 'sse', file: 'base+sse.js' },
  { name: 'polling', file: 'base+polling.js' },
  { name: 'pusher', file: 'base+pusher.js', sdk: 'pusher-js' },
  { name: 'ably', file: 'base+ably.js', sdk: 'ably' },
  { name: 'socket.io', file: 'base+socket.io.js', sdk: 'socket.io-client' },
];
for (const { name, file, sdk } of further) {
  const total = await measure(file, { external: sdk ? [sdk] : [] });
  record(`base+${name}`, 'switchboard', total, { file: `size/${file}`, note: sdk ? `without ${sdk} (external)` : undefined });
  record(name, 'increment', { min: total.min - base.min, gzip: total.gzip - base.gzip }, { note: sdk ? `adapter only, ${sdk} excluded` : 'over the base' });
  if (sdk) {
    const withSdk = await measure(file);
    record(`base+${name}+sdk`, 'switchboard', withSdk, { file: `size/${file}`, note: `with ${sdk} bundled` });
    record(`${name}+sdk`, 'increment', { min: withSdk.min - base.min, gzip: withSdk.gzip - base.gzip }, { note: `adapter and ${sdk} over the base` });
  }
}

// What people use instead.
// `vs` is the switchboard entry that does the same job (ratio switchboard / anchor, gzip).
const anchors: { name: string; file: string; note: string; vs: string }[] = [
  { name: 'react-use-websocket', file: 'anchor.react-use-websocket.js', note: 'react-use-websocket 4.13.0 (CommonJS, not tree-shakeable)', vs: 'base' },
  { name: 'partysocket-react', file: 'anchor.partysocket-react.js', note: 'partysocket/react 1.3.0', vs: 'base' },
  { name: 'use-pusher', file: 'anchor.use-pusher.js', note: '@harelpls/use-pusher 7.2.1 + its pusher-js 7.6.0', vs: 'base+pusher+sdk' },
  { name: 'echo-react', file: 'anchor.echo-react.js', note: '@laravel/echo-react 2.5.0 (laravel-echo bundled in it) + pusher-js 8.6.0', vs: 'base+pusher+sdk' },
  { name: 'ably-react', file: 'anchor.ably-react.js', note: 'ably/react + ably 2.28.0', vs: 'base+ably+sdk' },
];
for (const { name, file, note } of anchors) record(name, 'anchor', await measure(file), { file: `size/${file}`, note });

// The vendor SDKs alone, to read the "+sdk" figures against.
for (const sdk of ['pusher-js', 'ably', 'socket.io-client']) record(sdk, 'sdk', await measure(`sdk.${sdk}.js`), { file: `size/sdk.${sdk}.js` });

for (const { name, vs } of anchors) report.ratio(`switchboard.${vs}/anchor.${name}.gzip`, `switchboard.${vs}.gzip`, `anchor.${name}.gzip`);

/** A metafile input as the breakdown names it: `packages/core/src/outbox.ts`, `eventsource-parser/dist/index.js`. */
function moduleName(path: string): string {
  const name = relative(root, join(bench, path));
  const i = name.lastIndexOf('node_modules/');
  return i === -1 ? name : name.slice(i + 'node_modules/'.length);
}

// ── 3. Profile of the base: minified bytes by source module ──────────────────────────────────────
const fromSource = await measure('base.js', { source: true });
const inputs = Object.values(fromSource.metafile.outputs)[0]!.inputs;
const breakdown = Object.entries(inputs)
  .map(([path, { bytesInOutput }]) => ({ module: moduleName(path), bytes: bytesInOutput }))
  .filter((m) => m.bytes > 0)
  .sort((a, b) => b.bytes - a.bytes)
  .map((m) => ({ ...m, share: Math.round((m.bytes / fromSource.min) * 1000) / 1000 }));
const byPackage: Record<string, number> = {};
for (const { module, bytes } of breakdown) {
  const pkg = /^packages\/([^/]+)\//.exec(module)?.[1] ?? (module.startsWith('bench/') ? 'entry' : 'dependencies');
  byPackage[pkg] = (byPackage[pkg] ?? 0) + bytes;
}
report.add('switchboard.base.fromSource.min', 'B', fromSource.min);
report.add('switchboard.base.fromSource.gzip', 'B', fromSource.gzip);
console.log('  largest modules of the base (min bytes):');
for (const { module, bytes, share } of breakdown.slice(0, 12)) console.log(`    ${String(bytes).padStart(6)}  ${(share * 100).toFixed(1).padStart(5)}%  ${module}`);

const top = breakdown.slice(0, 6);
report.note(
  `What dominates the base: @switchboard/core is ${Math.round((byPackage.core! / fromSource.min) * 100)} % of it (react ${Math.round(((byPackage.react ?? 0) / fromSource.min) * 100)} %); ` +
    `the six largest modules — ${top.map((m) => `${m.module.replace(/^packages\//, '')} ${(m.bytes / 1000).toFixed(1)} kB`).join(', ')} — are ${Math.round(top.reduce((a, m) => a + m.share, 0) * 100)} % (minified).`,
);

report.detail('entries', entries);
report.detail('breakdown', breakdown);
report.detail('breakdownByPackage', byPackage);
// The budget of issue 8, as goals of docs/performance.md (bench/README.md, "Goals and charts").
const dominant = `@switchboard/core is ${Math.round((byPackage.core! / fromSource.min) * 100)} % of the base; largest modules: ${top.map((m) => `${m.module.replace(/^packages\//, '')} ${(m.bytes / 1000).toFixed(1)} kB`).join(', ')} (minified)`;
const increment = (name: string) => entries.find((e) => e.kind === 'increment' && e.name === name)!.gzip;
/** Minified bytes by source module that `base+<name>` adds to the base (from the source, as the breakdown). */
async function addedModules(name: string): Promise<{ module: string; bytes: number }[]> {
  const inputs = Object.values((await measure(`base+${name}.js`, { source: true })).metafile.outputs)[0]!.inputs;
  const inBase = new Map(breakdown.map((m) => [m.module, m.bytes]));
  return Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => {
      const module = moduleName(path);
      return { module, bytes: bytesInOutput - (inBase.get(module) ?? 0) };
    })
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}
const added: Record<string, { module: string; bytes: number }[]> = {};
for (const name of ['sse', 'polling']) added[name] = await addedModules(name);
report.detail('incrementBreakdown', added);
report.detail('goals', [
  { goal: 'react + core + websocket ≤ 5000 B gzip', value: base.gzip, unit: 'B', target: 5000, better: 'lower', met: base.gzip <= 5000, dominant },
  ...['sse', 'polling'].map((name) => ({
    goal: `+ ${name} (further native transport) ≤ 1500 B gzip`,
    value: increment(name),
    unit: 'B',
    target: 1500,
    better: 'lower',
    met: increment(name) <= 1500,
    dominant: `minified bytes added: ${added[name]!.slice(0, 4).map((m) => `${m.module.replace(/^packages\//, '')} ${(m.bytes / 1000).toFixed(1)} kB`).join(', ')}`,
  })),
]);

report.note('Sizes are deterministic: each is measured once (the same build gives the same bytes), not three times.');
report.note('esbuild 0.28, minify, define process.env.NODE_ENV="production", platform browser, format ESM, target es2022; react, react-dom and react/jsx-runtime external for every entry. gzip is zlib level 9 (as size-limit). 1 kB = 1000 B.');
report.note('switchboard entries are bundled from the published build (packages/*/dist, built by turbo first). The entry files in bench/size/ hold exactly what is imported.');
report.note('increment.<transport> = (base + transport) − base, so shared code is counted once; for pusher, ably and socket.io the vendor SDK is external in increment.<name> and bundled in increment.<name>+sdk. pusher-js is loaded by a dynamic import, which esbuild inlines into the single bundle.');
report.note('The breakdown (details.breakdown) is the base bundled again from the TypeScript source (condition @switchboard/source) with the same options: minified bytes each source module leaves in the output, and its share of that bundle (switchboard.base.fromSource.min, within a few bytes of the published build).');
report.note('Budget (issue 8): react + core + websocket ≤ 5.0 kB gzip, each further native transport ≤ 1.5 kB gzip; details.goals says by how much each is missed.');
report.note('Ratios compare like with like: the WebSocket hooks with the base, the Pusher libraries with base + pusher adapter + pusher-js, ably/react with base + ably adapter + ably.');
report.note('Anchors: react-use-websocket is CommonJS, so its socket.io and EventSource hooks come along; @laravel/echo-react ships laravel-echo inside its own bundle; @harelpls/use-pusher depends on its own pusher-js 7.6.0.');

console.log(`  → ${report.write(process.env.BENCH_RESULTS ?? join(bench, 'results'))}`);
