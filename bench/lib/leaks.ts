import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import type { RealtimeClient } from '@switchboard/core';

/**
 * What the memory scenario counts to find leftovers: live timers (every `setTimeout`/`setInterval`
 * made through the globals, which is where the core's default platform and transports take them),
 * listeners added to the happy-dom window and document, live subscriptions made through a client's
 * API, and the heap after a full GC — with a by-constructor diff of two heap snapshots to tell what
 * grew.
 */

type Timer = ReturnType<typeof setTimeout>;

/** Live timers made through `globalThis.setTimeout` / `setInterval` since `trackTimers()`. */
export interface TimerTracker {
  /** Timers neither fired (a timeout) nor cleared. */
  live(): number;
  /** Where each live timer was created, grouped: `{ "at …": count }` (the first frames outside this file). */
  origins(): Record<string, number>;
  restore(): void;
}

export function trackTimers(): TimerTracker {
  const live = new Map<Timer, Error>();
  const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = { setTimeout: g.setTimeout!, setInterval: g.setInterval!, clearTimeout: g.clearTimeout!, clearInterval: g.clearInterval! };
  const wrap = (name: 'setTimeout' | 'setInterval') => {
    const fn = original[name];
    const wrapper = function (this: unknown, callback: unknown, ms?: unknown, ...args: unknown[]) {
      // An Error, not its stack: the stack is only formatted if `origins()` asks.
      const origin = new Error();
      const run =
        typeof callback === 'function'
          ? function (this: unknown, ...a: unknown[]) {
              if (name === 'setTimeout') live.delete(timer);
              return (callback as (...x: unknown[]) => unknown).apply(this, a);
            }
          : callback;
      // `run` reads `timer` only when the timer fires, after this line.
      const timer = fn.call(globalThis, run, ms, ...args) as Timer;
      live.set(timer, origin);
      return timer;
    };
    // Keep `util.promisify.custom` and friends.
    for (const key of Reflect.ownKeys(fn)) if (key !== 'length' && key !== 'name' && key !== 'prototype') Reflect.defineProperty(wrapper, key, Reflect.getOwnPropertyDescriptor(fn, key)!);
    g[name] = wrapper;
  };
  const unwrap = (name: 'clearTimeout' | 'clearInterval') => {
    const fn = original[name];
    g[name] = function (timer: unknown) {
      live.delete(timer as Timer);
      return fn.call(globalThis, timer);
    };
  };
  wrap('setTimeout');
  wrap('setInterval');
  unwrap('clearTimeout');
  unwrap('clearInterval');
  const prune = () => {
    for (const timer of live.keys()) if ((timer as unknown as { _destroyed?: boolean })._destroyed) live.delete(timer);
  };
  return {
    live() {
      prune();
      return live.size;
    },
    origins() {
      prune();
      const out: Record<string, number> = {};
      for (const origin of live.values()) {
        const frames = (origin.stack ?? '').split('\n').slice(1).map((l) => l.trim());
        const key = frames.filter((f) => !f.includes('trackTimers') && !f.includes('wrapper')).slice(0, 3).join(' ← ');
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    },
    restore() {
      Object.assign(g, original);
    },
  };
}

/** Net listeners added to some event targets (a listener removed twice or never added is ignored). */
export interface ListenerTracker {
  /** `{ "document:visibilitychange": 1, … }`, only types with live listeners. */
  live(): Record<string, number>;
  total(): number;
}

export function trackListeners(targets: Record<string, EventTarget>): ListenerTracker {
  const live = new Map<string, Set<unknown>>();
  for (const [label, target] of Object.entries(targets)) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (type: string, listener: unknown, options?: unknown) => {
      const key = `${label}:${type}`;
      if (!live.has(key)) live.set(key, new Set());
      live.get(key)!.add(listener);
      add(type, listener as EventListener, options as AddEventListenerOptions);
    };
    target.removeEventListener = (type: string, listener: unknown, options?: unknown) => {
      live.get(`${label}:${type}`)?.delete(listener);
      remove(type, listener as EventListener, options as EventListenerOptions);
    };
  }
  const snapshot = () => Object.fromEntries([...live].filter(([, set]) => set.size > 0).map(([key, set]) => [key, set.size]));
  return { live: snapshot, total: () => Object.values(snapshot()).reduce((a, b) => a + b, 0) };
}

