import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** A V8 CPU profile (what `--cpu-prof` writes, and what the inspector's `Profiler.stop` returns). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Busy time sampled (idle excluded), ms. */
  busyMs: number;
  /** Time between samples beyond 5× the usual interval (the thread was not running), left out, ms. */
  gapMs: number;
  /** Self time by package (or part of switchboard), largest first. */
  groups: { name: string; ms: number; share: number }[];
  /** Self time by function, largest first. */
  functions: { name: string; where: string; ms: number; share: number }[];
}

/** Profiles `fn` in this process with the inspector (sampling every `intervalUs`). */
export async function profiled<T>(fn: () => Promise<T>, intervalUs = 200): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/**
 * Where a bundled line comes from: esbuild writes a `// <path>` comment before each module it
 * inlines, so the lines of the bundle map back to source files without a source map.
 */
function moduleMap(bundle: string): { line: number; path: string }[] {
  const starts: { line: number; path: string }[] = [];
  const lines = readFileSync(bundle, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:\.\.\/)*[\w@.+\-/]+\.(?:ts|tsx|js|mjs|cjs))$/.exec(lines[i]!);
    if (m) starts.push({ line: i, path: m[1]!.replace(/^(\.\.\/)+/, '') });
  }
  return starts;
}

/** `@switchboard/core: client.ts`, `react-dom`, `ws`, … for a source path. */
function groupOf(path: string): { group: string; file: string } {
  const sw = /packages\/([\w.-]+)\/src\/(.+)$/.exec(path);
  if (sw) return { group: `@switchboard/${sw[1]}`, file: `${sw[1]}/${sw[2]}` };
  const nm = /.*node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\/(.+)$/.exec(path);
  if (nm) return { group: nm[1]!, file: `${nm[1]}/${nm[2]}` };
  if (path.startsWith('node:')) return { group: 'node (internals)', file: path };
  if (path.includes('bench/')) return { group: 'bench harness', file: path.slice(path.indexOf('bench/')) };
  return { group: path || '(unknown)', file: path };
}

/** Self time by package and by function. `bundle` is the scenario's bundle (to map lines to modules). */
export function summarize(profile: CpuProfile, bundle: string, top = 15): ProfileSummary {
  const starts = moduleMap(bundle);
  const bundleUrl = new URL(`file://${bundle}`).href;
  // A sample lasts until the next one. A gap far beyond the sampling interval is time the thread did not
  // run (another process had the core, on a shared machine): it is capped, not charged to that sample.
  const deltas = profile.timeDeltas.slice(1).sort((a, b) => a - b);
  const cap = Math.max(1000, 5 * (deltas[deltas.length >> 1] ?? 0));
  let gapUs = 0;
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    gapUs += Math.max(0, delta - cap);
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.min(delta, cap));
  }
  const groups = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; us: number }>();
  let busy = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    let group: string;
    let where: string;
    if (!url) {
      group = functionName.startsWith('(') ? functionName : '(V8 builtins and native code)';
      where = 'native';
    } else if (url === bundleUrl) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]!.line <= lineNumber) lo = mid;
        else hi = mid - 1;
      }
      // Before the first module: esbuild's runtime helpers, chiefly the getters through which bundled
      // CommonJS modules (React, react-dom) are imported (`import_react.useState` reads a getter).
      const g = starts.length === 0 || lineNumber < starts[0]!.line ? { group: 'esbuild interop (bundle helpers)', file: 'bundle helpers' } : groupOf(starts[lo]!.path);
      group = g.group;
      where = g.file;
    } else {
      const g = groupOf(url.replace(/^file:\/\//, ''));
      group = g.group;
      where = g.file;
    }
    groups.set(group, (groups.get(group) ?? 0) + us);
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const ms = (us: number) => Math.round(us / 10) / 100;
  const share = (us: number) => Math.round((us / busy) * 1000) / 1000;
  return {
    busyMs: ms(busy),
    gapMs: ms(gapUs),
    groups: [...groups].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: ms(us), share: share(us) })),
    functions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, ms: ms(f.us), share: share(f.us) })),
  };
}

/** One line for a note: the largest groups and functions. */
export function describe(summary: ProfileSummary, groups = 5, functions = 5): string {
  const pct = (s: number) => `${Math.round(s * 100)} %`;
  return `busy ${summary.busyMs} ms (${summary.gapMs} ms of gaps between samples left out); by package: ${summary.groups.slice(0, groups).map((g) => `${g.name} ${pct(g.share)}`).join(', ')}; top functions: ${summary.functions.slice(0, functions).map((f) => `${f.name} (${f.where}) ${pct(f.share)}`).join(', ')}`;
}
