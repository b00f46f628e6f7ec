/**
 * server-fanout: what one server process does, switchboard's server kit side by side with a
 * socket.io 4.8 server doing the same work, in the same run:
 *
 * - connections: the subscribers of the largest fan-out, held by one process — how fast they connect
 *   and what each costs in memory;
 * - fan-out to 1k and 10k subscribers: latency p50/p99 from publish to each delivery (one message at
 *   a time), and throughput in deliveries per second (a burst of messages).
 *
 * Each server runs in its own child process; every client is a raw `ws` client in this process, so
 * client cost is the same for both servers. Both share the machine's cores with the clients.
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { serve } from '@switchboard/server';
import { Server } from 'socket.io';
import { connectMany, serveIpc, startServer, type BenchClient, type ServerKind } from '../lib/peers.js';
import { Report, percentile } from '../lib/report.js';
import { quick } from '../lib/roles.js';

const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7);
const KINDS: ServerKind[] = ['switchboard', 'socket.io'];

async function runSwitchboardServer(): Promise<void> {
  // Limits raised: the bench publisher is one connection sending bursts.
  const server = await serve({ port: 0, limits: { messagesPerSecond: 1_000_000, maxFrameBytes: 64 * 1024 }, burst: 1_000_000, metrics: false });
  serveIpc(server.port);
}

async function runSocketIoServer(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  io.on('connection', (socket) => {
    if (socket.handshake.query.sub === '1') void socket.join('bench');
    socket.on('pub', (data: unknown) => io.to('bench').emit('m', data));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  serveIpc((http.address() as { port: number }).port);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` or `timeoutMs`; `false` on timeout. */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