/**
 * Counts subscriptions made through a client's API (`subscribe`, `on`, the outbox, and each channel
 * handle's `subscribe`, `on`, `onDiscontinuity`, status and presence) that were not undone. Wraps the
 * client in place, before anything uses it.
 */
export function countSubscriptions(client: RealtimeClient, counter: { live: number; peak: number; byKind: Record<string, number> }): void {
  const wrap = <F extends (...args: never[]) => () => void>(kind: string, fn: F): F =>
    ((...args: Parameters<F>) => {
      const off = fn(...args);
      counter.peak = Math.max(counter.peak, ++counter.live);
      counter.byKind[kind] = (counter.byKind[kind] ?? 0) + 1;
      let done = false;
      return () => {
        if (!done) {
          done = true;
          counter.live--;
          counter.byKind[kind]!--;
        }
        off();
      };
    }) as F;
  type Mutable<T> = { -readonly [K in keyof T]: T[K] };
  type Handle = ReturnType<RealtimeClient['channel']>;
  type PresenceHandle = Handle['presence'];
  const c = client as Mutable<RealtimeClient>;
  c.subscribe = wrap('client.subscribe', client.subscribe.bind(client));
  c.on = wrap('client.on', client.on.bind(client) as never);
  const outbox = client.outbox as Mutable<RealtimeClient['outbox']>;
  outbox.subscribe = wrap('outbox.subscribe', outbox.subscribe.bind(outbox));
  const channel = client.channel.bind(client);
  c.channel = ((name: string) => {
    const handle = channel(name) as Mutable<Handle>;
    handle.subscribe = wrap('channel.subscribe', handle.subscribe.bind(handle));
    handle.on = wrap('channel.on', handle.on.bind(handle) as never);
    handle.onDiscontinuity = wrap('channel.onDiscontinuity', handle.onDiscontinuity.bind(handle));
    const status = handle.status;
    handle.status = { getSnapshot: status.getSnapshot.bind(status), subscribe: wrap('channel.status', status.subscribe.bind(status)) };
    // `presence` is a getter of the handle (it throws without the capability): wrapped lazily.
    const presenceGetter = Object.getOwnPropertyDescriptor(handle, 'presence')?.get;
    let presence: PresenceHandle | undefined;
    Object.defineProperty(handle, 'presence', {
      get() {
        if (presence) return presence;
        const p = presenceGetter!.call(handle) as PresenceHandle;
        presence = { enter: p.enter.bind(p), update: p.update.bind(p), leave: p.leave.bind(p), getSnapshot: p.getSnapshot.bind(p), subscribe: wrap('presence.subscribe', p.subscribe.bind(p)) };
        return presence;
      },
    });
    return handle;
  }) as typeof client.channel;
}

/** Heap in use after full collections (needs `--expose-gc`), in bytes. */
export async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    // Let FinalizationRegistry callbacks and weak-reference clean-up run between collections.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().heapUsed;
}

/** Heap in use outside the code spaces (compiled code, which the JIT grows as functions get hot), bytes. */
export function heapWithoutCode(): number {
  return getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

interface ParsedSnapshot {
  nodes: number[];
  edges: number[];
  strings: string[];
  nodeFields: number;
  edgeFields: number;
  nodeTypes: string[];
  edgeTypes: string[];
  /** Index of each node's first edge in `edges`. */
  firstEdge: Uint32Array;
}

function parseSnapshot(file: string): ParsedSnapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const meta = raw.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const count = raw.nodes.length / nodeFields;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += raw.nodes[i * nodeFields + edgeCountAt]! * edgeFields;
  }
  firstEdge[count] = raw.edges.length;
  return { nodes: raw.nodes, edges: raw.edges, strings: raw.strings, nodeFields, edgeFields, nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], firstEdge };
}

