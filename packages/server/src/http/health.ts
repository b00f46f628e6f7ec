import type { Hub } from '../hub.js';
import { safeEqual } from '../auth.js';
import { bearerToken, json } from './request.js';

/**
 * `GET /health`: `200 {"status":"ok"}`, or `503 {"status":"degraded","detail":…}` while the broker has
 * lost Redis (this process still serves its own clients; a load balancer should send new ones
 * elsewhere). Also counts connections and sessions.
 *
 * @example
 * // app/api/realtime/health/route.ts
 * export const GET = createHealthHandler(hub);
 */
export function createHealthHandler(hub: Hub): (request: Request) => Promise<Response> {
  return async () => {
    const health = hub.health();
    const body = {
      status: health.status,
      ...(health.detail === undefined ? {} : { detail: health.detail }),
      connections: hub.metrics.connections.websocket + hub.metrics.connections.sse,
      sessions: hub.sessions.size,
    };
    return json(health.status === 'ok' ? 200 : 503, body);
  };
}

export interface MetricsHandlerOptions {
  /** Require `Authorization: Bearer <token>` (compared in constant time). Default: open. */
  token?: string;
}

/**
 * `GET /metrics`: the hub's counters in the Prometheus text format — connections, sessions, channels,
 * messages in and out, errors by code, drops by reason, refused connections, broker health.
 *
 * @example
 * export const GET = createMetricsHandler(hub, { token: process.env.METRICS_TOKEN });
 */
export function createMetricsHandler(hub: Hub, options: MetricsHandlerOptions = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    if (options.token !== undefined && !safeEqual(bearerToken(request.headers) ?? '', options.token)) {
      return json(401, { type: 'error', code: 'UNAUTHORIZED', message: 'Metrics need the bearer token.' });
    }
    return new Response(hub.metricsText(), { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' } });
  };
}
