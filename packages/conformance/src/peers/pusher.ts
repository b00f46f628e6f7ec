import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionId, presenceUserId, safeEqual, verifyChannelAuth, type AuthHandlerOptions } from '@switchboard/server';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Peer, PeerOptions } from '../target.js';
import { createPusherApp, signUser } from './pusher-app.js';

/**
 * A test peer that speaks the Pusher Channels WebSocket protocol (version 7) on 127.0.0.1, port 0, so
 * the real pusher-js client can be tested against it: `pusher:connection_established`, subscribe →
 * `pusher_internal:subscription_succeeded` (presence with the member hash), private/presence signatures
 * checked with Pusher's HMAC scheme, member_added/removed, client events (`client-*`, stamped with
 * `user_id` on presence channels, rate limited), ping/pong with the pong deadline (4201), user sign-in,
 * and `pusher:error` codes. The same port serves the app's HTTP side (see `pusher-app.ts`).
 */
export interface PusherPeerOptions extends Partial<PeerOptions> {
  readonly key?: string;
  readonly secret?: string;
  /** Channel authorisation of the app. Default: channels containing `denied` refused; presence user id = socket id. */
  readonly authorize?: AuthHandlerOptions['authorize'];
  /** User authentication of the app. Default: the bearer token `expired-token` refused, user id = socket id. */
  readonly authenticateUser?: (token: string | undefined, socketId: string) => { id: string; info?: unknown } | null;
  readonly publishStatus?: (channel: string, event: string) => number;
  /** Client events a connection may send per second (Pusher: 10). */
  readonly clientEventsPerSecond?: number;
  /** Largest client event payload (Pusher: 10 KiB). */
  readonly maxEventBytes?: number;
}

export interface PusherPeer extends Peer {
  readonly key: string;
  readonly secret: string;
  /** WebSocket connections accepted since the start. */
  readonly accepted: number;
  /** Every client frame received (parsed), oldest first. */
  readonly received: ReadonlyArray<{ readonly event: string; readonly channel?: string; readonly data?: unknown }>;
  /** Sends a raw text frame to every connection. */
  sendRaw(text: string): void;
  /** Sends `pusher:error` to every connection; closes them with `code` too when `close` (default for 4000-4299). */
  error(code: number | null, message: string, close?: boolean): void;
  /** The next `count` handshakes get `pusher:error` with this code and a close, instead of a session. */
  refuseHandshakes(code: number, message: string, count?: number): void;
  /** The next `count` handshakes get this raw text instead of `pusher:connection_established` (and stay open). */
  replaceHandshakes(text: string, count?: number): void;
  /** User ids present on a presence channel. */
  members(channel: string): string[];
}

export const PUSHER_KEY = 'conformance-key';
export const PUSHER_SECRET = 'conformance-pusher-secret';
export const REFUSED_USER_TOKEN = 'expired-token';

interface Client {
  readonly ws: WebSocket;
  readonly socketId: string;
  lastSeen: number;
  pingSentAt: number | null;
  userId: string | null;
  readonly channels: Map<string, { userId: string | null }>;
  readonly clientEvents: number[];
}

const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]{1,164}$/;
const isPrivate = (channel: string) => channel.startsWith('private-') || channel.startsWith('presence-');