async function fanout(report: Report, kind: ServerKind, subscribers: number, latencyMessages: number, burst: number, measureConnections: boolean): Promise<void> {
  const server = await startServer(kind);
  const label = `${kind}.fanout.${sizeLabel(subscribers)}`;
  let received = 0;
  const latencies: number[] = [];
  let recording = false;
  const onMessage = (data: { t: number }) => {
    received++;
    if (recording) latencies.push(performance.now() - data.t);
  };
  let clients: BenchClient[] = [];
  try {
    const before = measureConnections ? await server.memory() : null;
    const connecting = performance.now();
    clients = await connectMany(kind, server.port, subscribers, true, onMessage);
    if (before) {
      const seconds = (performance.now() - connecting) / 1000;
      await sleep(300);
      const after = await server.memory();
      report.add(`${kind}.connections.held`, 'connections', clients.length);
      report.add(`${kind}.connections.connectRate`, 'connections/s', clients.length / seconds);
      report.add(`${kind}.connections.rssPerConnection`, 'KiB', (after.rss - before.rss) / clients.length / 1024);
      report.add(`${kind}.connections.heapPerConnection`, 'KiB', (after.heapUsed - before.heapUsed) / clients.length / 1024);
    }
    const [publisher] = await connectMany(kind, server.port, 1, false, () => {});
    const connected = performance.now();
    // Warm-up, then latency: one message at a time, the next once every subscriber has it.
    for (let i = 0; i < 3; i++) {
      const target = received + subscribers;
      publisher!.publish({ t: performance.now(), i });
      if (!(await until(() => received >= target, 30_000))) throw new Error(`${label}: warm-up timed out`);
    }
    recording = true;
    for (let i = 0; i < latencyMessages; i++) {
      const target = received + subscribers;
      publisher!.publish({ t: performance.now(), i });
      if (!(await until(() => received >= target, 30_000))) throw new Error(`${label}: latency message timed out`);
    }
    recording = false;
    report.add(`${label}.p50`, 'ms', percentile(latencies, 50));
    report.add(`${label}.p99`, 'ms', percentile(latencies, 99));
    // Throughput: a burst, timed from the first publish to the last delivery.
    const target = received + subscribers * burst;
    const started = performance.now();
    for (let i = 0; i < burst; i++) publisher!.publish({ t: performance.now(), i });
    if (!(await until(() => received >= target, 180_000))) throw new Error(`${label}: burst timed out`);
    const finished = performance.now();
    report.add(`${label}.throughput`, 'deliveries/s', (subscribers * burst) / ((finished - started) / 1000));
    console.log(`  (${label}: connect ${seconds(connected - connecting)}, latency ${seconds(started - connected)}, burst ${seconds(finished - started)})`);
    publisher!.close();
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

const sizeLabel = (subscribers: number) => (subscribers >= 1000 ? `${subscribers / 1000}k` : String(subscribers));

/**
 * Goals and charts for docs/performance.md (see bench/README.md, "Goals and charts"). The goal
 * here is the comparison with socket.io: each goal is a ratio switchboard / socket.io at the largest size.
 */
function describe(report: Report, sizes: string[], largest: string): void {
  const bar = (label: string, group: string, name: string) => {
    const f = report.figure(name);
    return f ? [{ label, group, value: f.median, min: f.min, max: f.max }] : [];
  };
  const both = (group: string, name: (kind: ServerKind) => string) => KINDS.flatMap((kind) => bar(kind, group, name(kind)));
  report.detail('charts', [
    { id: 'server-fanout-throughput', title: 'Server fan-out throughput', unit: 'deliveries/s', kind: 'bars', series: sizes.flatMap((n) => both(`${n} subscribers`, (k) => `${k}.fanout.${n}.throughput`)) },
    // One latency chart per size: 1k's milliseconds would vanish next to 10k's hundreds.
    ...sizes.map((n) => ({ id: `server-fanout-latency-${n}`, title: `Server fan-out latency to ${n} subscribers, publish to delivery`, unit: 'ms', kind: 'bars', series: (['p50', 'p99'] as const).flatMap((p) => both(p, (k) => `${k}.fanout.${n}.${p}`)) })),
    { id: 'server-fanout-memory', title: `Server memory per connection (${largest} held, after a full GC)`, unit: 'KiB', kind: 'bars', series: [...both('RSS', (k) => `${k}.connections.rssPerConnection`), ...both('JS heap', (k) => `${k}.connections.heapPerConnection`)] },
  ]);
  const ratio = (of: string, to: string) => {
    const a = report.figure(of)?.median;
    const b = report.figure(to)?.median;
    return a === undefined || !b ? undefined : Math.round((a / b) * 100) / 100;
  };
  const goal = (text: string, metric: string, better: 'higher' | 'lower') => {
    const value = ratio(`switchboard.${metric}`, `socket.io.${metric}`);
    return value === undefined ? [] : [{ goal: text, value, unit: '× socket.io', target: 1, better, met: better === 'higher' ? value >= 1 : value <= 1 }];
  };
  report.detail('goals', [
    ...goal(`fan-out throughput to ${largest} subscribers at least socket.io's`, `fanout.${largest}.throughput`, 'higher'),
    ...goal(`fan-out p99 latency to ${largest} subscribers at most socket.io's`, `fanout.${largest}.p99`, 'lower'),
    ...goal(`memory (RSS) per held connection at most socket.io's`, 'connections.rssPerConnection', 'lower'),
  ]);
}

async function drive(): Promise<void> {
  const report = new Report('server-fanout', quick);
  const runs = quick ? 1 : 3;
  // Latency figures are per delivery, so 10 messages to 10k subscribers are 100k samples: enough for a
  // p99. The 10k connections are most of a run's time (≈ 7 s per server per run on 2 cores).
  const sizes: [subscribers: number, latency: number, burst: number][] = quick ? [[1000, 10, 30], [2000, 5, 10]] : [[1000, 30, 60], [10_000, 10, 10]];
  const largest = sizes.at(-1)![0];
  for (let run = 0; run < runs; run++) {
    console.log(`run ${run + 1}/${runs}`);
    // Alternate who goes first, so neither always gets the cooler machine.
    const order = run % 2 ? [...KINDS].reverse() : KINDS;
    for (const [subscribers, latency, burst] of sizes) for (const kind of order) await fanout(report, kind, subscribers, latency, burst, subscribers === largest);
  }
  for (const [subscribers] of sizes) {
    const n = sizeLabel(subscribers);
    report.ratio(`throughput.${n}.switchboard/socket.io`, `switchboard.fanout.${n}.throughput`, `socket.io.fanout.${n}.throughput`);
    report.ratio(`p50.${n}.switchboard/socket.io`, `switchboard.fanout.${n}.p50`, `socket.io.fanout.${n}.p50`);
    report.ratio(`p99.${n}.switchboard/socket.io`, `switchboard.fanout.${n}.p99`, `socket.io.fanout.${n}.p99`);
  }
  report.ratio('rssPerConnection.switchboard/socket.io', 'switchboard.connections.rssPerConnection', 'socket.io.connections.rssPerConnection');
  describe(report, sizes.map(([s]) => sizeLabel(s)), sizeLabel(largest));
  report.note(`connections: the ${largest} subscribed connections of the largest fan-out, held by one server process. That is the bench's size (all clients live in one process, on the same cores), not the server's ceiling; memory per connection is measured after a full GC.`);
  report.note('Latency: one message at a time, measured from publish to each delivery in the client process (includes the clients\' own event loop).');
  report.note('Throughput: a burst of messages, deliveries per second from the first publish to the last delivery.');
  report.note('Servers: switchboard serve() with the in-memory broker; socket.io 4.8 Server with io.to(room).emit(). Clients: raw ws on both.');
  const file = report.write(process.env.BENCH_RESULTS ?? 'bench/results');
  console.log(`wrote ${file}`);
}

if (role === 'switchboard') await runSwitchboardServer();
else if (role === 'socket.io') await runSocketIoServer();
else await drive();
