import {
  HEADERS,
  PROTOCOL_VERSION,
  QUERY,
  decodeCursorList,
  encodeCursorList,
  fromEntityTag,
  isPresenceChannel,
  isPrivateChannel,
  toEntityTag,
  type CursorItem,
  type MessageFrame,
  type PollResponse,
  type PresenceSyncFrame,
  type RefusedFrame,
  type SubscribedFrame,
} from '@switchboard/core/protocol';
import { presenceUserId } from '../auth.js';
import type { BrokerMessage } from '../broker.js';
import type { Hub } from '../hub.js';
import { authFailure, bearerToken, channelAuthHeader, json, requestedChannels, type RequestedChannel } from './request.js';

export interface PollOptions {
  /** Longest long-poll wait granted. Default 25 s. */
  maxWaitMs?: number;
}

interface ChannelResult {
  readonly frame: SubscribedFrame | RefusedFrame;
  readonly messages: readonly BrokerMessage[];
  readonly item: CursorItem;
  readonly presence?: PresenceSyncFrame & { version: number };
  readonly changed: boolean;
}

/**
 * Answers one poll: every `channel` of the query from the cursors in `If-None-Match` (the `ETag` of
 * the previous answer). `304 Not Modified` when nothing changed; with `wait=<s>` the request is held
 * until something does (long poll). Stateless: any instance can answer any poll.
 */
export async function poll(hub: Hub, request: Request, url: URL, options: PollOptions): Promise<Response> {
  const auth = await hub.authenticate({ token: bearerToken(request.headers), headers: request.headers, transport: 'polling' });
  if (!auth.ok) return authFailure(auth.code);
  const session = hub.sessionId(url.searchParams.get(QUERY.session));
  const channels = requestedChannels(url, hub.limits);
  // If-None-Match: "what I have" (conditional: 304 when nothing is new). Last-Event-ID: the same
  // cursor list, unconditional (the first poll of a connection, which needs the welcome).
  const conditional = fromEntityTag(request.headers.get('if-none-match'));
  const items = decodeCursorList(conditional ?? request.headers.get('last-event-id'), channels.length);
  const signatures = channelAuthHeader(request.headers);
  const served = channels.filter((c) => !c.refused && allowed(hub, session, c, signatures));
  await hub.broker.presenceTouch(session, served.map((c) => c.channel), hub.presenceTimeoutMs);

  const waitMs = Math.min(Math.max(Number(url.searchParams.get(QUERY.wait)) || 0, 0) * 1000, options.maxWaitMs ?? 25_000);
  const waiter = waitMs > 0 && served.length > 0 && conditional !== null ? await changes(hub, served.map((c) => c.channel), request.signal) : null;
  try {
    let results = await collect(hub, session, channels, items, signatures);
    if (waiter && conditional !== null && items !== null && !results.some((r) => r.changed)) {
      await waiter.wait(waitMs);
      results = await collect(hub, session, channels, items, signatures);
    }
    const etag = toEntityTag(encodeCursorList(results.map((r) => r.item)));
    // 304 only for a client that said what it has (If-None-Match) and is up to date.
    if (conditional !== null && items !== null && !results.some((r) => r.changed)) {
      return new Response(null, { status: 304, headers: { etag, 'cache-control': 'private, no-cache', [HEADERS.session]: session } });
    }
    for (const r of results) if (r.frame.type === 'refused') hub.countFrame(r.frame);
    const body: PollResponse = {
      v: PROTOCOL_VERSION,
      welcome: {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        session,
        member: auth.identity.userId ?? session,
        // No heartbeat on polling: every poll has its own timeout on the client.
        heartbeatMs: 0,
        limits: hub.limits,
      },
      channels: results.map((r) => r.frame),
      messages: results.flatMap((r) => r.messages.map(toFrame)),
      presence: results.flatMap((r) => (r.presence ? [r.presence] : [])),
    };
    hub.metrics.messagesOut += body.messages.length;
    return json(200, body, { etag, 'cache-control': 'private, no-cache', [HEADERS.session]: session });
  } finally {
    waiter?.stop();
  }
}

function allowed(hub: Hub, session: string, c: RequestedChannel, signatures: ReturnType<typeof channelAuthHeader>): boolean {
  if (!isPrivateChannel(c.channel)) return true;
  const signature = signatures.get(c.channel);
  if (!hub.verify(session, c.channel, signature?.auth, signature?.channelData)) return false;
  return !isPresenceChannel(c.channel) || presenceUserId(signature?.channelData) !== null;
}

async function collect(
  hub: Hub,
  session: string,
  channels: readonly RequestedChannel[],
  items: readonly CursorItem[] | null,
  signatures: ReturnType<typeof channelAuthHeader>,
): Promise<ChannelResult[]> {
  return Promise.all(
    channels.map(async (c): Promise<ChannelResult> => {
      const requested = items?.[c.index] ?? { cursor: null };
      if (c.refused || !allowed(hub, session, c, signatures)) {
        const refused = c.refused ?? {
          code: hub.secret === undefined ? 'CHANNEL_REFUSED' : 'UNAUTHORIZED',
          message: hub.secret === undefined ? 'This server has no secret: private channels are disabled.' : `Invalid or missing signature for ${c.channel}.`,
        };
        return { frame: { type: 'refused', channel: c.channel, ...refused }, messages: [], item: requested, changed: true };
      }
      const [history, presence] = await Promise.all([hub.broker.history(c.channel, requested.cursor), hub.broker.presenceList(c.channel)]);
      const last = history.messages[history.messages.length - 1];
      const cursor = last ? last.offset : history.resumed ? requested.cursor : history.head;
      const presenceChanged = presence.version !== (requested.presence ?? 0);
      const fresh = requested.cursor === null || !history.resumed;
      return {
        frame: { type: 'subscribed', channel: c.channel, resumed: history.resumed, cursor: history.resumed ? requested.cursor : (history.from ?? history.head) },
        messages: history.messages,
        item: { cursor, ...(presence.version > 0 || requested.presence !== undefined ? { presence: presence.version } : {}) },
        ...(presenceChanged ? { presence: { type: 'presence', channel: c.channel, action: 'sync', members: presence.members, version: presence.version } as const } : {}),
        changed: fresh || history.messages.length > 0 || presenceChanged,
      };
    }),
  );
}

/** Resolves `wait(ms)` early when anything happens on one of the channels. */
async function changes(hub: Hub, channels: readonly string[], signal: AbortSignal): Promise<{ wait(ms: number): Promise<void>; stop(): void }> {
  let wake: (() => void) | null = null;
  let happened = false;
  const onEvent = () => {
    happened = true;
    wake?.();
  };
  const offs = await Promise.all(channels.map((channel) => hub.broker.subscribe(channel, onEvent)));
  return {
    wait: (ms) =>
      new Promise<void>((resolve) => {
        if (happened || signal.aborted) return resolve();
        const timer = hub.clock.setTimeout(done, ms);
        function done() {
          hub.clock.clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = null;
          resolve();
        }
        wake = done;
        signal.addEventListener('abort', done);
      }),
    stop: () => {
      for (const off of offs) off();
    },
  };
}

function toFrame(message: BrokerMessage): MessageFrame {
  return {
    type: 'message',
    channel: message.channel,
    event: message.event,
    data: message.data,
    offset: message.offset,
    ts: message.ts,
    ...(message.clientMessageId === undefined ? {} : { clientMessageId: message.clientMessageId }),
  };
}
