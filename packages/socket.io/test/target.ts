import type { ConformanceTarget } from '@switchboard/conformance';
import { SOCKET_IO_REFUSED_TOKEN, startSocketIOPeer, type SocketIOPeer } from '@switchboard/conformance/peers/socket-io';
import { socketIO } from '../src/index.js';
import { createSwitchboardServer } from '../src/server.js';

/** The conformance peer with this package's server helper attached. */
export function startPeer(options: Parameters<ConformanceTarget['startPeer']>[0]): Promise<SocketIOPeer> {
  return startSocketIOPeer(options, ({ secret, refusedToken, presenceGraceMs, onSubscribe }) =>
    createSwitchboardServer({
      secret,
      presenceGraceMs,
      authenticate: ({ token }) => token !== refusedToken,
      onSubscribe: (_socket, channel) => onSubscribe(channel),
    }),
  );
}

export const socketIOTarget: ConformanceTarget = {
  name: 'socket.io',
  startPeer,
  createTransport: (port, options) =>
    socketIO({
      url: `http://127.0.0.1:${port}`,
      transports: ['websocket'],
      auth: { endpoint: `http://127.0.0.1:${port}/auth` },
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    }),
  refusedToken: { token: SOCKET_IO_REFUSED_TOKEN, code: 'UNAUTHORIZED' },
  goodToken: 'valid-token',
  // The server's engine.io pings every `heartbeatMs`; the core's deadline is that plus its grace
  // (engine.io-client's own ping timeout may notice first: it reports the same code).
  liveness: (heartbeatMs, graceMs) => ({ code: 'HEARTBEAT_TIMEOUT', deadlineMs: heartbeatMs + graceMs }),
  privateChannels: { allowed: 'private-room', refused: 'private-denied' },
};
