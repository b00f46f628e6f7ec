import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  ABLY_PEER_KEY,
  ABLY_PEER_SECRET,
  ACTION,
  FLAG,
  PRESENCE_ACTIONS,
  errorInfo,
  mintAblyToken,
  permits,
  verifyAblyToken,
  type ClientFrame,
  type TokenGrant,
  type WireError,
  type WireMessage,
  type WirePresence,
} from './ably-protocol.js';
import { httpHandler } from './ably-http.js';
import type { AblyPeer, AblyPeerOptions } from './ably-peer.js';
import { ChannelState, serialOf, type Member, type StoredMessage } from './ably-state.js';

export { ABLY_PEER_KEY, ABLY_PEER_SECRET, ACTION, FLAG, mintAblyToken, tokenRequestMac, type TokenGrant, type WireError } from './ably-protocol.js';
export type { AblyPeer, AblyPeerOptions } from './ably-peer.js';

interface Conn {
  readonly id: string;
  readonly key: string;
  grant: TokenGrant;
  clientId: string | undefined;
  echo: boolean;
  socket: WebSocket | null;
  readonly attached: Set<string>;
  leaveTimer: NodeJS.Timeout | null;
  lastSeen: number;
}

const FRAMES_KEPT = 1000;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const byteLength = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v) ?? ''));