export async function startPusherPeer(options: PusherPeerOptions = {}): Promise<PusherPeer> {
  const key = options.key ?? PUSHER_KEY;
  const secret = options.secret ?? PUSHER_SECRET;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const clients = new Set<Client>();
  const members = new Map<string, Map<string, { info: unknown; sockets: Set<Client> }>>();
  const subscribes = new Map<string, number>();
  const received: Array<{ event: string; channel?: string; data?: unknown }> = [];
  let refusals: { code: number; message: string; count: number } | null = null;
  let replacements: { text: string; count: number } | null = null;
  let accepted = 0;

  const send = (client: Client, frame: object) => {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(frame));
  };
  const fail = (client: Client, code: number | null, message: string, close = code !== null && code >= 4000 && code < 4300) => {
    send(client, { event: 'pusher:error', data: { code, message } });
    if (close && code !== null) client.ws.close(code, message);
  };

  /** Server events carry their data JSON-encoded (as Pusher's HTTP API delivers it). */
  const publish = (channel: string, event: string, data: unknown, except?: Client) => broadcast(channel, { event, channel, data: JSON.stringify(data) }, except);
  const broadcast = (channel: string, frame: object, except?: Client) => {
    for (const client of clients) if (client !== except && client.channels.has(channel)) send(client, frame);
  };

  const leave = (client: Client, channel: string) => {
    const sub = client.channels.get(channel);
    if (!sub) return;
    client.channels.delete(channel);
    const present = sub.userId === null ? undefined : members.get(channel)?.get(sub.userId);
    if (!present || sub.userId === null) return;
    present.sockets.delete(client);
    if (present.sockets.size > 0) return;
    members.get(channel)?.delete(sub.userId);
    publish(channel, 'pusher_internal:member_removed', { user_id: sub.userId });
  };

  const subscribe = (client: Client, data: { channel?: unknown; auth?: unknown; channel_data?: unknown }) => {
    const channel = data.channel;
    if (typeof channel !== 'string' || !(CHANNEL_NAME.test(channel) || channel.startsWith('#server-to-user-'))) {
      return fail(client, null, `Invalid channel name: ${String(channel).slice(0, 80)}`);
    }
    if (client.channels.has(channel)) return;
    const refuse = (error: string) =>
      send(client, { event: 'pusher:subscription_error', channel, data: { type: 'AuthError', error, status: 401 } });
    let userId: string | null = null;
    let info: unknown;
    if (channel.startsWith('#server-to-user-')) {
      if (client.userId === null || channel !== `#server-to-user-${client.userId}`) return refuse('Not signed in as this user.');
    } else if (isPrivate(channel)) {
      const channelData = typeof data.channel_data === 'string' ? data.channel_data : undefined;
      const auth = typeof data.auth === 'string' ? data.auth : undefined;
      if (!verifyChannelAuth({ secret, key }, client.socketId, channel, auth, channel.startsWith('presence-') ? channelData : undefined)) {
        return refuse(`Invalid signature for ${channel}.`);
      }
      if (channel.startsWith('presence-')) {
        userId = presenceUserId(channelData) ?? client.userId;
        if (userId === null) return refuse('Presence channels need channel_data with a user_id.');
        info = channelData === undefined ? undefined : (JSON.parse(channelData) as { user_info?: unknown }).user_info;
      }
    }
    client.channels.set(channel, { userId });
    subscribes.set(channel, (subscribes.get(channel) ?? 0) + 1);
    if (userId === null) {
      send(client, { event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
      return;
    }
    let present = members.get(channel);
    if (!present) members.set(channel, (present = new Map()));
    const isNew = !present.has(userId);
    if (isNew) present.set(userId, { info, sockets: new Set() });
    present.get(userId)?.sockets.add(client);
    const hash = Object.fromEntries([...present].map(([id, m]) => [id, m.info ?? null]));
    const presence = { ids: Object.keys(hash), hash, count: present.size };
    send(client, { event: 'pusher_internal:subscription_succeeded', channel, data: JSON.stringify({ presence }) });
    if (isNew) publish(channel, 'pusher_internal:member_added', { user_id: userId, ...(info === undefined ? {} : { user_info: info }) }, client);
  };

  const clientEvent = (client: Client, event: string, channel: unknown, data: unknown) => {
    if (typeof channel !== 'string' || !isPrivate(channel)) return fail(client, null, 'Client events are only supported on private and presence channels.');
    if (!client.channels.has(channel)) return fail(client, null, `Client event rejected: not subscribed to ${channel}.`);
    const bytes = Buffer.byteLength(JSON.stringify(data ?? null));
    if (bytes > (options.maxEventBytes ?? 10 * 1024)) return fail(client, null, `Client event rejected: ${bytes} bytes is over the limit.`);
    const now = Date.now();
    while (client.clientEvents.length > 0 && (client.clientEvents[0] ?? 0) <= now - 1000) client.clientEvents.shift();
    if (client.clientEvents.length >= (options.clientEventsPerSecond ?? 10)) return fail(client, 4301, 'Client event rejected due to rate limit');
    client.clientEvents.push(now);
    // Forwarded as sent, to everyone else; on presence channels stamped with the sender's user id.
    const userId = channel.startsWith('presence-') ? client.channels.get(channel)?.userId : null;
    broadcast(channel, { event, channel, data, ...(userId ? { user_id: userId } : {}) }, client);
  };

  const signin = (client: Client, data: { auth?: unknown; user_data?: unknown }) => {
    const userData = typeof data.user_data === 'string' ? data.user_data : '';
    const auth = typeof data.auth === 'string' ? data.auth : '';
    const expected = `${key}:${signUser(secret, client.socketId, userData)}`;
    let id: unknown;
    try {
      id = (JSON.parse(userData) as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (!safeEqual(auth, expected) || typeof id !== 'string' || id === '') return fail(client, 4009, 'Connection is unauthorized');
    client.userId = id;
    send(client, { event: 'pusher:signin_success', data: { user_data: userData } });
  };

  const onFrame = (client: Client, text: string) => {
    client.lastSeen = Date.now();
    client.pingSentAt = null;
    let frame: { event?: unknown; channel?: unknown; data?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return fail(client, null, 'Invalid JSON');
    }
    const { event, channel } = frame ?? {};
    if (typeof event !== 'string') return fail(client, null, 'Missing event name');
    const data = (typeof frame.data === 'string' ? safeParse(frame.data) : frame.data) as Record<string, unknown> | undefined;
    received.push({ event, ...(typeof channel === 'string' ? { channel } : {}), data });
    if (event === 'pusher:ping') return send(client, { event: 'pusher:pong', data: '{}' });
    if (event === 'pusher:pong') return;
    if (event === 'pusher:subscribe') return subscribe(client, data ?? {});
    if (event === 'pusher:unsubscribe') return typeof data?.channel === 'string' ? leave(client, data.channel) : undefined;
    if (event === 'pusher:signin') return signin(client, data ?? {});
    if (event.startsWith('client-')) return clientEvent(client, event, channel, frame.data);
    fail(client, null, `Unsupported event ${event.slice(0, 60)}`);
  };

  const app = createPusherApp({
    key,
    secret,
    authorize:
      options.authorize ??
      (({ channel, session }) => (channel.includes('denied') ? false : channel.startsWith('presence-') ? { userId: session, userInfo: {} } : true)),
    authenticateUser: options.authenticateUser ?? ((token, socketId) => (token === REFUSED_USER_TOKEN ? null : { id: socketId })),
    ...(options.publishStatus ? { publishStatus: options.publishStatus } : {}),
    publish: (channel, event, data) => publish(channel, event, data),
  });

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws: WebSocket, path: string, query: URLSearchParams) => {
    accepted++;
    const client: Client = { ws, socketId: createSessionId(secret), lastSeen: Date.now(), pingSentAt: null, userId: null, channels: new Map(), clientEvents: [] };
    ws.on('error', () => {});
    ws.on('close', () => {
      clients.delete(client);
      for (const channel of [...client.channels.keys()]) leave(client, channel);
    });
    if (path !== `/app/${key}`) return fail(client, 4001, `App key ${path.slice(5, 60)} not in this cluster`, true);
    if (!query.has('protocol')) return fail(client, 4008, 'No protocol version supplied', true);
    if (query.get('protocol') !== '7') return fail(client, 4007, 'Unsupported protocol version', true);
    if (refusals && refusals.count > 0) {
      refusals.count--;
      return fail(client, refusals.code, refusals.message, true);
    }
    clients.add(client);
    if (replacements && replacements.count > 0) {
      replacements.count--;
      return ws.send(replacements.text);
    }
    ws.on('message', (raw: Buffer, isBinary: boolean) => (isBinary ? fail(client, null, 'Binary frames are not supported') : onFrame(client, raw.toString('utf8'))));
    send(client, { event: 'pusher:connection_established', data: JSON.stringify({ socket_id: client.socketId, activity_timeout: heartbeatMs / 1000 }) });
  });

  // Pusher's side of liveness: ping a quiet connection, close it (4201) when no pong follows.
  const pongTimeoutMs = heartbeatMs * 2;
  const liveness = setInterval(() => {
    const now = Date.now();
    for (const client of clients) {
      if (client.pingSentAt !== null && now - client.pingSentAt >= pongTimeoutMs) client.ws.close(4201, 'Pong reply not received');
      else if (client.pingSentAt === null && now - client.lastSeen >= heartbeatMs) {
        client.pingSentAt = now;
        send(client, { event: 'pusher:ping', data: '{}' });
      }
    }
  }, Math.max(25, heartbeatMs / 4));

  const start = async (): Promise<Server> => {
    const server = createServer((req, res) => {
      if (!app(req, res)) res.writeHead(404).end();
    });
    // Idle keep-alive sockets of `fetch` belong to its pool: closed quickly, so "destroy() leaves nothing" is strict.
    server.keepAliveTimeout = 100;
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, url.pathname, url.searchParams));
    });
    await new Promise<void>((resolve) => server.listen(options.listenPort ?? 0, '127.0.0.1', resolve));
    return server;
  };
  const stop = async (target: Server | null) => {
    for (const client of wss.clients) client.terminate();
    if (!target) return;
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  };

  let server: Server | null = await start();
  let port = (server.address() as AddressInfo).port;
  return {
    key,
    secret,
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    received,
    async publish(channel, event, data) {
      publish(channel, event, data);
    },
    sessions: () => clients.size,
    subscribes: (channel) => subscribes.get(channel) ?? 0,
    members: (channel) => [...(members.get(channel)?.keys() ?? [])],
    sendRaw(text) {
      for (const client of clients) client.ws.send(text);
    },
    error(code, message, close) {
      for (const client of [...clients]) fail(client, code, message, close);
    },
    refuseHandshakes(code, message, count = Infinity) {
      refusals = { code, message, count };
    },
    replaceHandshakes(text, count = Infinity) {
      replacements = { text, count };
    },
    async kill() {
      const dying = server;
      server = null;
      await stop(dying);
    },
    async restart() {
      server = await start();
      port = (server.address() as AddressInfo).port;
    },
    async close() {
      clearInterval(liveness);
      const dying = server;
      server = null;
      await stop(dying);
      wss.close();
    },
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
