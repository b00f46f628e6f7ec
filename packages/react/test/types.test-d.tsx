import type { PresenceMember, PublishResult } from '@switchboard/core';
import { createFakeTransport } from '@switchboard/core/testing';
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, createRealtime, RealtimeProvider, useChannel as untypedUseChannel } from '../src/index.js';

type Schema = {
  [room: `room:${string}`]: {
    message: { text: string };
    typing: { userId: string };
    $presence: { name: string; cursor: { x: number; y: number } | null };
  };
  notifications: { notification: { title: string } };
};

const { useChannel, useEvent, usePublish, usePresence, useServerEvents, RealtimeProvider: TypedProvider } = createRealtime<Schema>();
const client = createClient<Schema>({ transport: createFakeTransport() });

describe('createRealtime<Schema>()', () => {
  it('types useChannel messages and publish', () => {
    const { publish } = useChannel('room:1', {
      onMessage: (message) => {
        if (message.event === 'message') expectTypeOf(message.data).toEqualTypeOf<{ text: string }>();
        else expectTypeOf(message.data).toEqualTypeOf<{ userId: string }>();
      },
    });
    expectTypeOf(publish('message', { text: 'hi' })).toEqualTypeOf<Promise<PublishResult>>();
    // @ts-expect-error wrong event name
    void publish('mesage', { text: 'hi' });
    // @ts-expect-error wrong payload shape
    void publish('message', { text: 1 });
    // @ts-expect-error unknown channel
    useChannel('lobby');
  });

  it('types useEvent and usePublish', () => {
    useEvent('room:2', 'typing', (data) => expectTypeOf(data).toEqualTypeOf<{ userId: string }>());
    // @ts-expect-error no such event on notifications
    useEvent('notifications', 'typing', () => {});
    const { publish } = usePublish('notifications');
    void publish('notification', { title: 't' });
    // @ts-expect-error missing title
    void publish('notification', {});
  });

  it('types presence data, members and selectors', () => {
    const { members, update } = usePresence('room:3', { name: 'me', cursor: null });
    expectTypeOf(members).toEqualTypeOf<readonly PresenceMember<{ name: string; cursor: { x: number; y: number } | null }>[]>();
    update({ name: 'me', cursor: { x: 1, y: 2 } });
    // @ts-expect-error wrong presence shape
    usePresence('room:3', { name: 1, cursor: null });
    const { selected } = usePresence('room:3', undefined, { select: (s) => s.members.length });
    expectTypeOf(selected).toEqualTypeOf<number>();
  });

  it('types useServerEvents events and filters', () => {
    const { events } = useServerEvents('notifications', { events: ['notification'] });
    expectTypeOf(events[0]!.data).toEqualTypeOf<{ title: string }>();
    // @ts-expect-error unknown event in the filter
    useServerEvents('notifications', { events: ['nope'] });
    const fromUrl = useServerEvents({ url: '/api/feed' }, { max: 5 });
    expectTypeOf(fromUrl.events[0]!.data).toEqualTypeOf<unknown>();
  });

  it('providers accept a typed client', () => {
    void (<TypedProvider client={client}>{null}</TypedProvider>);
    void (<RealtimeProvider client={client}>{null}</RealtimeProvider>);
  });

  it('untyped hooks accept anything', () => {
    untypedUseChannel('whatever', { onMessage: (m) => expectTypeOf(m.data).toEqualTypeOf<unknown>() });
  });
});