/** Starts the peer. Its state (connections, channels, presence) survives `kill()`/`restart()`. */
export async function startAblyPeer(options: AblyPeerOptions): Promise<AblyPeer> {
  const secret = options.secret ?? ABLY_PEER_SECRET;
  const apiKey = options.apiKey ?? ABLY_PEER_KEY;
  const maxMessageSize = options.maxMessageSize ?? 64 * 1024;
  const ttlMs = options.connectionStateTtlMs ?? 120_000;
  const channels = new Map<string, ChannelState>();
  const conns = new Map<string, Conn>();
  const byKey = new Map<string, Conn>();
  const revoked = new Set<string>();
  const frames: ClientFrame[] = [];
  const sockets = new Set<WebSocket>();
  let connectAttempts = 0;
  let syncCounter = 0;
  let server: Server | null = null;
  let wss: WebSocketServer | null = null;
  let port = 0;

  const channel = (name: string) => {
    let state = channels.get(name);
    if (!state) channels.set(name, (state = new ChannelState(name, options.historySize ?? 10_000, 10_000)));
    return state;
  };
  const send = (conn: Conn, frame: object) => {
    if (conn.socket?.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify(frame));
  };
  const messageFrame = (name: string, stored: StoredMessage) => ({
    action: ACTION.MESSAGE,
    channel: name,
    channelSerial: stored.serial,
    id: stored.protocolId,
    ...(stored.connectionId ? { connectionId: stored.connectionId } : {}),
    timestamp: stored.message.timestamp,
    messages: [stored.message],
  });
  const broadcast = (name: string, frame: object, from?: Conn) => {
    for (const conn of conns.values()) {
      if (!conn.attached.has(name) || (conn === from && !conn.echo)) continue;
      send(conn, frame);
    }
  };

  const leaveAll = (conn: Conn) => {
    for (const [name, state] of channels) {
      const gone: WirePresence[] = [];
      for (const [key, member] of state.members) {
        if (member.connectionId !== conn.id) continue;
        state.members.delete(key);
        // A leave the server synthesises: an id not of the member's connection, so clients order it by time.
        gone.push(state.presenceOf({ ...member, id: `server:${randomUUID()}`, timestamp: Date.now() }, 'leave'));
      }
      if (gone.length > 0) broadcast(name, { action: ACTION.PRESENCE, channel: name, presence: gone });
    }
  };
  const forget = (conn: Conn) => {
    if (conn.leaveTimer) clearTimeout(conn.leaveTimer);
    conn.leaveTimer = null;
    leaveAll(conn);
    conns.delete(conn.id);
    byKey.delete(conn.key);
  };

  const connectionDetails = (conn: Conn) => ({
    connectionKey: conn.key,
    ...(conn.clientId === undefined ? {} : { clientId: conn.clientId }),
    maxMessageSize,
    maxFrameSize: maxMessageSize * 4,
    maxInboundRate: 1000,
    serverId: 'switchboard-ably-peer',
    connectionStateTtl: ttlMs,
    maxIdleInterval: options.heartbeatMs,
  });

  const refuse = (socket: WebSocket, error: WireError) => {
    socket.send(JSON.stringify({ action: ACTION.ERROR, error }));
    socket.close(1000);
  };

  const onConnection = (socket: WebSocket, request: IncomingMessage) => {
    connectAttempts++;
    sockets.add(socket);
    socket.on('error', () => {});
    const params = new URL(request.url ?? '/', 'http://peer').searchParams;
    if ((params.get('format') ?? 'json') !== 'json') return refuse(socket, errorInfo(40000, 400, 'The test peer speaks JSON only'));
    const check = verifyAblyToken(params.get('access_token') ?? undefined, secret, revoked, Date.now());
    if (!check.ok) return refuse(socket, check.error);
    const clientId = check.grant.clientId === '*' ? (params.get('clientId') ?? undefined) : check.grant.clientId;
    const resumeKey = params.get('resume') ?? params.get('recover');
    let conn = resumeKey ? byKey.get(resumeKey) : undefined;
    let error: WireError | undefined;
    if (conn && (conn.socket === null ? Date.now() - conn.lastSeen > ttlMs : false)) {
      forget(conn);
      conn = undefined;
    }
    if (conn && conn.clientId !== clientId) conn = undefined;
    if (conn) {
      const old = conn.socket;
      conn.socket = null;
      old?.terminate();
      if (conn.leaveTimer) clearTimeout(conn.leaveTimer);
      conn.leaveTimer = null;
      conn.grant = check.grant;
    } else {
      if (resumeKey) error = errorInfo(80008, 400, 'Unable to recover connection: connection key not found or expired');
      const id = randomUUID().slice(0, 12);
      conn = { id, key: `${id}!${randomUUID()}`, grant: check.grant, clientId, echo: true, socket: null, attached: new Set(), leaveTimer: null, lastSeen: Date.now() };
      conns.set(conn.id, conn);
      byKey.set(conn.key, conn);
    }
    conn.echo = params.get('echo') !== 'false';
    conn.socket = socket;
    const current = conn;
    send(current, { action: ACTION.CONNECTED, connectionId: current.id, connectionDetails: connectionDetails(current), ...(error ? { error } : {}) });
    socket.on('message', (data) => {
      if (current.socket !== socket) return;
      onFrame(current, data.toString());
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (current.socket !== socket) return;
      current.socket = null;
      current.lastSeen = Date.now();
      // Ably keeps a dropped member present for a grace period, then announces its leave.
      current.leaveTimer = setTimeout(() => {
        current.leaveTimer = null;
        if (current.socket === null) leaveAll(current);
      }, options.presenceTimeoutMs);
    });
  };

  const onFrame = (conn: Conn, text: string) => {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(text) as ClientFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    frames.push(frame);
    if (frames.length > FRAMES_KEPT) frames.shift();
    const name = str(frame.channel);
    switch (frame.action) {
      case ACTION.HEARTBEAT:
        return send(conn, { action: ACTION.HEARTBEAT, ...(str(frame.id) ? { id: frame.id } : {}) });
      case ACTION.CLOSE:
        send(conn, { action: ACTION.CLOSED });
        forget(conn);
        conn.socket?.close(1000);
        conn.socket = null;
        return;
      case ACTION.AUTH:
        return onAuth(conn, frame);
      case ACTION.ATTACH:
        return name === undefined ? undefined : onAttach(conn, name, frame);
      case ACTION.DETACH:
        if (name === undefined) return;
        conn.attached.delete(name);
        return send(conn, { action: ACTION.DETACHED, channel: name });
      case ACTION.MESSAGE:
        return name === undefined ? undefined : onMessage(conn, name, frame);
      case ACTION.PRESENCE:
        return name === undefined ? undefined : onPresence(conn, name, frame);
    }
  };

  const onAuth = (conn: Conn, frame: ClientFrame) => {
    const token = str((frame.auth as { accessToken?: unknown } | undefined)?.accessToken);
    const check = verifyAblyToken(token, secret, revoked, Date.now());
    if (!check.ok) {
      send(conn, { action: ACTION.ERROR, error: check.error });
      return conn.socket?.close(1000);
    }
    conn.grant = check.grant;
    send(conn, { action: ACTION.CONNECTED, connectionId: conn.id, connectionDetails: connectionDetails(conn) });
  };

  const onAttach = (conn: Conn, name: string, frame: ClientFrame) => {
    if (options.refuseChannel?.(name) || !permits(conn.grant.capability, name, 'subscribe')) {
      return send(conn, { action: ACTION.ERROR, channel: name, error: errorInfo(40160, 401, `Channel denied access based on given capability: ${name}`) });
    }
    const state = channel(name);
    state.attaches++;
    conn.attached.add(name);
    const from = str(frame.channelSerial);
    const resumedFrom = from === undefined ? null : state.since(from);
    const rewind = Number((frame.params as { rewind?: unknown } | undefined)?.rewind);
    const backlog = resumedFrom ?? (Number.isInteger(rewind) && rewind > 0 ? state.last(rewind) : []);
    let flags = FLAG.MODES;
    if (resumedFrom !== null) flags |= FLAG.RESUMED;
    else if (backlog.length > 0) flags |= FLAG.HAS_BACKLOG;
    if (state.members.size > 0) flags |= FLAG.HAS_PRESENCE;
    // The attach serial is where the replay starts, so a client cut off mid-replay resumes from there.
    const attachSerial = resumedFrom !== null && from !== undefined ? from : backlog.length > 0 ? serialOf((backlog[0]?.seq ?? 1) - 1) : state.latestSerial;
    send(conn, { action: ACTION.ATTACHED, channel: name, channelSerial: attachSerial, flags });
    for (const stored of backlog) send(conn, messageFrame(name, stored));
    if (state.members.size > 0) {
      const presence = [...state.members.values()].map((m) => state.presenceOf(m, 'present'));
      send(conn, { action: ACTION.SYNC, channel: name, channelSerial: `sync${++syncCounter}:`, presence });
    }
  };

  const nack = (conn: Conn, msgSerial: number | undefined, error: WireError) => {
    if (msgSerial !== undefined) send(conn, { action: ACTION.NACK, msgSerial, count: 1, error });
  };
  const ack = (conn: Conn, msgSerial: number | undefined) => {
    if (msgSerial !== undefined) send(conn, { action: ACTION.ACK, msgSerial, count: 1 });
  };

  const onMessage = (conn: Conn, name: string, frame: ClientFrame) => {
    const msgSerial = num(frame.msgSerial);
    const messages = Array.isArray(frame.messages) ? (frame.messages as WireMessage[]).filter((m) => typeof m === 'object' && m !== null) : [];
    if (!permits(conn.grant.capability, name, 'publish')) return nack(conn, msgSerial, errorInfo(40160, 401, `Publishing to ${name} is not permitted`));
    const size = messages.reduce((sum, m) => sum + byteLength(m.data) + byteLength(m.name), 0);
    if (size > maxMessageSize) return nack(conn, msgSerial, errorInfo(40009, 400, `Maximum message length exceeded (${size} > ${maxMessageSize})`));
    const refused = options.onPublish?.(name, messages);
    if (refused) return nack(conn, msgSerial, refused);
    const state = channel(name);
    messages.forEach((message, i) => {
      const id = str(message.id) ?? `${conn.id}:${msgSerial ?? 0}:${i}`;
      if (!state.remember(id)) return; // idempotent publishing: a resend is acked, not delivered again
      const stored = state.append({ ...message, id, connectionId: conn.id, timestamp: Date.now(), ...(conn.clientId === undefined ? {} : { clientId: conn.clientId }) }, `${conn.id}:${msgSerial ?? 0}`, conn.id);
      broadcast(name, messageFrame(name, stored), conn);
    });
    ack(conn, msgSerial);
  };

  const onPresence = (conn: Conn, name: string, frame: ClientFrame) => {
    const msgSerial = num(frame.msgSerial);
    if (!permits(conn.grant.capability, name, 'presence')) return nack(conn, msgSerial, errorInfo(40160, 401, `Presence on ${name} is not permitted`));
    const items = Array.isArray(frame.presence) ? (frame.presence as WirePresence[]) : [];
    const state = channel(name);
    const out: WirePresence[] = [];
    for (const [i, item] of items.entries()) {
      const clientId = str(item.clientId) ?? conn.clientId;
      if (clientId === undefined) return nack(conn, msgSerial, errorInfo(40012, 400, 'Presence needs a clientId'));
      const key = state.memberKey(conn.id, clientId);
      const existing = state.members.get(key);
      const action = PRESENCE_ACTIONS[num(item.action) ?? -1];
      const id = `${conn.id}:${msgSerial ?? 0}:${i}`;
      if (action === 'leave') {
        if (!existing) continue;
        state.members.delete(key);
        out.push(state.presenceOf({ ...existing, id, timestamp: Date.now(), ...(item.data === undefined ? {} : { data: item.data }) }, 'leave'));
      } else if (action === 'enter' || action === 'update' || action === 'present') {
        const member: Member = { clientId, connectionId: conn.id, data: item.data, encoding: str(item.encoding), id, timestamp: Date.now() };
        state.members.set(key, member);
        out.push(state.presenceOf(member, existing ? 'update' : 'enter'));
      }
    }
    ack(conn, msgSerial);
    if (out.length > 0) broadcast(name, { action: ACTION.PRESENCE, channel: name, id: `${conn.id}:${msgSerial ?? 0}`, connectionId: conn.id, timestamp: Date.now(), presence: out });
  };

  const start = async () => {
    const http = createServer(httpHandler(apiKey, secret));
    // Idle keep-alive sockets of token requests belong to the HTTP client's pool, not to a transport.
    http.keepAliveTimeout = 100;
    const ws = new WebSocketServer({ server: http });
    ws.on('connection', onConnection);
    await new Promise<void>((resolve) => http.listen(options.listenPort ?? 0, '127.0.0.1', resolve));
    server = http;
    wss = ws;
    port = (http.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const socket of sockets) socket.terminate();
    sockets.clear();
    const http = server;
    wss?.close();
    server = null;
    wss = null;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  };

  const heartbeat = setInterval(() => {
    for (const conn of conns.values()) send(conn, { action: ACTION.HEARTBEAT });
  }, options.heartbeatMs);
  await start();

  return {
    get port() {
      return port;
    },
    get connectAttempts() {
      return connectAttempts;
    },
    frames,
    async publish(name, event, data) {
      const state = channel(name);
      const id = `peer:${randomUUID()}`;
      const stored = state.append({ id, name: event, data, timestamp: Date.now() }, id, undefined);
      broadcast(name, messageFrame(name, stored));
    },
    sessions: () => [...conns.values()].filter((c) => c.socket !== null).length,
    subscribes: (name) => channels.get(name)?.attaches ?? 0,
    mintToken: (grant) => mintAblyToken(grant, secret),
    revoke: (token) => void revoked.add(token),
    inject(frame) {
      const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
      for (const conn of conns.values()) if (conn.socket?.readyState === WebSocket.OPEN) conn.socket.send(text);
    },
    disconnectAll(error = errorInfo(80003, 503, 'Disconnected by the server')) {
      for (const conn of conns.values()) {
        send(conn, { action: ACTION.DISCONNECTED, error });
        conn.socket?.close(1000);
      }
    },
    drop() {
      for (const socket of sockets) socket.terminate();
    },
    detach(name, error = errorInfo(90198, 500, 'Channel detached by the server')) {
      for (const conn of conns.values()) {
        if (!conn.attached.delete(name)) continue;
        send(conn, { action: ACTION.DETACHED, channel: name, error });
      }
    },
    forgetHistory(name) {
      for (const state of name === undefined ? channels.values() : [channel(name)]) state.forget();
    },
    forgetConnections() {
      for (const conn of [...conns.values()]) {
        conns.delete(conn.id);
        byKey.delete(conn.key);
      }
    },
    members: (name) => [...(channels.get(name)?.members.values() ?? [])].map((m) => ({ clientId: m.clientId, connectionId: m.connectionId, data: m.data })),
    kill: stop,
    restart: start,
    async close() {
      clearInterval(heartbeat);
      for (const conn of conns.values()) if (conn.leaveTimer) clearTimeout(conn.leaveTimer);
      await stop();
      conns.clear();
      byKey.clear();
    },
  };
}
