/**
 * throughput: 100,000 ~100-byte JSON messages from a `ws` server on 127.0.0.1 into one React 19
 * component (happy-dom) that counts them in state, in both delivery modes (every message of a TCP read
 * in one task; one task per message). msgs/s of each contender ÷ a raw `ws` client's (parse and
 * count, no React) in the same run. Goal: switchboard's `useChannel` ≥ 0.90× raw `ws`.
 *
 * The server is the native peer (lib/native-peer.ts) in its own process, writing frames encoded
 * before the clock starts, so what is timed is the client: from the first write to the commit that
 * shows the last message.
 */
import { alternate, deliver, isPeerProcess, profileDelivery, quick, round, runScenario } from '../lib/client-bench.js';
import type { ClientKind } from '../lib/react-clients.js';
import { DELIVERY_MODES, MODE_TEXT } from '../lib/ws-client.js';

const COUNT = quick ? 5000 : 100_000;
const RUNS = quick ? 1 : 3;
const GOAL = 0.9;
const CONTENDERS: ClientKind[] = ['ws', 'switchboard', 'ws+react', 'react-use-websocket', 'partysocket'];
const CHANNEL = 'throughput';

interface Goal {
  goal: string;
  value: number;
  met: boolean;
}

if (!(await isPeerProcess())) {
  await runScenario('throughput', async (peer, report) => {
    const { bytesPerMessage } = await peer.prepare(CHANNEL, COUNT);
    report.note(`${COUNT} messages of ${round(bytesPerMessage, 1)} bytes (JSON text) per run, written by the peer (a \`ws\` server in its own process on 127.0.0.1) all at once; ${RUNS} run(s) per contender and mode, the order of contenders reversed every other run. Time: from the peer's first write to the commit that shows the last message (raw \`ws\`: its last parse).`);
    report.note(`msgs/s is wall-clock time; cpuUsPerMsg is this process' CPU time (user + system, all threads) per message during the same delivery. The \`…/ws\` ratios are msgs/s medians (higher is better); \`…/ws.cpu\` ratios are raw ws CPU per message ÷ the contender's (higher is better), less sensitive to other work on the machine.`);
    report.note(`Contenders: \`ws\` = raw ws client, JSON.parse and count, no React (the reference); \`switchboard\` = useChannel with setState per message (native protocol, websocket transport); \`ws+react\` = a WebSocket in useEffect with setState per message; \`react-use-websocket\` = useWebSocket(url, { onMessage }) 4.13; \`partysocket\` = useWebSocket from partysocket/react 1.3. All React 19.3 production builds rendering into happy-dom, all on the same \`ws\` socket class.`);
    for (const mode of DELIVERY_MODES) report.note(`Mode \`${mode}\`: ${MODE_TEXT[mode]}.`);
    // Warm-up: JIT and module state, not recorded.
    for (const kind of CONTENDERS) await deliver(peer, { kind, mode: 'batch', channel: CHANNEL, count: Math.min(COUNT, 10_000) });

    const goals: Goal[] = [];
    for (const mode of DELIVERY_MODES) {
      for (let r = 0; r < RUNS; r++) {
        const perRun: Partial<Record<ClientKind, number>> = {};
        for (const kind of alternate(CONTENDERS, r)) {
          const d = await deliver(peer, { kind, mode, channel: CHANNEL, count: COUNT });
          perRun[kind] = d.msgsPerSec;
          report.add(`${mode}.${kind}.msgsPerSec`, 'msgs/s', d.msgsPerSec);
          report.add(`${mode}.${kind}.cpuUsPerMsg`, 'µs/msg', d.cpuUsPerMsg);
          if (kind !== 'ws') report.add(`${mode}.${kind}.renders`, 'renders', d.renders);
        }
        // The same ratio within each run, for its spread (the headline ratio is of the medians).
        for (const kind of CONTENDERS) if (kind !== 'ws') report.add(`${mode}.${kind}/ws.perRun`, '×', perRun[kind]! / perRun.ws!);
      }
      for (const kind of CONTENDERS) {
        if (kind === 'ws') continue;
        report.ratio(`${mode}.${kind}/ws`, `${mode}.${kind}.msgsPerSec`, `${mode}.ws.msgsPerSec`);
        // The same comparison by this process' CPU time per message (less sensitive to other load on the machine).
        report.ratio(`${mode}.${kind}/ws.cpu`, `${mode}.ws.cpuUsPerMsg`, `${mode}.${kind}.cpuUsPerMsg`);
      }
      report.ratio(`${mode}.switchboard/ws+react`, `${mode}.switchboard.msgsPerSec`, `${mode}.ws+react.msgsPerSec`);
      const median = (name: string) => report.figure(name)!.median;
      const ratio = median(`${mode}.switchboard.msgsPerSec`) / median(`${mode}.ws.msgsPerSec`);
      const cpuRatio = median(`${mode}.ws.cpuUsPerMsg`) / median(`${mode}.switchboard.cpuUsPerMsg`);
      goals.push(
        { goal: `throughput ≥ ${GOAL.toFixed(2)}× raw ws (${mode})`, value: round(ratio), met: ratio >= GOAL },
        { goal: `throughput ≥ ${GOAL.toFixed(2)}× raw ws (${mode}, by CPU time per message)`, value: round(cpuRatio), met: cpuRatio >= GOAL },
      );
      const floor = median(`${mode}.ws.cpuUsPerMsg`) / median(`${mode}.ws+react.cpuUsPerMsg`);
      report.note(
        `${mode}: CPU per message — raw ws ${median(`${mode}.ws.cpuUsPerMsg`)} µs, ws+react ${median(`${mode}.ws+react.cpuUsPerMsg`)} µs, switchboard ${median(`${mode}.switchboard.cpuUsPerMsg`)} µs, partysocket ${median(`${mode}.partysocket.cpuUsPerMsg`)} µs, react-use-websocket ${median(`${mode}.react-use-websocket.cpuUsPerMsg`)} µs. A component that calls setState per message with no library at all (ws+react) reaches ${round(floor)}× raw ws by CPU time: that is the ceiling any hook with a per-message callback has here; switchboard reaches ${round(cpuRatio)}× (${round(cpuRatio / floor)}× the ceiling).`,
      );
    }
    report.detail('goals', goals);

    const missedModes = DELIVERY_MODES.filter((mode) => goals.some((g) => !g.met && g.goal.includes(`(${mode}`)));
    if (missedModes.length) {
      const profiles: Record<string, unknown> = {};
      for (const mode of missedModes) {
        const [wall, cpu] = goals.filter((g) => g.goal.includes(`(${mode}`)) as [Goal, Goal];
        const { delivery, summary, text } = await profileDelivery(peer, { kind: 'switchboard', mode, channel: CHANNEL, count: COUNT });
        profiles[mode] = { msgsPerSec: round(delivery.msgsPerSec, 0), ...summary };
        const below = (value: number) => `${round(((GOAL - value) / GOAL) * 100, 0)} %`;
        report.note(
          `Goal missed (${mode}): switchboard reaches ${wall.value}× raw ws by msgs/s (${wall.met ? 'met' : `${below(wall.value)} below ${GOAL.toFixed(2)}×`}) and ${cpu.value}× by CPU time per message (${cpu.met ? 'met' : `${below(cpu.value)} below`}). CPU profile of one switchboard delivery (${mode}, sampled in-process, so it runs slower than unprofiled; self time, where V8 counts JSON.parse as its caller's — \`decode\` in switchboard): ${text}.`,
        );
      }
      report.detail('profile', profiles);
    }
  });
}
