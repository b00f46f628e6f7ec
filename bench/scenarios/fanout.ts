/**
 * fanout: 50 components on one channel. Goals for switchboard (`useChannel` in each, one client and
 * provider): 1 socket opened, 1 server subscription, and the time to deliver N messages to all 50
 * components ≤ 3× the time a raw `ws` client (parse and count, no React) takes to receive the same N.
 *
 * Anchors, used as their documentation shows: 50 hand-written `ws+react` hooks (a socket each),
 * `react-use-websocket` with `share: true` (one shared socket) and `partysocket` (a socket each).
 * Sockets and subscriptions are counted by the peer; time runs from its first write to the commit
 * that shows the last message in every component.
 */
import { alternate, deliver, isPeerProcess, profileDelivery, quick, round, runScenario } from '../lib/client-bench.js';
import type { ClientKind } from '../lib/react-clients.js';
import { DELIVERY_MODES, MODE_TEXT } from '../lib/ws-client.js';

const COMPONENTS = 50;
const COUNT = quick ? 200 : 5000;
const RUNS = quick ? 1 : 3;
const MAX_TIME_RATIO = 3;
const CHANNEL = 'fanout';
const CONTENDERS: ClientKind[] = ['ws', 'switchboard', 'ws+react', 'react-use-websocket', 'partysocket'];

if (!(await isPeerProcess())) {
  await runScenario('fanout', async (peer, report) => {
    const { bytesPerMessage } = await peer.prepare(CHANNEL, COUNT);
    report.note(`${COMPONENTS} components on one channel, each counting messages in state (setState per message); ${COUNT} messages of ${round(bytesPerMessage, 1)} bytes, written by the peer all at once to every connection subscribed to the channel; the reference \`ws\` is one raw ws client receiving the same ${COUNT} once (JSON.parse and count, no React). ${RUNS} run(s) per contender and mode, the order reversed every other run.`);
    report.note(`Contenders: \`switchboard\` = useChannel in each component under one RealtimeProvider (one client); \`ws+react\` = a WebSocket in useEffect per component; \`react-use-websocket\` = useWebSocket(url, { share: true, onMessage }); \`partysocket\` = useWebSocket from partysocket/react per component. Sockets: connections the peer accepted; subscriptions: subscribe frames (or auto-subscribed connections) the peer registered for the channel.`);
    for (const mode of DELIVERY_MODES) report.note(`Mode \`${mode}\`: ${MODE_TEXT[mode]}.`);
    for (const kind of CONTENDERS) await deliver(peer, { kind, mode: 'batch', channel: CHANNEL, count: Math.min(COUNT, 100), components: kind === 'ws' ? 1 : COMPONENTS });

    const goals: { goal: string; value: number; met: boolean }[] = [];
    for (const mode of DELIVERY_MODES) {
      for (let r = 0; r < RUNS; r++) {
        const perRun: Partial<Record<ClientKind, number>> = {};
        for (const kind of alternate(CONTENDERS, r)) {
          const d = await deliver(peer, { kind, mode, channel: CHANNEL, count: COUNT, components: kind === 'ws' ? 1 : COMPONENTS });
          perRun[kind] = d.ms;
          report.add(`${mode}.${kind}.ms`, 'ms', d.ms);
          report.add(`${mode}.${kind}.sockets`, 'sockets', d.peerConnections);
          report.add(`${mode}.${kind}.subscriptions`, 'subscriptions', d.peerSubscriptions);
          if (kind !== 'ws') report.add(`${mode}.${kind}.commits`, 'commits', d.commits);
        }
        for (const kind of CONTENDERS) if (kind !== 'ws') report.add(`${mode}.${kind}/ws.perRun`, '×', perRun[kind]! / perRun.ws!);
      }
      for (const kind of CONTENDERS) if (kind !== 'ws') report.ratio(`${mode}.${kind}/ws`, `${mode}.${kind}.ms`, `${mode}.ws.ms`);
      report.ratio(`${mode}.switchboard/ws+react`, `${mode}.switchboard.ms`, `${mode}.ws+react.ms`);
      const sockets = report.figure(`${mode}.switchboard.sockets`)!.max;
      const subscriptions = report.figure(`${mode}.switchboard.subscriptions`)!.max;
      const ratio = report.figure(`${mode}.switchboard.ms`)!.median / report.figure(`${mode}.ws.ms`)!.median;
      goals.push(
        { goal: `${COMPONENTS} components open 1 socket (${mode})`, value: sockets, met: sockets === 1 },
        { goal: `${COMPONENTS} components make 1 server subscription (${mode})`, value: subscriptions, met: subscriptions === 1 },
        { goal: `time to all ${COMPONENTS} ≤ ${MAX_TIME_RATIO}× raw ws (${mode})`, value: round(ratio), met: ratio <= MAX_TIME_RATIO },
      );
    }
    report.detail('goals', goals);

    const slow = goals.filter((g) => !g.met && g.goal.startsWith('time'));
    if (slow.length) {
      const profiles: Record<string, unknown> = {};
      for (const g of slow) {
        const mode = g.goal.includes('(task)') ? 'task' : 'batch';
        const { delivery, summary, text } = await profileDelivery(peer, { kind: 'switchboard', mode, channel: CHANNEL, count: COUNT, components: COMPONENTS });
        profiles[mode] = { ms: round(delivery.ms, 1), ...summary };
        report.note(`Goal missed (${mode}): switchboard takes ${g.value}× raw ws to reach all ${COMPONENTS} components, ${round(g.value / MAX_TIME_RATIO, 1)} times the ${MAX_TIME_RATIO}× allowed. CPU profile of one switchboard delivery (${mode}, sampled in-process, so slower than unprofiled; self time, JSON.parse counted as its caller's): ${text}.`);
      }
      report.detail('profile', profiles);
    }
    for (const g of goals.filter((x) => !x.met && !x.goal.startsWith('time'))) report.note(`Goal missed: ${g.goal}: ${g.value}.`);
  });
}
