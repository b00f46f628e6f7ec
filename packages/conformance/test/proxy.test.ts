import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, waitFor } from '../src/index.js';

let echo: Server | null = null;
let proxy: FaultProxy | null = null;
const sockets: Socket[] = [];

/** A TCP echo server on 127.0.0.1: what the proxy forwards to. */
async function echoServer(): Promise<number> {
  echo = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve));
  return (echo.address() as AddressInfo).port;
}

function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let closed = false;
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  return { socket, received: () => received, closed: () => closed };
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
  proxy = null;
  echo = null;
});

describe('FaultProxy', () => {
  it('passes bytes both ways', async () => {
    proxy = await FaultProxy.start(await echoServer());
    const c = client(proxy.port);
    c.socket.write('hello');
    await waitFor(() => c.received() === 'hello', 'echo');
    expect(proxy.connections).toBe(1);
  });

  it('cut() drops every open connection', async () => {
    proxy = await FaultProxy.start(await echoServer());
    const c = client(proxy.port);
    await waitFor(() => proxy!.connections === 1, 'connected');
    proxy.cut();
    await waitFor(() => c.closed(), 'closed');
    expect(proxy.connections).toBe(0);
  });

  it('refuse() resets new connections; heal() lets them through again', async () => {
    proxy = await FaultProxy.start(await echoServer());
    proxy.refuse();
    const refused = client(proxy.port);
    await waitFor(() => refused.closed(), 'reset');
    proxy.heal();
    const ok = client(proxy.port);
    ok.socket.write('back');
    await waitFor(() => ok.received() === 'back', 'echo after heal');
  });

  it('blackHole() lets nothing through and closes nothing', async () => {
    proxy = await FaultProxy.start(await echoServer());
    const c = client(proxy.port);
    c.socket.write('a');
    await waitFor(() => c.received() === 'a', 'first echo');
    proxy.blackHole();
    c.socket.write('b');
    const since = Date.now();
    await waitFor(() => Date.now() - since > 100, 'time passes');
    expect(c.received()).toBe('a');
    expect(c.closed()).toBe(false);
    for (const s of sockets.slice(1)) s.end(); // the server side ends: not propagated either
    await waitFor(() => Date.now() - since > 150, 'time passes');
    expect(c.closed()).toBe(false);
  });

  it('delay() adds latency without reordering', async () => {
    proxy = await FaultProxy.start(await echoServer());
    const c = client(proxy.port);
    await waitFor(() => proxy!.connections === 1, 'connected');
    proxy.delay(40);
    const sent = Date.now();
    for (const ch of 'abcdef') c.socket.write(ch);
    await waitFor(() => c.received() === 'abcdef', 'all echoed in order');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(40);
  });

  it('corrupt() replaces the next server→client match once, keeping the length', async () => {
    proxy = await FaultProxy.start(await echoServer());
    expect(() => proxy!.corrupt('ab', 'abc')).toThrow(/same byte length/);
    proxy.corrupt('"ok"', '!ok"');
    const c = client(proxy.port);
    c.socket.write('{"x":"ok"}');
    await waitFor(() => c.received().length === 10, 'echo');
    c.socket.write('{"x":"ok"}');
    await waitFor(() => c.received().length === 20, 'second echo');
    expect(c.received()).toBe('{"x":!ok"}{"x":"ok"}');
    expect(proxy.corrupted).toBe(1);
  });

  it('retarget() sends new connections to another server; none listening means reset', async () => {
    proxy = await FaultProxy.start(null);
    const nowhere = client(proxy.port);
    await waitFor(() => nowhere.closed(), 'reset without a target');
    proxy.retarget(await echoServer());
    const c = client(proxy.port);
    c.socket.write('x');
    await waitFor(() => c.received() === 'x', 'echo via the new target');
  });
});
