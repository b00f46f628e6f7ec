import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { jsonCodec, websocket } from '../src/transports/websocket.js';
import { httpServer, onCleanup, testClient, waitFor } from './net-helpers.js';

const WS = WebSocket;

/** A `ws` server on 127.0.0.1 (port 0) whose behaviour each test scripts. */
async function wsServer(onConnection: (socket: WebSocket, frames: unknown[]) => void) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    sockets.add(socket);
    const frames: unknown[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    onConnection(socket, frames);
  });
  onCleanup(async () => {
    for (const s of sockets) s.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, sockets };
}

const welcome = (socket: WebSocket, extra = {}) =>
  socket.send(JSON.stringify({ type: 'welcome', v: 1, session: 's1', member: 'm1', heartbeatMs: 25_000, limits: { maxFrameBytes: 1024, maxChannels: 10, messagesPerSecond: 10 }, ...extra }));

describe('websocket() with a codec: an existing server with its own JSON, no server kit', () => {
  it('subscribes with its frames, reads {channel, event, payload}, publishes without acks', async () => {
    const received: unknown[] = [];
    const { url } = await wsServer((socket, frames) => {
      socket.on('message', () => {
        const frame = frames[frames.length - 1] as { type: string; channel: string };
        received.push(frame);
        if (frame.type === 'subscribe') socket.send(JSON.stringify({ channel: frame.channel, event: 'greeting', payload: { text: `welcome to ${frame.channel}` } }));
      });
    });
    const transport = websocket({ url, WebSocket: WS, codec: jsonCodec() });
    expect(transport.name).toBe('websocket(json)');
    expect(transport.capabilities).toMatchObject({ publish: 'native', acks: false, presence: false, resume: false });
    const { client, errors } = testClient({ transport });
    const got: unknown[] = [];
    client.channel('lobby').on('greeting', (data) => got.push(data));
    await waitFor(() => got.length === 1, 'greeting');
    expect(got).toEqual([{ text: 'welcome to lobby' }]);
    expect(client.channel('lobby').status.getSnapshot().status).toBe('subscribed');
    expect(await client.publish('lobby', 'chat', { text: 'hi' })).toMatchObject({ status: 'sent' });
    await waitFor(() => received.length === 2, 'publish frame');
    expect(received).toEqual([
      { type: 'subscribe', channel: 'lobby' },
      { type: 'publish', channel: 'lobby', event: 'chat', payload: { text: 'hi' } },
    ]);
    expect(() => client.channel('lobby').presence).toThrow(/presence/);
    expect(errors).toEqual([]);
  });

  it('takes custom frames both ways, ignores what parse rejects and reports what it cannot read', async () => {
    const { url, sockets } = await wsServer(() => {});
    const transport = websocket({
      url,
      WebSocket: WS,
      codec: jsonCodec({
        subscribe: (channel) => ({ action: 'join', room: channel }),
        publish: false,
        parse: (frame) => {
          const f = frame as { room?: string; kind?: string; body?: unknown; seq?: number };
          if (f.kind === 'explode') throw new Error('unreadable');
          return f.room ? { channel: f.room, event: f.kind ?? 'message', data: f.body, ...(f.seq === undefined ? {} : { id: String(f.seq) }) } : null;
        },
      }),
    });
    expect(transport.capabilities.publish).toBe(false);
    const { client, errors } = testClient({ transport });
    const got: unknown[] = [];
    client.channel('r1').subscribe((m) => got.push(m.data));
    await waitFor(() => sockets.size === 1 && client.channel('r1').status.getSnapshot().status === 'subscribed', 'subscribed');
    const [socket] = [...sockets];
    socket!.send(JSON.stringify({ hello: 'ignored' }));
    socket!.send('not json');
    socket!.send(JSON.stringify({ room: 'r1', kind: 'explode' }));
    socket!.send(JSON.stringify({ room: 'r1', kind: 'message', body: 1, seq: 1 }));
    socket!.send(JSON.stringify({ room: 'r1', kind: 'message', body: 1, seq: 1 })); // duplicate id
    socket!.send(JSON.stringify({ room: 'r1', kind: 'message', body: 2, seq: 2 }));
    await waitFor(() => got.length === 2, 'two messages');
    expect(got).toEqual([1, 2]);
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_FRAME']);
    expect(() => client.publish('r1', 'e', 1)).toThrow(/publish/);
  });

  it('a foreign server that stays silent is not declared dead (no ping, no deadline)', async () => {
    const { url } = await wsServer(() => {});
    const { client } = testClient({ transport: websocket({ url, WebSocket: WS, codec: jsonCodec() }), heartbeat: { timeoutMs: 50, graceMs: 10 } });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const since = Date.now();
    await waitFor(() => Date.now() - since > 200 || client.getSnapshot().status !== 'connected', 'time passes');
    expect(client.getSnapshot().status).toBe('connected');
  });
});

