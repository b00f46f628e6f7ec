/**
 * Test utilities for applications built on switchboard: a deterministic clock and a scriptable fake
 * transport with an in-memory server.
 *
 * @example
 * import { createTestClient, refuse, ACCEPT } from '@switchboard/core/testing';
 *
 * const { client, clock, transport, server } = createTestClient();
 * transport.script(refuse(1006), ACCEPT);
 * client.channel('room').subscribe(onMessage);
 * await clock.advance(1000);
 * server.publish('room', 'message', { text: 'hi' });
 * await clock.flush();
 */
import { createClient, type ClientOptions, type RealtimeClient } from '../client.js';
import type { AnySchema, ChannelSchema } from '../schema.js';
import { createFakeClock, type FakeClock, type FakeClockOptions } from './clock.js';
import { createFakeTransport, type FakeServer, type FakeTransport, type FakeTransportOptions } from './fake-transport.js';

export { createFakeClock, seededRandom, type FakeClock, type FakeClockOptions } from './clock.js';
export {
  ACCEPT,
  HANG,
  FakeConnection,
  FakeServer,
  FakeTransport,
  accept,
  blackHole,
  createFakeTransport,
  dropAfter,
  refuse,
  refuseHttp,
  type AckMode,
  type Behavior,
  type FakeServerOptions,
  type FakeTransportOptions,
  type ReceivedMessage,
  type WireOp,
} from './fake-transport.js';

export interface TestClient<S extends ChannelSchema = AnySchema> {
  client: RealtimeClient<S>;
  clock: FakeClock;
  transport: FakeTransport;
  server: FakeServer;
}

export interface TestClientOptions extends Partial<Omit<ClientOptions, 'transport' | 'platform'>> {
  clock?: FakeClock | FakeClockOptions;
  transport?: FakeTransport | FakeTransportOptions;
}

/** A client wired to a fake clock and a fake transport, ready for deterministic tests. */
export function createTestClient<S extends ChannelSchema = AnySchema>(options: TestClientOptions = {}): TestClient<S> {
  const { clock: clockOption, transport: transportOption, ...rest } = options;
  const clock = clockOption && 'advance' in clockOption ? clockOption : createFakeClock(clockOption);
  const transport =
    transportOption && 'server' in transportOption && transportOption instanceof Object && 'open' in transportOption
      ? (transportOption as FakeTransport)
      : createFakeTransport({ clock, ...(transportOption as FakeTransportOptions | undefined) });
  const client = createClient<S>({ idPrefix: 'test', ...rest, transport, platform: clock });
  return { client, clock, transport, server: transport.server };
}
