import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type InferSchema, type Message, type PresenceSnapshot, type PublishResult } from '../src/index.js';
import { createFakeTransport } from '../src/testing/index.js';

type Schema = {
  [room: `room:${string}`]: {
    message: { text: string; author: string };
    typing: { userId: string };
    $presence: { name: string; cursor: { x: number; y: number } | null };
  };
  notifications: { notification: { title: string; read: boolean } };
};

const client = createClient<Schema>({ transport: createFakeTransport() });

describe('typed event maps', () => {
  it('types channel names, event names and payloads', () => {
    const room = client.channel('room:42');
    expectTypeOf(room.name).toEqualTypeOf<'room:42'>();
    room.on('message', (data, message) => {
      expectTypeOf(data).toEqualTypeOf<{ text: string; author: string }>();
      expectTypeOf(message).toEqualTypeOf<Message<'message', { text: string; author: string }>>();
    });
    expectTypeOf(room.publish('typing', { userId: 'u1' })).toEqualTypeOf<Promise<PublishResult>>();
    expectTypeOf(client.publish('notifications', 'notification', { title: 't', read: false })).toEqualTypeOf<Promise<PublishResult>>();

    // @ts-expect-error unknown channel
    client.channel('lobby');
    // @ts-expect-error unknown event
    room.on('mesage', () => {});
    // @ts-expect-error wrong payload shape
    void room.publish('message', { text: 1 });
    // @ts-expect-error missing field
    void room.publish('message', { text: 'hi' });
    // @ts-expect-error the presence slot is not an event
    void room.publish('$presence', { name: 'a', cursor: null });
    // @ts-expect-error wrong event for that channel
    void client.publish('notifications', 'typing', { userId: 'u' });
  });

  it('narrows subscribe() messages by event', () => {
    client.channel('room:1').subscribe((message) => {
      if (message.event === 'typing') expectTypeOf(message.data).toEqualTypeOf<{ userId: string }>();
      else expectTypeOf(message.data).toEqualTypeOf<{ text: string; author: string }>();
    });
  });

  it('types presence data from $presence', () => {
    const presence = client.channel('room:1').presence;
    expectTypeOf(presence.getSnapshot()).toEqualTypeOf<PresenceSnapshot<{ name: string; cursor: { x: number; y: number } | null }>>();
    presence.update({ name: 'a', cursor: { x: 1, y: 2 } });
    // @ts-expect-error wrong presence shape
    presence.update({ name: 'a' });
  });

  it('without a schema, anything goes with unknown payloads', () => {
    const loose = createClient({ transport: createFakeTransport() });
    loose.channel('anything').on('whatever', (data) => expectTypeOf(data).toEqualTypeOf<unknown>());
    void loose.publish('a', 'b', { any: 'thing' });
  });

  it('infers a schema from Standard Schema validators', () => {
    type V = {
      'room:*': { message: StandardSchemaV1<unknown, { text: string }> };
      feed: { item: StandardSchemaV1<unknown, number> };
    };
    type S = InferSchema<V>;
    expectTypeOf<S['room:1']['message']>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<S['feed']['item']>().toEqualTypeOf<number>();
  });
});
