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

/** True unless the bundler or Node says production. */
export function isDev(): boolean {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.NODE_ENV !== 'production';
}
