import { createClient, type ClientOptions, type RealtimeClient, type RealtimeError, type Transport, type TransportConnection } from '@switchboard/core';
import { FaultProxy } from './proxy.js';
import type { ConformanceTarget, Peer, PeerOptions, TransportFactoryOptions } from './target.js';

export interface ClientFixtureOptions extends TransportFactoryOptions {
  /** Connect through a proxy of its own (to take this one client offline alone). */
  ownProxy?: boolean;
  /** Auth provider token. Default: the target's good token. */
  token?: string;
  client?: Partial<Omit<ClientOptions, 'transport'>>;
}

export interface ClientFixture {
  readonly client: RealtimeClient;
  readonly proxy: FaultProxy;
  /** Every `error` event the client reported. */
  readonly errors: RealtimeError[];
  /** Subscribe calls the core made on the wire, per channel (from a spy around the transport). */
  readonly wireSubscribes: Map<string, number>;
  /** Subscribes to a channel and collects the payloads it receives, in order. */
  listen(channel: string): unknown[];
}

/** Fast reconnects for tests: the policy is the same, only the numbers are smaller. */
export const TEST_BACKOFF = { baseMs: 50, capMs: 400, wakeJitterMs: 20 } as const;

/** One test's world: a peer, the default proxy in front of it, and the clients; `cleanup()` ends all. */
export class Harness {
  readonly proxies: FaultProxy[] = [];
  readonly fixtures: ClientFixture[] = [];

  private constructor(
    readonly target: ConformanceTarget,
    readonly peer: Peer,
    readonly proxy: FaultProxy,
  ) {}

  static async start(target: ConformanceTarget, options: Partial<PeerOptions> = {}): Promise<Harness> {
    const peer = await target.startPeer({ heartbeatMs: 5000, presenceTimeoutMs: 2000, ...options });
    const proxy = await FaultProxy.start(peer.port);
    const harness = new Harness(target, peer, proxy);
    harness.proxies.push(proxy);
    return harness;
  }

  async client(options: ClientFixtureOptions = {}): Promise<ClientFixture> {
    let proxy = this.proxy;
    if (options.ownProxy) {
      proxy = await FaultProxy.start(this.peer.port);
      this.proxies.push(proxy);
    }
    const wireSubscribes = new Map<string, number>();
    const transport = spy(this.target.createTransport(proxy.port, options), (channel) => wireSubscribes.set(channel, (wireSubscribes.get(channel) ?? 0) + 1));
    const token = options.token ?? this.target.goodToken;
    const client = createClient({
      transport,
      backoff: TEST_BACKOFF,
      ...(token === undefined ? {} : { auth: () => token }),
      ...options.client,
    });
    const errors: RealtimeError[] = [];
    client.on('error', (error) => errors.push(error));
    const fixture: ClientFixture = {
      client,
      proxy,
      errors,
      wireSubscribes,
      listen(channel) {
        const received: unknown[] = [];
        client.channel(channel).subscribe((message) => received.push(message.data));
        return received;
      },
    };
    this.fixtures.push(fixture);
    return fixture;
  }

  /** Kills the server; `restart()` brings it back and points every proxy at it. */
  kill(): Promise<void> {
    return this.peer.kill();
  }

  async restart(options?: { empty?: boolean }): Promise<void> {
    await this.peer.restart(options);
    for (const proxy of this.proxies) proxy.retarget(this.peer.port);
  }

  async cleanup(): Promise<void> {
    for (const fixture of this.fixtures.splice(0)) fixture.client.destroy();
    for (const proxy of this.proxies.splice(0)) await proxy.close();
    await this.peer.close();
  }
}

/** The transport, with every connection's `subscribe` reported to `onSubscribe`. */
function spy(transport: Transport, onSubscribe: (channel: string) => void): Transport {
  return {
    name: transport.name,
    capabilities: transport.capabilities,
    open(handler, context) {
      const conn = transport.open(handler, context);
      const { presence, ping } = conn;
      const wrapped: TransportConnection = {
        subscribe(channel, options) {
          onSubscribe(channel);
          conn.subscribe(channel, options);
        },
        unsubscribe: (channel) => conn.unsubscribe(channel),
        publish: (message) => conn.publish(message),
        close: () => conn.close(),
        ...(presence ? { presence: (channel: string, op: Parameters<typeof presence>[1]) => presence.call(conn, channel, op) } : {}),
        ...(ping ? { ping: () => ping.call(conn) } : {}),
      };
      return wrapped;
    },
  };
}
