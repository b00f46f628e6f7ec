/**
 * renders: how many times the receiving component renders per 1,000 messages, next to how many
 * arrival batches (socket tasks that delivered messages) those messages came in. Goals: one render per
 * arrival batch; ≤ 60 renders/s with `batchMs`.
 *
 * Contenders: `useChannel` with `setState` per message; `useServerEvents` (coalesces per arrival
 * batch); `useServerEvents` with `batchMs: 16`. Streams:
 *
 * - `paced`: a live feed, 10 messages every 4 ms (~2,500 msgs/s, ~250 arrival batches/s);
 * - `burst`: everything at once, every message of a TCP read in one task (`batch` delivery);
 * - `burst-task`: everything at once, one task per message (`task` delivery): each message is a batch.
 *
 * Renders are counted by a layout effect of the receiving component (production React has no
 * Profiler timings), from the first message sent to the commit showing the last one.
 */
import { alternate, deliver, isPeerProcess, quick, round, runScenario, type DeliverOptions } from '../lib/client-bench.js';
import type { ClientKind } from '../lib/react-clients.js';
import type { DeliveryMode } from '../lib/ws-client.js';

const RUNS = quick ? 1 : 3;
/** 16 ms: the example of the docs (≤ 62.5 renders/s by construction); 17 ms: what ≤ 60 renders/s needs. */
const BATCH_MS = [16, 17];
const MAX_RENDERS_PER_SEC = 60;

interface Contender {
  name: string;
  kind: ClientKind;
  batchMs?: number;
}
const CONTENDERS: Contender[] = [
  { name: 'useChannel', kind: 'switchboard' },
  { name: 'useServerEvents', kind: 'switchboard/useServerEvents' },
  ...BATCH_MS.map((batchMs) => ({ name: `useServerEvents.batchMs${batchMs}`, kind: 'switchboard/useServerEvents' as const, batchMs })),
];

interface Stream {
  name: string;
  mode: DeliveryMode;
  count: number;
  paced?: { perTick: number; everyMs: number };
  text: string;
}
const STREAMS: Stream[] = [
  { name: 'paced', mode: 'batch', count: quick ? 400 : 5000, paced: { perTick: 10, everyMs: 4 }, text: '10 messages every 4 ms (a setTimeout in the peer; ~2,500 msgs/s at most), batch delivery' },
  { name: 'burst', mode: 'batch', count: quick ? 5000 : 50_000, text: 'all messages written at once, batch delivery (every message of a TCP read in one task)' },
  { name: 'burst-task', mode: 'task', count: quick ? 1000 : 5000, text: 'all messages written at once, task delivery (one task per message)' },
];

if (!(await isPeerProcess())) {
  await runScenario('renders', async (peer, report) => {
    for (const s of STREAMS) await peer.prepare(s.name, s.count);
    report.note(`Streams: ${STREAMS.map((s) => `\`${s.name}\` = ${s.count} messages, ${s.text}`).join('; ')}. ${RUNS} run(s) per contender and stream, the order reversed every other run.`);
    report.note(`Contenders: \`useChannel\` = useChannel(channel, { onMessage }) with setState per message; \`useServerEvents\` = useServerEvents(channel, { max: 50 }); ${BATCH_MS.map((ms) => `\`useServerEvents.batchMs${ms}\` = the same with batchMs: ${ms} (at most one render per ${ms} ms: ≤ ${round(1000 / ms, 1)}/s by construction)`).join('; ')}. Renders/s is meaningful for the paced stream only (a burst lasts a few tens of ms, and the first render of a delivery is immediate). React 19.3 production, happy-dom. Arrival batches: socket tasks that delivered at least one message (counted by a listener on the same socket). Renders: commits of the receiving component during the delivery (a layout effect counts them).`);
    // Warm-up, not recorded.
    for (const c of CONTENDERS) await deliver(peer, options(c, STREAMS[1]!, Math.min(2000, STREAMS[1]!.count)));

    const goals: { goal: string; value: number; met: boolean }[] = [];
    for (const s of STREAMS) {
      for (let r = 0; r < RUNS; r++) {
        for (const c of alternate(CONTENDERS, r)) {
          const d = await deliver(peer, options(c, s));
          const key = `${s.name}.${c.name}`;
          report.add(`${key}.rendersPer1000`, 'renders/1000 msgs', (d.renders / s.count) * 1000);
          report.add(`${key}.batchesPer1000`, 'batches/1000 msgs', (d.batches / s.count) * 1000);
          report.add(`${key}.rendersPerBatch`, 'renders/batch', d.renders / d.batches);
          report.add(`${key}.rendersPerSec`, 'renders/s', d.renders / (d.ms / 1000));
          report.add(`${key}.ms`, 'ms', d.ms);
        }
      }
      for (const c of CONTENDERS) {
        const key = `${s.name}.${c.name}`;
        const perBatch = report.figure(`${key}.rendersPerBatch`)!.median;
        if (c.batchMs) {
          const perSec = report.figure(`${key}.rendersPerSec`)!.median;
          if (s.paced) goals.push({ goal: `≤ ${MAX_RENDERS_PER_SEC} renders/s with batchMs ${c.batchMs} (${c.name}, ${s.name})`, value: round(perSec, 1), met: perSec <= MAX_RENDERS_PER_SEC });
        } else {
          // The last render of a delivery may come in a task of its own: allow one render beyond the batches.
          const renders = report.figure(`${key}.rendersPer1000`)!.median;
          const batches = report.figure(`${key}.batchesPer1000`)!.median;
          goals.push({ goal: `at most one render per arrival batch (${c.name}, ${s.name})`, value: round(perBatch, 3), met: renders <= batches + (1000 / s.count) * 1.001 });
        }
      }
    }
    report.detail('goals', goals);
    const missed = goals.filter((g) => !g.met);
    if (missed.length) report.note(`Goals missed: ${missed.map((g) => `${g.goal}: ${g.value}`).join('; ')}.`);
  });
}

function options(c: Contender, s: Stream, count = s.count): DeliverOptions {
  return { kind: c.kind, mode: s.mode, channel: s.name, count, batchMs: c.batchMs, paced: s.paced, countBatches: true };
}
