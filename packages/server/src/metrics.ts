/**
 * Counters of one server process, rendered in the Prometheus text format (`/metrics`). Cheap enough to
 * bump on every frame: plain numbers and small maps, no histogram buckets.
 */
export class Metrics {
  /** Open connections per transport (WebSockets and SSE streams; polls are requests, not connections). */
  readonly connections = { websocket: 0, sse: 0 };
  /** Publishes accepted (stored and fanned out; a deduplicated resend is not counted again). */
  messagesIn = 0;
  /** `message` frames written to clients (one per subscriber). */
  messagesOut = 0;
  readonly #errors = new Map<string, number>();
  readonly #dropped = new Map<string, number>();
  readonly #refused = new Map<string, number>();

  /** An error reported to a client (`error`, `nack`, `refused` frames, HTTP errors) or hit inside, by code. */
  error(code: string): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  /** Something thrown away: an inbound frame refused (`rate_limited`, `too_large`, `invalid`) or a slow client's backlog (`slow_consumer`). */
  dropped(reason: 'rate_limited' | 'too_large' | 'invalid' | 'slow_consumer'): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
  }

  /** A connection turned away before it started (`origin`, `max_connections`, `per_ip`). */
  refused(reason: 'origin' | 'max_connections' | 'per_ip'): void {
    this.#refused.set(reason, (this.#refused.get(reason) ?? 0) + 1);
  }

  get errors(): ReadonlyMap<string, number> {
    return this.#errors;
  }

  get drops(): ReadonlyMap<string, number> {
    return this.#dropped;
  }

  /** The Prometheus text exposition (format 0.0.4). */
  render(gauges: { sessions: number; channels: number; brokerUp: boolean; brokerReconnects: number }): string {
    const memory = process.memoryUsage();
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [labels: string, value: number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const labelled = (label: string, map: ReadonlyMap<string, number>): [string, number][] => [...map].map(([key, value]) => [`{${label}="${escapeLabel(key)}"}`, value]);
    metric('switchboard_connections', 'gauge', 'Open connections (WebSockets, SSE streams).', [
      ['{transport="websocket"}', this.connections.websocket],
      ['{transport="sse"}', this.connections.sse],
    ]);
    metric('switchboard_sessions', 'gauge', 'Live sessions.', [['', gauges.sessions]]);
    metric('switchboard_channels', 'gauge', 'Channels with at least one subscriber on this process.', [['', gauges.channels]]);
    metric('switchboard_messages_in_total', 'counter', 'Publishes accepted.', [['', this.messagesIn]]);
    metric('switchboard_messages_out_total', 'counter', 'Messages written to clients.', [['', this.messagesOut]]);
    metric('switchboard_errors_total', 'counter', 'Errors by code.', labelled('code', this.#errors));
    metric('switchboard_dropped_total', 'counter', 'Frames and messages thrown away, by reason.', labelled('reason', this.#dropped));
    metric('switchboard_connections_refused_total', 'counter', 'Connections turned away, by reason.', labelled('reason', this.#refused));
    metric('switchboard_broker_up', 'gauge', '1 when the broker is healthy, 0 when degraded.', [['', gauges.brokerUp ? 1 : 0]]);
    metric('switchboard_broker_reconnects_total', 'counter', 'Times the broker got its backend back.', [['', gauges.brokerReconnects]]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', [['', memory.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', memory.heapUsed]]);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
