import { createClient, RealtimeProvider, useChannel, useServerEvents, type RealtimeClient } from '@switchboard/react';
import { websocket } from '@switchboard/core/websocket';
import { createElement as h, Fragment, useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import ReactUseWebSocket from 'react-use-websocket';
import { useWebSocket as usePartySocketWebSocket } from 'partysocket/react';
import type WebSocket from 'ws';

// A CommonJS module with `exports.default`: bundled with Node's interop (bench is `type: module`), the
// default import is the whole `module.exports`.
export const useReactUseWebSocket = ((ReactUseWebSocket as unknown as { default?: typeof ReactUseWebSocket }).default ?? ReactUseWebSocket) as typeof ReactUseWebSocket;

/**
 * The contenders of the client-side scenarios, each used the way its documentation shows: one
 * component receives every message of a channel and counts it in React state.
 *
 * - `ws`: a raw `ws` client, no React: parse and count. The floor.
 * - `ws+react`: the hand-written hook: a WebSocket in an effect, `setState` per message.
 * - `switchboard`: `useChannel` on the websocket transport (native protocol), `setState` per message.
 * - `switchboard/useServerEvents`: the bounded list hook (coalesces, optional `batchMs`).
 * - `react-use-websocket`: `useWebSocket(url, { onMessage })` (it also keeps `lastMessage` state).
 * - `partysocket`: `useWebSocket(url, undefined, { onMessage })` from `partysocket/react`.
 *
 * The libraries that know nothing of the protocol connect with `?auto=<channel>`, and the peer
 * subscribes them on connect; they receive the same frames and parse them (`JSON.parse(event.data)`).
 */
export type ClientKind = 'ws' | 'ws+react' | 'switchboard' | 'switchboard/useServerEvents' | 'react-use-websocket' | 'partysocket';

export interface MountOptions {
  /** The peer's URL (`ws://127.0.0.1:<port>/realtime`). */
  url: string;
  channel: string;
  /** Messages each receiving component waits for. */
  expected: number;
  /** The constructor every contender uses (`benchWebSocket(mode)`). */
  WebSocket: typeof WebSocket;
  /** `useServerEvents` only. */
  batchMs?: number;
  /**
   * Receiving components, all on the same channel (default 1). switchboard: one client and provider;
   * react-use-websocket: `share: true` (its documented way to share one socket); the others: one socket
   * each, as their hooks do.
   */
  components?: number;
}

export interface Mounted {
  /** Resolves once every expected message was handled and a render showing the last one committed. */
  readonly done: Promise<void>;
  /** Resolves once every socket is open and (switchboard) the channel is subscribed. */
  readonly ready: Promise<void>;
  /** Renders (commits) of the receiving components so far, summed over the components. */
  renders(): number;
  /** React commits so far that rendered at least one receiving component (layout effects of one commit run in one task). */
  commits(): number;
  /** Messages handled so far, summed over the components. */
  received(): number;
  /** Unmounts and closes everything. */
  close(): Promise<void>;
}

interface Counters {
  renders: number;
  commits: number;
  received: number;
  /** Components that have shown the last message. */
  finished: number;
  /** A commit is being counted (cleared at the next microtask checkpoint). */
  inCommit: boolean;
}

/** The receiving component's common part: counts renders and commits, reports when `count` reaches `expected`. */
function useProbe(counters: Counters, count: number, expected: number, finished: () => void): void {
  useLayoutEffect(() => {
    counters.renders++;
    if (counters.inCommit) return;
    counters.inCommit = true;
    counters.commits++;
    queueMicrotask(() => {
      counters.inCommit = false;
    });
  });
  const reported = useRef(false);
  useEffect(() => {
    if (count < expected || reported.current) return;
    reported.current = true;
    finished();
  }, [count, expected, finished]);
}

export function mount(kind: ClientKind, options: MountOptions, container: HTMLElement): Mounted {
  const counters: Counters = { renders: 0, commits: 0, received: 0, finished: 0, inCommit: false };
  const components = options.components ?? 1;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const finished = () => {
    if (++counters.finished === components) resolve();
  };
  const { url, channel, expected } = options;
  const autoUrl = `${url}?auto=${encodeURIComponent(channel)}`;
  const Ctor = options.WebSocket;

  if (kind === 'ws') {
    const socket = new Ctor(autoUrl);
    socket.on('error', () => {});
    socket.addEventListener('message', (event) => {
      JSON.parse(event.data as string);
      if (++counters.received === expected) resolve();
    });
    return {
      done,
      ready: waitOpen(socket),
      renders: () => 0,
      commits: () => 0,
      received: () => counters.received,
      close: async () => {
        socket.close();
        await waitClosed(socket);
      },
    };
  }

  let element: ReactElement;
  let client: RealtimeClient | null = null;
  const sockets: WebSocket[] = [];
  const Tracked = class extends Ctor {
    constructor(u: string | URL, p?: string | string[]) {
      super(u, p);
      this.on('error', () => {});
      sockets.push(this);
    }
  } as typeof WebSocket;
  // react-use-websocket reads the global; the others get it passed as well.
  (globalThis as { WebSocket?: unknown }).WebSocket = Tracked;
  const many = (Component: () => ReactElement) => h(Fragment, null, ...Array.from({ length: components }, (_, i) => h(Component, { key: i })));

  if (kind === 'ws+react') {
    const Component = () => {
      const [count, setCount] = useState(0);
      useEffect(() => {
        const socket = new Tracked(autoUrl);
        socket.onmessage = (event) => {
          JSON.parse(event.data as string);
          counters.received++;
          setCount((c) => c + 1);
        };
        return () => socket.close();
      }, []);
      useProbe(counters, count, expected, finished);
      return h('span', null, count);
    };
    element = many(Component);
  } else if (kind === 'switchboard' || kind === 'switchboard/useServerEvents') {
    client = createClient({ transport: websocket({ url, WebSocket: Tracked as never }) });
    const Component =
      kind === 'switchboard'
        ? () => {
            const [count, setCount] = useState(0);
            useChannel(channel, {
              onMessage: () => {
                counters.received++;
                setCount((c) => c + 1);
              },
            });
            useProbe(counters, count, expected, finished);
            return h('span', null, count);
          }
        : () => {
            const { events } = useServerEvents(channel, { max: 50, batchMs: options.batchMs ?? 0 });
            const last = events.at(-1) as { data: { i: number } } | undefined;
            const count = last ? last.data.i + 1 : 0;
            useProbe(counters, count, expected, finished);
            return h('ul', null, events.length);
          };
    if (kind === 'switchboard/useServerEvents') {
      // Counts what arrives (the hook itself has no per-message callback): one more listener on the channel.
      const off = client.channel(channel).subscribe(() => void counters.received++);
      void done.then(off);
    }
    element = h(RealtimeProvider, { client }, many(Component));
  } else if (kind === 'react-use-websocket') {
    const Component = () => {
      const [count, setCount] = useState(0);
      useReactUseWebSocket(autoUrl, {
        share: components > 1,
        onMessage: (event: MessageEvent) => {
          JSON.parse(event.data as string);
          counters.received++;
          setCount((c) => c + 1);
        },
      });
      useProbe(counters, count, expected, finished);
      return h('span', null, count);
    };
    element = many(Component);
  } else {
    const Component = () => {
      const [count, setCount] = useState(0);
      usePartySocketWebSocket(autoUrl, undefined, {
        WebSocket: Tracked,
        onMessage: (event: MessageEvent) => {
          JSON.parse(event.data as string);
          counters.received++;
          setCount((c) => c + 1);
        },
      });
      useProbe(counters, count, expected, finished);
      return h('span', null, count);
    };
    element = many(Component);
  }
  const root: Root = createRoot(container);
  root.render(element);
  const subscribed = client ? channelSubscribed(client, channel) : Promise.resolve();
  const ready = (async () => {
    // Sockets are created in effects: wait until each component has its (shared) socket, then until open.
    const wanted = kind === 'ws+react' || kind === 'partysocket' ? components : 1;
    while (sockets.length < wanted) await new Promise((r) => setTimeout(r, 2));
    await Promise.all(sockets.map(waitOpen));
    await subscribed;
  })();
  return {
    done,
    ready,
    renders: () => counters.renders,
    commits: () => counters.commits,
    received: () => counters.received,
    async close() {
      root.unmount();
      client?.destroy();
      await Promise.all(sockets.map(waitClosed));
    },
  };
}

function channelSubscribed(client: RealtimeClient, name: string): Promise<void> {
  const status = client.channel(name).status;
  return new Promise((resolve) => {
    const check = () => {
      if (status.getSnapshot().status !== 'subscribed') return false;
      off();
      resolve();
      return true;
    };
    const off = status.subscribe(() => void check());
    check();
  });
}

function waitOpen(socket: WebSocket): Promise<void> {
  if (socket.readyState === 1) return Promise.resolve();
  if (socket.readyState > 1) return Promise.reject(new Error('socket closed before it opened'));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', () => reject(new Error('socket closed before it opened')));
  });
}

function waitClosed(socket: WebSocket): Promise<void> {
  if (socket.readyState === 3) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
