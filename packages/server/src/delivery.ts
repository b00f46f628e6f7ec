import type { MessageFrame } from '@switchboard/core/protocol';
import type { BrokerEvent, BrokerMessage } from './broker.js';
import type { HubSession, Subscription } from './session.js';

/**
 * Delivers one broker event to one subscribed session: a message as its `message` frame — one frame
 * object per message, shared by every subscriber, so a transport can encode it once — presence
 * changes newer than what the session has, a full member list after the broker resynced, and a
 * `reset` as a dropped connection (the client resumes from its own cursors).
 */
export function deliver(session: HubSession, sub: Subscription, frames: WeakMap<BrokerMessage, MessageFrame>, event: BrokerEvent): void {
  if (event.kind === 'message') {
    const { message } = event;
    let frame = frames.get(message);
    if (!frame) {
      frame = {
        type: 'message',
        channel: message.channel,
        event: message.event,
        data: message.data,
        offset: message.offset,
        ts: message.ts,
        ...(message.clientMessageId === undefined ? {} : { clientMessageId: message.clientMessageId }),
      };
      frames.set(message, frame);
    }
    session.send(frame);
  } else if (event.kind === 'presence') {
    if (event.version <= sub.presenceVersion) return;
    sub.presenceVersion = event.version;
    session.send({ type: 'presence', channel: event.channel, action: event.action, member: event.member });
  } else if (event.kind === 'sync') {
    if (event.version === sub.presenceVersion) return;
    sub.presenceVersion = event.version;
    session.send({ type: 'presence', channel: event.channel, action: 'sync', members: event.members });
  } else {
    session.drop();
  }
}
