/**
 * memory: mount/unmount cycles of a component using `useChannel`, `useConnectionStatus` and
 * `usePresence` under `<RealtimeProvider>`, with a client connected to the native-protocol peer (a
 * process of its own). Two variants:
 *
 * - shared client: one client, connected throughout (`client.connect()`); the component mounts and
 *   unmounts 10,000 times under the provider;
 * - client per cycle: each cycle creates a client, mounts provider + component, waits until the
 *   channel is subscribed (a real connection, handshake and subscribe), unmounts, `client.destroy()`.
 *
 * Figures: heap in use after a full GC before the cycles (after a warm-up) and after them, and what is
 * left over: live timers (made through the global `setTimeout`/`setInterval`, which the core's
 * platform and transports use), open sockets (this side and the peer's), happy-dom window/document
 * listeners, and subscriptions made through the client's API that were never undone.
 */
import { dom } from '../lib/dom-globals.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { websocket } from '@switchboard/core/websocket';
import { createClient, RealtimeProvider, useChannel, useConnectionStatus, usePresence, type RealtimeClient } from '@switchboard/react';
import { createElement as h, useEffect } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type WebSocket from 'ws';
import { countSubscriptions, heapAfterGc, heapWithoutCode, snapshotGrowth, trackListeners, trackTimers } from '../lib/leaks.js';
import { PEER_ROLE, runNativePeer, startNativePeer } from '../lib/native-peer.js';
import { Report } from '../lib/report.js';
import { argValue, quick, role, sleep, until } from '../lib/roles.js';
import { benchWebSocket } from '../lib/ws-client.js';

const CYCLES = quick ? 1000 : 10_000;
/** Cycles of the client-per-cycle variant: each is a real connection (~1–2 ms on loopback). */
const CLIENT_CYCLES = quick ? 300 : 5000;
/** Warm-up cycles before the first measurement, so the JIT has compiled the hot paths. */
const WARMUP = quick ? 200 : 2000;
const CLIENT_WARMUP = quick ? 100 : 1000;
const RUNS = quick ? 1 : 2;
const CHANNEL = 'mem';
/** Longer than the channel linger (1.5 s), so channels left by the last unmount are gone. */
const SETTLE_MS = 2000;
const GOAL_BYTES = 1024 * 1024;

interface Heap {
  heap: number;
  heapWithoutCode: number;
}

