import type { ConformanceTarget, PeerOptions } from '@switchboard/conformance';
import { PUSHER_KEY, REFUSED_USER_TOKEN, startPusherPeer, type PusherPeerOptions } from '@switchboard/conformance/peers/pusher';
import { pusher, type PusherTransportOptions } from '../src/index.js';

/** The transport against a peer on 127.0.0.1 (through `port`, the fault proxy in the suite). */
export function localPusher(port: number, options: Partial<PusherTransportOptions> = {}) {
  const base = `http://127.0.0.1:${port}`;
  return pusher({
    key: PUSHER_KEY,
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    authEndpoint: `${base}/pusher/auth`,
    userAuthEndpoint: `${base}/pusher/user-auth`,
    publishUrl: `${base}/publish`,
    ...options,
  });
}

/** Pusher in the conformance suite: presence lives on `presence-*` channels there. */
export const pusherTarget: ConformanceTarget & { readonly presenceChannel: string } = {
  name: 'pusher',
  startPeer: (options: PeerOptions & PusherPeerOptions) => startPusherPeer(options),
  createTransport: (port, options) =>
    localPusher(port, {
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      ...(options.fastTimeouts ? { requestTimeoutMs: 1000 } : {}),
    }),
  refusedToken: { token: REFUSED_USER_TOKEN, code: 'UNAUTHORIZED' },
  goodToken: 'valid-token',
  // Pusher's activity_timeout is the heartbeat interval: the core pings a quiet connection before it.
  liveness: (heartbeatMs, graceMs) => ({ code: 'HEARTBEAT_TIMEOUT', deadlineMs: heartbeatMs + graceMs }),
  privateChannels: { allowed: 'private-room', refused: 'private-denied' },
  presenceChannel: 'presence-lobby',
};