export interface HeapGrowthRow {
  /** `type:name` of the objects, e.g. `object:FiberNode`, `closure:onClose`, `string`. */
  what: string;
  count: number;
  bytes: number;
  /** How one of them is held, from it towards a GC root. */
  retainedBy: string[];
}

/**
 * Objects alive in `afterFile` that did not exist in `beforeFile` (heap snapshots of the same process:
 * node ids are stable): their bytes split into the program's objects and V8's internals, and grouped
 * by type and name, largest first, each with a retainer path of one of them. Both files are written
 * first and read after, so this analysis allocates nothing that either snapshot holds.
 */
export interface SnapshotGrowth {
  /** Bytes of new objects the program made (objects, closures, arrays, strings, …). */
  objects: number;
  /** Bytes of new V8 internals: compiled code, feedback vectors, hidden classes (type code, object shape, hidden). */
  v8Internal: number;
  rows: HeapGrowthRow[];
}

const V8_INTERNAL = new Set(['code', 'object shape', 'hidden']);

export function snapshotGrowth(beforeFile: string, afterFile: string, top = 12): SnapshotGrowth {
  const ids = new Set<number>();
  {
    const before = parseSnapshot(beforeFile);
    for (let i = 2; i < before.nodes.length; i += before.nodeFields) ids.add(before.nodes[i]!);
  }
  const after = parseSnapshot(afterFile);
  const { nodes, edges, strings, nodeFields: nf, edgeFields: ef, nodeTypes, edgeTypes, firstEdge } = after;
  const count = nodes.length / nf;
  const typeOf = (i: number) => nodeTypes[nodes[i * nf]!]!;
  const nameOf = (i: number) => {
    const type = typeOf(i);
    return type === 'string' || type === 'concatenated string' || type === 'sliced string' ? type : `${type}:${strings[nodes[i * nf + 1]!]!.slice(0, 60)}`;
  };
  const groups = new Map<string, { count: number; bytes: number; example: number }>();
  let objects = 0;
  let v8Internal = 0;
  for (let i = 0; i < count; i++) {
    // Native and synthetic nodes get new ids in every snapshot: never "new".
    if (ids.has(nodes[i * nf + 2]!) || typeOf(i) === 'native' || typeOf(i) === 'synthetic') continue;
    const key = nameOf(i);
    const g = groups.get(key) ?? { count: 0, bytes: 0, example: i };
    g.count++;
    g.bytes += nodes[i * nf + 3]!;
    groups.set(key, g);
    if (V8_INTERNAL.has(typeOf(i))) v8Internal += nodes[i * nf + 3]!;
    else objects += nodes[i * nf + 3]!;
  }
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  // Retainers, only for the examples' paths: one reverse pass over the edges.
  const retainers = new Map<number, [number, string][]>();
  for (let i = 0; i < count; i++) {
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += ef) {
      const type = edgeTypes[edges[e]!]!;
      if (type === 'weak' || type === 'shortcut') continue;
      const to = edges[e + 2]! / nf;
      const label = type === 'element' || type === 'hidden' ? `[${edges[e + 1]}]` : `.${strings[edges[e + 1]!]}`;
      let list = retainers.get(to);
      if (!list) retainers.set(to, (list = []));
      list.push([i, label]);
    }
  }
  const path = (start: number): string[] => {
    const out: string[] = [];
    const seen = new Set([start]);
    let at = start;
    for (let depth = 0; depth < 10; depth++) {
      const next = (retainers.get(at) ?? []).find(([from]) => !seen.has(from));
      if (!next) break;
      seen.add(next[0]);
      out.push(`${nameOf(next[0])} ${next[1]}`);
      at = next[0];
    }
    return out;
  };
  return { objects, v8Internal, rows: rows.map(([what, g]) => ({ what, count: g.count, bytes: g.bytes, retainedBy: path(g.example) })) };
}
