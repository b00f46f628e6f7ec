/**
 * `@switchboard/server`: the Node server kit for switchboard's native protocol (docs/protocol.md).
 *
 * - `attach(httpServer, options)` / `createWebSocketServer()` — WebSocket on `ws`
 * - `createHandlers(options)` — Web-standard `GET`/`POST`/`OPTIONS` for SSE, polling, publish and presence
 *   (Next.js App Router route handlers); `toNodeHandler()` runs them in Node's `http`
 * - `createAuthHandler(options)` — the channel auth endpoint (HMAC-SHA256, the Pusher scheme)
 * - `serve(options)` — a standalone server (what `switchboard serve` runs)
 * - `createHub()` — share one broker, secret and limits between all of them
 * - `createMemoryBroker()` — the in-memory broker (one process); `createRedisBroker()` — several processes
 */
export {
  createHub,
  Hub,
  type Authenticate,
  type AuthenticateContext,
  type ChannelContext,
  type ClientIpContext,
  type HubHooks,
  type HubOptions,
  type PublishContext,
} from './hub.js';
export { HubSession, type Caller, type Identity, type Subscription, type TransportKind } from './session.js';
export type { Broker, BrokerEvent, BrokerHealth, BrokerMessage, HistoryResult, PresenceEntry, PresenceList, PublishInput, PublishOutcome } from './broker.js';
export { MemoryBroker, createMemoryBroker, type MemoryBrokerOptions } from './memory-broker.js';
export { RedisBroker, createRedisBroker, type RedisBrokerOptions } from './redis/broker.js';
export { systemClock, type ServerClock } from './clock.js';
export {
  DEFAULT_KEY,
  authorizeChannel,
  createSessionId,
  isValidSessionId,
  presenceUserId,
  safeEqual,
  signChannel,
  verifyChannelAuth,
  type ChannelAuthorization,
  type PresenceIdentity,
  type SigningKey,
} from './auth.js';
export { signToken, tokenAuthenticator, verifyToken, type TokenClaims } from './token.js';
export { attach, createWebSocketServer, type RealtimeWebSocketServer, type WebSocketOptions } from './websocket.js';
export { createHandlers, type CorsOptions, type HandlerOptions, type RealtimeHandlers } from './http/handlers.js';
export { createAuthHandler, type AuthHandlerOptions, type AuthorizeContext } from './http/auth-handler.js';
export type { SseOptions } from './http/sse.js';
export type { PollOptions } from './http/poll.js';
export type { OpsOptions } from './http/ops.js';
export { createHealthHandler, createMetricsHandler, type MetricsHandlerOptions } from './http/health.js';
export { Metrics } from './metrics.js';
export { toNodeHandler, type WebHandler } from './node.js';
export { serve, type RunningServer, type ServeOptions } from './serve.js';
