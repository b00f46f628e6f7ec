export { createClient } from './client.js';
export type {
  Channel,
  ListenOptions,
  ChannelEventName,
  ChannelMessage,
  ClientEvents,
  ClientOptions,
  ClientStats,
  Presence,
  PresenceData,
  RealtimeClient,
} from './client.js';
export type { AuthContext, AuthProvider, ConnectionSnapshot, ConnectionStatus } from './connection.js';
export type { ChannelOptions, ChannelSnapshot, ChannelStatus, DiscontinuityInfo } from './channels.js';
export { DEFAULT_CHANNEL } from './channels.js';
export { DEFAULT_BACKOFF, backoffDelay, hintedDelay, parseRetryAfter, reconnectDelay, type BackoffOptions } from './backoff.js';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './heartbeat.js';
export {
  DEFAULT_OUTBOX,
  type OutboxEntry,
  type OutboxEntryState,
  type OutboxOptions,
  type OutboxSnapshot,
  type PublishOptions,
  type PublishResult,
} from './outbox.js';
export { DEFAULT_PRESENCE, type PresenceOptions, type PresenceSnapshot } from './presence.js';
export { memoryStorage, type OutboxStorage, type StoredOutboxEntry } from './storage/types.js';
export { ERROR_CODES } from './error-docs.js';
export {
  REALTIME_ERROR_CODES,
  QueueFullError,
  RealtimeError,
  TimeoutError,
  isRealtimeError,
  type RealtimeErrorCode,
  type RealtimeErrorDetails,
  type RealtimeErrorOptions,
} from './errors.js';
export { FATAL_RULES, classifyDisconnect, type Disconnect, type FatalRule, type Outcome, type Verdict } from './fatal.js';
export { FATAL_RULE_DESCRIPTIONS, disconnectLabel, renderFatalRulesMarkdown, verdictLabel } from './fatal-docs.js';
export { consoleLogger, silentLogger, type Logger } from './logger.js';
export { defaultPlatform, type Platform, type TimerHandle } from './platform.js';
export type {
  AnySchema,
  ChannelEvents,
  ChannelName,
  ChannelSchema,
  EventName,
  InferSchema,
  Payload,
  SchemaValidators,
} from './schema.js';
export type { Listener, Readable, Unsubscribe } from './store.js';
export type {
  Message,
  OpenContext,
  OpenInfo,
  OutgoingMessage,
  PresenceEvent,
  PresenceMember,
  PresenceOp,
  SubscribeOptions,
  SubscribedInfo,
  Transport,
  TransportCapabilities,
  TransportConnection,
  TransportHandler,
} from './transport.js';
