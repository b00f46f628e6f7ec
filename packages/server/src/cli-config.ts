import type { WireLimits } from '@switchboard/core/protocol';
import type { RedisBrokerOptions } from './redis/broker.js';

/**
 * The JSON file of `switchboard serve --config <file>`: every option that is plain data. Functions
 * (`authenticate`, `canPublish`…) need the API (`serve()`), not the CLI.
 */
export interface CliConfig {
  port?: number;
  host?: string;
  path?: string;
  /** Allowed browser origins: CORS for HTTP, and the WebSocket origin allowlist. `["*"]` for any. */
  origins?: string[];
  limits?: Partial<WireLimits>;
  burst?: number;
  heartbeatMs?: number;
  sseHeartbeatMs?: number;
  presenceTimeoutMs?: number;
  presenceGraceMs?: number;
  maxStreamMs?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Read the client address from `X-Forwarded-For` (only behind a proxy you trust). */
  trustProxy?: boolean;
  /** Accept only connections with a valid token (`signToken`, HS256 JWT) signed with the secret. */
  requireToken?: boolean;
  /** Use Redis (several processes): a URL, or the broker's plain options. */
  redis?: string | (Omit<RedisBrokerOptions, 'clock' | 'onError' | 'redis'> & { url: string });
}

const NUMBERS = ['port', 'burst', 'heartbeatMs', 'sseHeartbeatMs', 'presenceTimeoutMs', 'presenceGraceMs', 'maxStreamMs', 'maxConnections', 'maxConnectionsPerIp'] as const;

/** Checks a parsed config file; returns the problem, or the config. */
export function checkConfig(value: unknown): CliConfig | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the config must be a JSON object';
  const config = value as Record<string, unknown>;
  for (const key of NUMBERS) {
    const n = config[key];
    if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n < 0)) return `"${key}" must be a number ≥ 0`;
  }
  for (const key of ['host', 'path'] as const) if (config[key] !== undefined && typeof config[key] !== 'string') return `"${key}" must be a string`;
  for (const key of ['trustProxy', 'requireToken'] as const) if (config[key] !== undefined && typeof config[key] !== 'boolean') return `"${key}" must be true or false`;
  if (config.origins !== undefined && !(Array.isArray(config.origins) && config.origins.every((o) => typeof o === 'string'))) return '"origins" must be a list of strings';
  if (config.limits !== undefined) {
    if (typeof config.limits !== 'object' || config.limits === null) return '"limits" must be an object';
    for (const [key, n] of Object.entries(config.limits)) {
      if (!['maxFrameBytes', 'maxChannels', 'messagesPerSecond'].includes(key)) return `unknown limit "${key}"`;
      if (typeof n !== 'number' || !(n > 0)) return `limit "${key}" must be a number > 0`;
    }
  }
  const redis = config.redis;
  if (redis !== undefined && typeof redis !== 'string' && (typeof redis !== 'object' || redis === null || typeof (redis as { url?: unknown }).url !== 'string')) {
    return '"redis" must be a URL or { url, … }';
  }
  return config as CliConfig;
}
