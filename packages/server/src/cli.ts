import { parseArgs } from 'node:util';
import { serve, type RunningServer } from './serve.js';

const HELP = `Usage: switchboard serve [options]

Runs a standalone switchboard realtime server: WebSocket, SSE, polling and
publishing on one path, with an in-memory broker.

Options:
  --port <n>         port to listen on (default: $PORT or 8080)
  --host <addr>      address to bind (default: 0.0.0.0)
  --path <path>      path of the endpoint (default: /realtime)
  --cors <origin>    allow browsers on this origin (repeatable; "*" for any)
  --heartbeat <ms>   WebSocket heartbeat interval (default: 25000)
  -h, --help         show this help

Environment:
  SWITCHBOARD_SECRET  enables private-*/presence-* channels and server-to-server
                      publishing (Authorization: Bearer <secret>). Never pass it
                      on the command line.
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
  const port = Number(values.port ?? env.PORT ?? 8080);
  const heartbeatMs = values.heartbeat === undefined ? undefined : Number(values.heartbeat);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (heartbeatMs !== undefined && !(heartbeatMs > 0))) {
    err.write(`Invalid --port or --heartbeat.\n\n${HELP}`);
    return 2;
  }
  const origins = values.cors ?? [];
  const secret = env.SWITCHBOARD_SECRET || undefined;
  const server = await serve({
    port,
    host: values.host ?? '0.0.0.0',
    ...(values.path ? { path: values.path } : {}),
    ...(secret ? { secret } : {}),
    ...(heartbeatMs ? { heartbeatMs } : {}),
    ...(origins.length > 0 ? { cors: { origin: origins.includes('*') ? true : origins } } : {}),
  });
  out.write(
    `switchboard listening on ${server.url.replace('http', 'ws')}${server.path} (also SSE, polling and publish over HTTP)` +
      `${secret ? '' : '\n  no SWITCHBOARD_SECRET: private-*/presence-* channels are disabled'}\n`,
  );
  return server;
}
