import WebSocket from 'ws';

/** How a client's socket hands messages to JavaScript. */
export type DeliveryMode = 'batch' | 'task';

export const DELIVERY_MODES: readonly DeliveryMode[] = ['batch', 'task'];

export const MODE_TEXT: Record<DeliveryMode, string> = {
  batch: 'all messages of a TCP read in one task (ws allowSynchronousEvents: true, what ws and browsers do under load)',
  task: 'one task per message (ws allowSynchronousEvents: false: each message in its own setImmediate)',
};

export interface SocketHooks {
  /** Called with every socket created (an attempt). */
  onCreate?: (socket: WebSocket) => void;
}

/**
 * A browser-shaped `WebSocket` constructor (`new WebSocket(url, protocols?)`) backed by `ws`, with the
 * delivery mode fixed and per-message deflate off. Installed as `globalThis.WebSocket` and passed to
 * the libraries that take one, so every contender uses the same implementation.
 */
export function benchWebSocket(mode: DeliveryMode, hooks: SocketHooks = {}): typeof WebSocket {
  const sync = mode === 'batch';
  return class BenchWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: false, allowSynchronousEvents: sync });
      hooks.onCreate?.(this);
    }
    // Browser-shaped (url, protocols): typed as `ws`'s class, whose third argument it fixes itself.
  } as unknown as typeof WebSocket;
}

/**
 * Counts arrival batches on a socket: messages delivered in one task (before the microtask
 * checkpoint that follows it) are one batch.
 */
export function countBatches(socket: WebSocket, counter: { batches: number; messages: number }): void {
  let open = false;
  socket.addEventListener('message', () => {
    counter.messages++;
    if (open) return;
    open = true;
    counter.batches++;
    queueMicrotask(() => {
      open = false;
    });
  });
}

export function installWebSocket(ctor: typeof WebSocket): void {
  (globalThis as { WebSocket?: unknown }).WebSocket = ctor;
}
