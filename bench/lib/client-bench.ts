import { performance } from 'node:perf_hooks';
import { dom } from './dom-globals.js';
import { PEER_ROLE, runNativePeer, startNativePeer, type NativePeer } from './native-peer.js';
import { Session } from 'node:inspector/promises';
import { describe, summarize, type CpuProfile, type ProfileSummary } from './profile.js';
import { mount, type ClientKind, type Mounted } from './react-clients.js';
import { Report } from './report.js';
import { argValue, quick, role, sleep } from './roles.js';
import { benchWebSocket, countBatches, type DeliveryMode } from './ws-client.js';

/**
 * What the client-side scenarios (throughput, renders, fanout) share: the role dispatch (the bundle
 * is also the native peer's process), one timed delivery of prepared messages to a mounted contender,
 * and a CPU profile of one such delivery.
 */
export { quick };

/** In the peer's process: serves, and the scenario's own code must not run. */
export async function isPeerProcess(): Promise<boolean> {
  if (role !== PEER_ROLE) return false;
  await runNativePeer(Number(argValue('port') ?? 0));
  return true;
}

export interface Delivery {
  /** From the peer's first write to the commit showing the last message (raw `ws`: its last parse). */
  ms: number;
  msgsPerSec: number;
  /** CPU time of this process (all its threads: JS, GC helpers, I/O) per message during the delivery, µs. */
  cpuUsPerMsg: number;
  /** Commits of the receiving component(s) during the delivery. */
  renders: number;
  /** Socket tasks that delivered messages (messages in one task = one batch), when counted. */
  batches: number;
  /** Frames the contender's socket(s) received during the delivery. */
  frames: number;
  /** Sockets the contender opened. */
  sockets: number;
  /** React commits that rendered a receiving component during the delivery. */
  commits: number;
  /** Connections the peer accepted from mounting to the end of the delivery. */
  peerConnections: number;
  /** Subscriptions to the channel the peer registered (subscribe frames, or `?auto=` connections). */
  peerSubscriptions: number;
}

export interface DeliverOptions {
  kind: ClientKind;
  mode: DeliveryMode;
  channel: string;
  count: number;
  /** `paced` sends `perTick` messages every `everyMs` instead of everything at once. */
  paced?: { perTick: number; everyMs: number };
  batchMs?: number;
  /** Receiving components (default 1). */
  components?: number;
  /** Counts arrival batches (adds a `message` listener to each socket). */
  countBatches?: boolean;
  timeoutMs?: number;
  /** Called just before the clock starts and just after it stops (e.g. to profile only the delivery). */
  window?: { start(): Promise<void>; stop(): Promise<void> };
}

/** Mounts `kind`, waits for its subscription, sends the prepared messages, waits for the last render, unmounts. */
export async function deliver(peer: NativePeer, o: DeliverOptions): Promise<Delivery> {
  const counter = { batches: 0, messages: 0 };
  let sockets = 0;
  const Ctor = benchWebSocket(o.mode, {
    onCreate: (socket) => {
      sockets++;
      if (o.countBatches) countBatches(socket, counter);
    },
  });
  await peer.reset();
  const container = dom.window.document.createElement('div') as unknown as HTMLElement;
  dom.window.document.body.appendChild(container as never);
  const mounted: Mounted = mount(o.kind, { url: peer.url, channel: o.channel, expected: o.count, WebSocket: Ctor, batchMs: o.batchMs, components: o.components }, container);
  try {
    await peer.waitForSubscribers(o.channel, 1);
    await mounted.ready;
    const rendersBefore = mounted.renders();
    const commitsBefore = mounted.commits();
    counter.batches = 0;
    counter.messages = 0;
    await o.window?.start();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const sending = o.paced ? peer.paced(o.channel, o.paced.perTick, o.paced.everyMs) : peer.blast(o.channel);
    const timeoutMs = o.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${o.kind} (${o.mode}): ${mounted.received()} of ${o.count} messages after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([mounted.done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    await o.window?.stop();
    await sending;
    const stats = await peer.stats();
    return {
      ms,
      msgsPerSec: (o.count / ms) * 1000,
      cpuUsPerMsg: (cpu.user + cpu.system) / o.count,
      renders: mounted.renders() - rendersBefore,
      commits: mounted.commits() - commitsBefore,
      batches: counter.batches,
      frames: counter.messages,
      sockets,
      peerConnections: stats.opened,
      peerSubscriptions: stats.subscribes[o.channel] ?? 0,
    };
  } finally {
    await mounted.close();
    container.remove();
    await peer.waitForIdle();
    (globalThis as { gc?: () => void }).gc?.();
  }
}

/**
 * Profiles one delivery in this process (the inspector's sampling profiler, from the first write to the
 * last commit: mounting, connecting and unmounting are left out) and summarises where the time went.
 */
export async function profileDelivery(peer: NativePeer, o: DeliverOptions): Promise<{ delivery: Delivery; summary: ProfileSummary; text: string }> {
  const session = new Session();
  session.connect();
  let profile: CpuProfile | undefined;
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    const delivery = await deliver(peer, {
      ...o,
      window: {
        start: async () => void (await session.post('Profiler.start')),
        stop: async () => void ({ profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile }),
      },
    });
    const summary = summarize(profile!, process.argv[1]!);
    return { delivery, summary, text: describe(summary, 6, 8) };
  } finally {
    session.disconnect();
  }
}

/** Starts the peer, runs `body`, stops the peer and writes the report; exits (nothing may keep the process alive). */
export async function runScenario(name: string, body: (peer: NativePeer, report: Report) => Promise<void>): Promise<void> {
  const report = new Report(name, quick);
  const peer = await startNativePeer();
  let failed: unknown = null;
  try {
    await body(peer, report);
  } catch (error) {
    failed = error;
  } finally {
    await peer.stop();
  }
  if (failed) {
    console.error(failed);
    process.exit(1);
  }
  const file = report.write(process.env.BENCH_RESULTS ?? 'bench/results');
  console.log(`  → ${file}`);
  await dom.window.happyDOM.abort();
  dom.window.close();
  // Give closing sockets a turn, then leave even if a library left a timer behind.
  await sleep(10);
  process.exit(0);
}

/** `r`-th ordering of `items`: even runs as given, odd runs reversed (so no contender always goes first). */
export function alternate<T>(items: readonly T[], r: number): T[] {
  return r % 2 === 0 ? [...items] : [...items].reverse();
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