describe('websocket(): the native protocol, edge cases', () => {
  it('sends hello with the token, opens on welcome, answers pings', async () => {
    const seen: unknown[][] = [];
    const { url, sockets } = await wsServer((socket, frames) => {
      seen.push(frames);
      socket.once('message', () => welcome(socket));
    });
    const { client } = testClient({ transport: websocket({ url, WebSocket: WS }), auth: () => 'tok-1' });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    expect(client.getSnapshot().sessionId).toBe('s1');
    expect(seen[0]).toEqual([{ type: 'hello', v: 1, token: 'tok-1' }]);
    [...sockets][0]!.send(JSON.stringify({ type: 'ping', id: 'p1' }));
    await waitFor(() => seen[0]!.length === 2, 'pong');
    expect(seen[0]![1]).toEqual({ type: 'pong', id: 'p1' });
  });

  it('fails with PROTOCOL_ERROR when the server speaks another version or skips the welcome', async () => {
    const { url } = await wsServer((socket) => socket.once('message', () => welcome(socket, { v: 2 })));
    const a = testClient({ transport: websocket({ url, WebSocket: WS }) });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().status === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('version 2') });
    const rude = await wsServer((socket) => socket.once('message', () => socket.send(JSON.stringify({ type: 'ack', id: 'x' }))));
    const b = testClient({ transport: websocket({ url: rude.url, WebSocket: WS }) });
    b.client.connect();
    await waitFor(() => b.client.getSnapshot().status === 'failed', 'failed');
    expect(b.client.getSnapshot().lastError?.message).toContain('expected welcome');
  });

  it('fails with a clear PROTOCOL_ERROR when there is no WebSocket implementation', async () => {
    const { client } = testClient({ transport: websocket({ url: 'ws://127.0.0.1:1/x', WebSocket: undefined }) });
    const original = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      client.connect();
      await waitFor(() => client.getSnapshot().status === 'failed', 'failed');
    } finally {
      if (original) (globalThis as { WebSocket?: unknown }).WebSocket = original;
    }
    expect(client.getSnapshot().lastError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('pass `WebSocket`') });
  });

  it('maps a refused handshake onto the HTTP fatal rules (401 → refresh once → failed; 403 → failed)', async () => {
    let status = 401;
    const { server, url } = await httpServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (_req, socket) => socket.end(`HTTP/1.1 ${status} No\r\nContent-Length: 0\r\n\r\n`));
    let calls = 0;
    const a = testClient({ transport: websocket({ url, WebSocket: WS }), auth: () => `t${++calls}` });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().status === 'failed', 'failed');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
    expect(calls).toBe(2);
    status = 403;
    const b = testClient({ transport: websocket({ url, WebSocket: WS }) });
    b.client.connect();
    await waitFor(() => b.client.getSnapshot().status === 'failed', 'failed');
    expect(b.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { status: 403 } });
  });

  it('maps close codes: 4003 → failed (FORBIDDEN), 1012 → reconnecting', async () => {
    let code = 1012;
    const { url } = await wsServer((socket) => socket.once('message', () => socket.close(code)));
    const a = testClient({ transport: websocket({ url, WebSocket: WS }) });
    a.client.connect();
    await waitFor(() => a.client.getSnapshot().status === 'connecting' && a.client.getSnapshot().attempt >= 1, 'retrying');
    expect(a.client.getSnapshot().lastError).toMatchObject({ code: 'CONNECTION_LOST', details: { closeCode: 1012 } });
    code = 4003;
    const b = testClient({ transport: websocket({ url, WebSocket: WS }) });
    b.client.connect();
    await waitFor(() => b.client.getSnapshot().status === 'failed', 'failed');
    expect(b.client.getSnapshot().lastError).toMatchObject({ code: 'FORBIDDEN', details: { closeCode: 4003 } });
  });

  it('abandons an attempt that never gets a welcome (connect timeout) and retries', async () => {
    let connections = 0;
    const { url } = await wsServer(() => connections++);
    const { client } = testClient({ transport: websocket({ url, WebSocket: WS, connectTimeoutMs: 50 }) });
    client.connect();
    await waitFor(() => connections >= 2, 'a second attempt');
    expect(client.getSnapshot().lastError?.message).toContain('timeout');
  });

  it('reports binary and oversized frames and drops them; the connection stays', async () => {
    const { url, sockets } = await wsServer((socket) => socket.once('message', () => welcome(socket)));
    const { client, errors } = testClient({ transport: websocket({ url, WebSocket: WS, maxFrameBytes: 200 }) });
    const got: unknown[] = [];
    client.channel('c').subscribe((m) => got.push(m.data));
    await waitFor(() => sockets.size === 1 && client.getSnapshot().status === 'connected', 'connected');
    const socket = [...sockets][0]!;
    socket.send(Buffer.from([1, 2]), { binary: true });
    socket.send(JSON.stringify({ type: 'message', channel: 'c', event: 'e', data: 'x'.repeat(300), offset: 'e.1' }));
    socket.send(JSON.stringify({ type: 'subscribed', channel: 'c', resumed: false, cursor: null }));
    socket.send(JSON.stringify({ type: 'message', channel: 'c', event: 'e', data: 'ok', offset: 'e.2' }));
    await waitFor(() => got.length === 1, 'the small message');
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'FRAME_TOO_LARGE']);
    expect(client.getSnapshot().status).toBe('connected');
  });

  it("nacks a publish larger than the server's announced limit without sending it", async () => {
    const frames: unknown[][] = [];
    const { url } = await wsServer((socket, f) => {
      frames.push(f);
      socket.once('message', () => welcome(socket));
    });
    const { client } = testClient({ transport: websocket({ url, WebSocket: WS }) });
    client.connect();
    await waitFor(() => client.getSnapshot().status === 'connected', 'connected');
    const error = await client.publish('c', 'e', 'x'.repeat(2000)).catch((e: unknown) => e as { code: string; details: { messageId?: string } });
    expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { messageId: expect.any(String) } });
    expect(frames[0]).toEqual([{ type: 'hello', v: 1 }]);
  });

  it('converts http(s) and relative URLs to ws(s)', async () => {
    const urls: string[] = [];
    class Recorder {
      readyState = 0;
      constructor(url: string) {
        urls.push(url);
      }
      send() {}
      close() {}
      addEventListener() {}
      removeEventListener() {}
    }
    const transport = websocket({ url: 'https://example.com/realtime', WebSocket: Recorder });
    const handler = { open() {}, close() {}, activity() {}, message() {}, subscribed() {}, subscribeFailed() {}, discontinuity() {}, ack() {}, nack() {}, presence() {}, error() {} };
    transport.open(handler, { credentials: undefined, attempt: 1 }).close();
    expect(urls).toEqual(['wss://example.com/realtime']);
  });
});