interface Leftovers {
  timers: number;
  sockets: number;
  peerConnections: number;
  peerSubscribers: number;
  listeners: number;
  subscriptions: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function Probe({ i, onSubscribed }: { i: number; onSubscribed?: () => void }) {
  const { status } = useChannel(CHANNEL, { onMessage: () => {} });
  const connection = useConnectionStatus();
  const { members } = usePresence(CHANNEL, { i });
  useEffect(() => {
    if (status === 'subscribed') onSubscribed?.();
  }, [status, onSubscribed]);
  return h('span', null, `${connection.status} ${status} ${members.length}`);
}

if (role === PEER_ROLE) {
  await runNativePeer(Number(argValue('port') ?? 0));
} else {
  const report = new Report('memory', quick);
  const timers = trackTimers();
  const listeners = trackListeners({ window: dom.window as unknown as EventTarget, document: dom.window.document as unknown as EventTarget });
  const peer = await startNativePeer();
  const sockets = new Set<WebSocket>();
  const WS = benchWebSocket('batch', {
    onCreate(socket) {
      sockets.add(socket);
      socket.addEventListener('close', () => sockets.delete(socket));
    },
  });
  const subs = { live: 0, peak: 0, byKind: {} as Record<string, number> };
  const newClient = (): RealtimeClient => {
    const client = createClient({ transport: websocket({ url: peer.url, WebSocket: WS as never }) });
    countSubscriptions(client, subs);
    return client;
  };

  const snapshot = async (): Promise<Leftovers & Heap> => {
    const stats = await peer.stats();
    return {
      heap: await heapAfterGc(),
      heapWithoutCode: heapWithoutCode(),
      timers: timers.live(),
      sockets: sockets.size,
      peerConnections: stats.connections,
      peerSubscribers: stats.live[CHANNEL] ?? 0,
      listeners: listeners.total(),
      subscriptions: subs.live,
    };
  };

  /**
   * Warm-up, then `n` cycles between two measurements (after `settle()` each). In the first run, heap
   * snapshots around the cycles tell which objects created by them are still alive.
   */
  async function measure(variant: string, run: number, cycles: (n: number) => Promise<void>, n: number, warmup: number, settle: () => Promise<void>): Promise<void> {
    await cycles(warmup);
    await settle();
    const before = await snapshot();
    const dir = run === 0 && (!quick || process.env.BENCH_HEAP_DIFF) ? (process.env.BENCH_HEAP_SNAPSHOTS ?? mkdtempSync(join(tmpdir(), 'bench-memory-'))) : null;
    const files = dir ? { before: join(dir, `${variant}-before.heapsnapshot`), after: join(dir, `${variant}-after.heapsnapshot`) } : null;
    if (files) writeHeapSnapshot(files.before);
    const started = performance.now();
    await cycles(n);
    const cycleMs = (performance.now() - started) / n;
    await settle();
    const after = await snapshot();
    record(variant, before, after, cycleMs, n);
    // The counts themselves (not only the difference), to show what the instruments see.
    if (run === 0) report.detail(`${variant}.counts`, { before, after, liveListeners: listeners.live(), subscriptionsPeak: subs.peak });
    if (files) {
      await heapAfterGc();
      writeHeapSnapshot(files.after);
      const growth = snapshotGrowth(files.before, files.after);
      if (!process.env.BENCH_HEAP_SNAPSHOTS) rmSync(dir!, { recursive: true, force: true });
      report.add(`${variant}.snapshot.newObjects`, 'bytes', growth.objects);
      report.add(`${variant}.snapshot.newV8Internal`, 'bytes', growth.v8Internal);
      report.detail(`${variant}.heapGrowthByObject`, growth.rows);
      console.log(`  ${variant}: alive after the cycles and created by them, largest first`);
      for (const row of growth.rows.slice(0, 6)) console.log(`    ${row.count} × ${row.what}: ${row.bytes} bytes ← ${row.retainedBy.slice(0, 3).join(' ← ')}`);
    }
  }

  /** Shared client: the component mounts and unmounts under one provider. */
  async function shared(run: number): Promise<void> {
    const client = newClient();
    client.connect();
    const root = createRoot(dom.container);
    const tree = (show: boolean, i = 0) => h(RealtimeProvider, { client }, show ? h(Probe, { i }) : null);
    const cycles = async (n: number) => {
      for (let i = 0; i < n; i++) {
        flushSync(() => root.render(tree(true, i)));
        await yieldToLoop();
        flushSync(() => root.render(tree(false)));
        await yieldToLoop();
      }
    };
    try {
      flushSync(() => root.render(tree(false)));
      if (!(await until(() => client.getSnapshot().status === 'connected', 10_000))) throw new Error('shared client did not connect');
      await measure('shared', run, cycles, CYCLES, WARMUP, async () => void (await sleep(SETTLE_MS)));
    } finally {
      root.unmount();
      client.destroy();
    }
  }

  /** A client per cycle: create, mount, subscribed, unmount, destroy. */
  async function perCycle(run: number): Promise<void> {
    const root = createRoot(dom.container);
    const cycles = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const client = newClient();
        let subscribed!: () => void;
        const ready = new Promise<void>((resolve) => (subscribed = resolve));
        flushSync(() => root.render(h(RealtimeProvider, { client }, h(Probe, { i, onSubscribed: subscribed }))));
        const timeout = setTimeout(() => subscribed(), 5000);
        await ready;
        clearTimeout(timeout);
        if (client.getSnapshot().status !== 'connected') throw new Error(`cycle ${i}: not connected`);
        flushSync(() => root.render(null));
        client.destroy();
        await yieldToLoop();
      }
    };
    // destroy() drops lingering channels with the client: waiting for the sockets to close is enough.
    const settle = async () => {
      await until(() => sockets.size === 0, 10_000, 5);
      await peer.waitForIdle(10_000).catch(() => {});
      await sleep(100);
    };
    try {
      await measure('clientPerCycle', run, cycles, CLIENT_CYCLES, CLIENT_WARMUP, settle);
    } finally {
      root.unmount();
    }
  }

  const leftoverKeys: (keyof Leftovers)[] = ['timers', 'sockets', 'peerConnections', 'peerSubscribers', 'listeners', 'subscriptions'];
  const worst: Record<string, { growth: number; leftovers: Record<string, number> }> = {};
  function record(variant: string, before: Leftovers & Heap, after: Leftovers & Heap, cycleMs: number, n: number): void {
    const growth = after.heap - before.heap;
    report.add(`${variant}.heapGrowth`, 'bytes', growth);
    report.add(`${variant}.heapGrowthPerCycle`, 'bytes', growth / n);
    report.add(`${variant}.heapGrowth.withoutCode`, 'bytes', after.heapWithoutCode - before.heapWithoutCode);
    report.add(`${variant}.cycle`, 'ms', cycleMs);
    const w = (worst[variant] ??= { growth: -Infinity, leftovers: {} });
    w.growth = Math.max(w.growth, growth);
    for (const key of leftoverKeys) {
      const left = after[key] - before[key];
      report.add(`${variant}.leftover.${key}`, 'count', left);
      w.leftovers[key] = Math.max(w.leftovers[key] ?? -Infinity, left);
    }
    if (after.timers > before.timers) console.warn(`  ${variant}: live timers by origin`, timers.origins());
    if (after.listeners > before.listeners) console.warn(`  ${variant}: live listeners`, listeners.live());
    if (after.subscriptions > before.subscriptions) console.warn(`  ${variant}: live subscriptions`, subs.byKind);
  }

  try {
    for (let run = 0; run < RUNS; run++) {
      // Alternate which variant goes first.
      if (run % 2 === 0) {
        await shared(run);
        await perCycle(run);
      } else {
        await perCycle(run);
        await shared(run);
      }
    }
  } finally {
    await peer.stop();
    timers.restore();
  }

  const goals = [
    { goal: `shared client: heap growth after ${CYCLES.toLocaleString('en')} mount/unmount cycles < 1 MB (worst run, bytes)`, value: Math.round(worst.shared!.growth), unit: 'bytes', target: GOAL_BYTES, met: worst.shared!.growth < GOAL_BYTES },
    { goal: `shared client: leftover timers, sockets, listeners and subscriptions after the cycles = 0 (worst run, total)`, value: total(worst.shared!.leftovers), unit: 'count', target: 0, met: total(worst.shared!.leftovers) === 0 },
    {
      goal: `client per cycle: heap growth after ${CLIENT_CYCLES.toLocaleString('en')} create/mount/unmount/destroy cycles < 1 MB (worst run, bytes)`,
      value: Math.round(worst.clientPerCycle!.growth),
      unit: 'bytes',
      target: GOAL_BYTES,
      met: worst.clientPerCycle!.growth < GOAL_BYTES,
    },
    { goal: `client per cycle: leftover timers, sockets, listeners and subscriptions after the cycles = 0 (worst run, total)`, value: total(worst.clientPerCycle!.leftovers), unit: 'count', target: 0, met: total(worst.clientPerCycle!.leftovers) === 0 },
  ];
  // The heap snapshot diff (first run): objects the cycles created that are still alive, V8's compiled
  // code and feedback excluded.
  for (const variant of ['shared', 'clientPerCycle']) {
    const retained = report.figure(`${variant}.snapshot.newObjects`)?.max;
    if (retained === undefined) continue;
    goals.push({ goal: `${variant === 'shared' ? 'shared client' : 'client per cycle'}: objects created by the cycles and still alive after them (heap snapshot diff, V8 code and feedback excluded, first run) < 1 MB (bytes)`, value: retained, unit: 'bytes', target: GOAL_BYTES, met: retained < GOAL_BYTES });
  }
  report.detail('goals', goals);
  report.detail('leftovers', worst);
  report.note(
    `Component: useChannel('${CHANNEL}') + useConnectionStatus() + usePresence('${CHANNEL}', { i }) under <RealtimeProvider>, rendered with flushSync in happy-dom (React 19, production build), the event loop turned once after each mount and each unmount. Peer: a ws server in its own process speaking the native protocol (it ignores presence frames).`,
  );
  report.note(
    `shared: one client held connected (client.connect()), ${CYCLES.toLocaleString('en')} mount/unmount cycles after ${WARMUP} warm-up cycles. clientPerCycle: ${CLIENT_CYCLES.toLocaleString('en')} cycles of createClient → mount → channel subscribed (real connect, hello/welcome, subscribe) → unmount → client.destroy(), after ${CLIENT_WARMUP} warm-up cycles (fewer than 10,000: each is a real connection, and the full run must stay within its time budget). ${RUNS} run(s) of each, alternating which goes first.`,
  );
  report.note(
    'snapshot.newObjects / snapshot.newV8Internal (first run): heap snapshots written just before and just after the measured cycles; objects of the second that the first did not have (snapshot node ids are stable within a process), native and synthetic nodes excluded. V8 internal = node types code, object shape and hidden: compiled code, deoptimisation data, feedback vectors, hidden classes — what the JIT adds as more paths get hot. details.<variant>.heapGrowthByObject lists the largest groups with a retainer path.',
  );
  report.note(
    `heapGrowth: heap in use after a full GC (4 collections) once the cycles are done and ${SETTLE_MS} ms passed (longer than the channel linger of 1.5 s), minus the same before the cycles. Leftovers are after − before: timers = live timers made through the global setTimeout/setInterval (the core's default platform and the transports use them); sockets = client WebSockets not closed; peerConnections / peerSubscribers = the peer's open connections / subscribers of '${CHANNEL}'; listeners = happy-dom window + document listeners; subscriptions = unsubscribe functions returned by the client's API (client, outbox, channel, status, presence) never called. The shared client's own connection is there before and after, so it nets out.`,
  );
  console.log(`  wrote ${report.write(process.env.BENCH_RESULTS!)}`);
  process.exit(0);
}

function total(leftovers: Record<string, number>): number {
  return Object.values(leftovers).reduce((a, b) => a + Math.max(0, b), 0);
}
