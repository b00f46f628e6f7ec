import { createClient, RealtimeProvider, useChannel, useServerEvents, type RealtimeClient } from '@switchboard/react';
import { websocket } from '@switchboard/core/websocket';
import { createElement as h, useEffect, useLayoutEffect, useState, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import useReactUseWebSocket from 'react-use-websocket';
import { useWebSocket as usePartySocketWebSocket } from 'partysocket/react';
import type WebSocket from 'ws';

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
  /** Messages to wait for. */
  expected: number;
  /** The constructor every contender uses (`benchWebSocket(mode)`). */
  WebSocket: typeof WebSocket;
  /** `useServerEvents` only. */
  batchMs?: number;
}

export interface Mounted {
  /** Resolves once every expected message was handled and a render showing the last one committed. */
  readonly done: Promise<void>;
  /** Commits of the receiving component so far. */
  renders(): number;
  received(): number;
  /** Unmounts and closes everything. */
  close(): Promise<void>;
}

interface Counters {
  renders: number;
  received: number;
}

/** The receiving component's common part: counts commits, resolves `done` when `count` reaches `expected`. */
function useProbe(counters: Counters, count: number, expected: number, resolve: () => void): void {
  useLayoutEffect(() => {
    counters.renders++;
  });
  useEffect(() => {
    if (count >= expected) resolve();
  }, [count, expected, resolve]);
}

export function mount(kind: ClientKind, options: MountOptions, container: HTMLElement): Mounted {
  const counters: Counters = { renders: 0, received: 0 };
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const { url, channel, expected } = options;
  const autoUrl = `${url}?auto=${encodeURIComponent(channel)}`;
  const Ctor = options.WebSocket;

  if (kind === 'ws') {
    const socket = new Ctor(autoUrl);
    socket.addEventListener('message', (event) => {
      JSON.parse(event.data as string);
      if (++counters.received === expected) resolve();
    });
    return {
      done,
      renders: () => 0,
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
      sockets.push(this);
    }
  } as typeof WebSocket;
  // react-use-websocket reads the global; the others get it passed as well.
  (globalThis as { WebSocket?: unknown }).WebSocket = Tracked;

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
      useProbe(counters, count, expected, resolve);
      return h('span', null, count);
    };
    element = h(Component);
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
            useProbe(counters, count, expected, resolve);
            return h('span', null, count);
          }
        : () => {
            const { events } = useServerEvents(channel, { max: 50, batchMs: options.batchMs ?? 0 });
            const last = events.at(-1) as { data: { i: number } } | undefined;
            const count = last ? last.data.i + 1 : 0;
            useEffect(() => client!.channel(channel).subscribe(() => void counters.received++), []);
            useProbe(counters, count, expected, resolve);
            return h('ul', null, events.length);
          };
    element = h(RealtimeProvider, { client }, h(Component));
  } else if (kind === 'react-use-websocket') {
    const Component = () => {
      const [count, setCount] = useState(0);
      useReactUseWebSocket(autoUrl, {
        onMessage: (event: MessageEvent) => {
          JSON.parse(event.data as string);
          counters.received++;
          setCount((c) => c + 1);
        },
      });
      useProbe(counters, count, expected, resolve);
      return h('span', null, count);
    };
    element = h(Component);
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
      useProbe(counters, count, expected, resolve);
      return h('span', null, count);
    };
    element = h(Component);
  }
  const root: Root = createRoot(container);
  root.render(element);
  return {
    done,
    renders: () => counters.renders,
    received: () => counters.received,
    async close() {
      root.unmount();
      client?.destroy();
      await Promise.all(sockets.map(waitClosed));
    },
  };
}

function waitClosed(socket: WebSocket): Promise<void> {
  if (socket.readyState === 3) return Promise.resolve();
  return new Promise((resolve) => socket.addEventListener('close', () => resolve()));
}
