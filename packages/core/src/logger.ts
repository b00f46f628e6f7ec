/** Where the core writes diagnostics. Silent unless the application asks for it. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = () => {};
export const silentLogger: Logger = /* @__PURE__ */ Object.freeze({ debug: noop, warn: noop, error: noop });

/** A logger that prefixes every line, writing to `console`. */
export function consoleLogger(prefix = '[switchboard]'): Logger {
  return {
    debug: (message, ...details) => console.debug(prefix, message, ...details),
    warn: (message, ...details) => console.warn(prefix, message, ...details),
    error: (message, ...details) => console.error(prefix, message, ...details),
  };
}

/** `true` → console, `false`/absent → silent, a `Logger` → itself. */
export function resolveLogger(option: Logger | boolean | undefined): Logger {
  if (option === true) return consoleLogger();
  if (!option) return silentLogger;
  return option;
}

/**
 * `true` unless the app is built (or Node runs) for production. It reads the literal
 * `process.env.NODE_ENV`, which bundlers (webpack and Next.js, Vite, esbuild, Rollup's replace plugin)
 * substitute at build time — read any other way, it survives into a production bundle unreplaced and a
 * browser without a `process` global would count as development. Where nothing substituted it and there
 * is no `process` at all (an unbundled browser module), it counts as production: quiet.
 */
export function isDev(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return false;
  }
}
