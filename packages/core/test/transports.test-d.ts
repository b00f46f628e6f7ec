import { describe, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import type { Transport } from '../src/index.js';
import { polling } from '../src/transports/polling.js';
import { sse } from '../src/transports/sse.js';
import { jsonCodec, websocket, type WebSocketConstructor } from '../src/transports/websocket.js';

describe('transport options', () => {
  it("accepts ws's WebSocket and the browser's as the WebSocket implementation", () => {
    // No cast needed for either.
    const fromWs: WebSocketConstructor = WebSocket;
    const fromBrowser: WebSocketConstructor = globalThis.WebSocket;
    expectTypeOf(fromWs).toEqualTypeOf<WebSocketConstructor>();
    expectTypeOf(fromBrowser).toEqualTypeOf<WebSocketConstructor>();
    expectTypeOf(websocket({ url: 'ws://x', WebSocket, codec: jsonCodec() })).toEqualTypeOf<Transport>();
  });

  it('every factory returns a Transport', () => {
    expectTypeOf(sse({ url: '/rt', headers: async () => ({ 'x-a': '1' }) })).toEqualTypeOf<Transport>();
    expectTypeOf(polling({ url: () => '/rt', longPoll: { waitMs: 10_000 } })).toEqualTypeOf<Transport>();
    // @ts-expect-error: intervalMs is a number
    polling({ url: '/rt', intervalMs: '5s' });
  });
});
