import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkConfig, type CliConfig } from './cli-config.js';
import { createRedisBroker } from './redis/broker.js';
import { serve, type RunningServer, type ServeOptions } from './serve.js';
import { tokenAuthenticator } from './token.js';

const HELP = `Usage: switchboard serve [options]

Runs a standalone switchboard realtime server: WebSocket, SSE, polling and
publishing on one path, /health, /healthz and /metrics. In-memory broker by
default; with --redis, any number of these processes share channels, history
and presence (no sticky sessions needed).

Options:
  --port <n>            port to listen on (default: $PORT or 8080)
  --host <addr>         address to bind (default: 0.0.0.0)
  --path <path>         path of the endpoint (default: /realtime)
  --cors <origin>       allow browsers on this origin: CORS and the WebSocket
                        origin allowlist (repeatable; "*" for any)
  --heartbeat <ms>      WebSocket heartbeat interval (default: 25000)
  --redis <url>         use Redis (default: $REDIS_URL when set)
  --require-token       accept only connections with a valid token signed
                        with SWITCHBOARD_SECRET (signToken / HS256 JWT)
  --max-connections-per-ip <n>
                        open connections per client address (default: none)
  --trust-proxy         read the client address from X-Forwarded-For
  --config <file>       JSON file with any of these options and more (limits,
                        heartbeats, presence timeouts, Redis history size…)
  -h, --help            show this help

Environment:
  SWITCHBOARD_SECRET  enables private-*/presence-* channels and server-to-server
                      publishing (Authorization: Bearer <secret>). Never pass it
                      on the command line.
  REDIS_URL           Redis to use when --redis is not given.
`;

interface Output {
  write(text: string): unknown;
}

/**
 * Runs `switchboard <argv>`: the started server, or an exit code (help, bad arguments). The caller
 * (bin.ts) stops the server on SIGINT/SIGTERM.
 */
export async function run(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<RunningServer | number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        cors: { type: 'string', multiple: true },
        heartbeat: { type: 'string' },
        redis: { type: 'string' },
        'require-token': { type: 'boolean' },
        'max-connections-per-ip': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] !== 'serve') {
    (values.help ? out : err).write(HELP);
    return values.help ? 0 : 2;
  }
  let config: CliConfig = {};
  if (values.config !== undefined) {
    let checked: CliConfig | string;
    try {
      checked = checkConfig(JSON.parse(await readFile(values.config, 'utf8')));
    } catch (error) {
      checked = (error as Error).message;
    }
    if (typeof checked === 'string') {
      err.write(`Invalid --config ${values.config}: ${checked}\n`);
      return 2;
    }
    config = checked;
  }
  const port = Number(values.port ?? config.port ?? env.PORT ?? 8080);
  const heartbeatMs = values.heartbeat === undefined ? config.heartbeatMs : Number(values.heartbeat);
  const perIp = values['max-connections-per-ip'] === undefined ? config.maxConnectionsPerIp : Number(values['max-connections-per-ip']);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (heartbeatMs !== undefined && !(heartbeatMs > 0)) || (perIp !== undefined && !(perIp > 0))) {
    err.write(`Invalid --port, --heartbeat or --max-connections-per-ip.\n\n${HELP}`);
    return 2;
  }
  const secret = env.SWITCHBOARD_SECRET || undefined;
  const requireToken = values['require-token'] ?? config.requireToken ?? false;
  if (requireToken && !secret) {
    err.write('--require-token needs SWITCHBOARD_SECRET.\n');
    return 2;
  }
  const origins = values.cors ?? config.origins ?? [];
  const redisConfig = values.redis ?? config.redis ?? env.REDIS_URL;
  const redis = typeof redisConfig === 'string' ? { url: redisConfig } : redisConfig;
  const broker = redis ? createRedisBroker({ ...redis, onError: (error) => err.write(`switchboard: redis: ${error instanceof Error ? error.message : String(error)}\n`) }) : undefined;
  const options: ServeOptions = {
    ...pick(config),
    port,
    host: values.host ?? config.host ?? '0.0.0.0',
    ...(values.path || config.path ? { path: values.path ?? config.path } : {}),
    ...(secret ? { secret } : {}),
    ...(heartbeatMs ? { heartbeatMs } : {}),
    ...(perIp ? { maxConnectionsPerIp: perIp } : {}),
    ...(values['trust-proxy'] || config.trustProxy ? { clientIp: ({ headers, remoteAddress }) => headers.get('x-forwarded-for')?.split(',')[0]?.trim() || remoteAddress } : {}),
    ...(requireToken && secret ? { authenticate: tokenAuthenticator({ secret }) } : {}),
    ...(origins.length > 0 ? { cors: { origin: origins.includes('*') ? true : origins } } : {}),
    ...(origins.length > 0 && !origins.includes('*') ? { allowedOrigins: origins } : {}),
    ...(broker ? { broker } : {}),
  };
  let server: RunningServer;
  try {
    server = await serve(options);
  } catch (error) {
    await broker?.close();
    throw error;
  }
  out.write(
    `switchboard listening on ${server.url.replace('http', 'ws')}${server.path} (also SSE, polling and publish over HTTP)` +
      `${broker ? '\n  broker: redis' : ''}` +
      `${secret ? '' : '\n  no SWITCHBOARD_SECRET: private-*/presence-* channels are disabled'}\n`,
  );
  if (!broker) return server;
  return {
    ...server,
    close: async (closeOptions) => {
      await server.close(closeOptions);
      await broker.close();
    },
  };
}

/** The config entries that are `serve()` options as they are. */
function pick(config: CliConfig): Partial<ServeOptions> {
  const { limits, burst, sseHeartbeatMs, presenceTimeoutMs, presenceGraceMs, maxStreamMs, maxConnections } = config;
  return {
    ...(limits ? { limits } : {}),
    ...(burst === undefined ? {} : { burst }),
    ...(sseHeartbeatMs === undefined ? {} : { sseHeartbeatMs }),
    ...(presenceTimeoutMs === undefined ? {} : { presenceTimeoutMs }),
    ...(presenceGraceMs === undefined ? {} : { presenceGraceMs }),
    ...(maxStreamMs === undefined ? {} : { maxStreamMs }),
    ...(maxConnections === undefined ? {} : { maxConnections }),
  };
}
