import { fork, type ChildProcess } from 'node:child_process';

/**
 * Helper processes of a scenario: the same bundle forked with `--role=<name>` (and more `--key=value`
 * arguments), talking to the driver over IPC with request/reply messages.
 */
export interface RoleProcess {
  readonly pid: number;
  /** Sends `message` and resolves with the reply carrying the same `id`. */
  request<T = Record<string, unknown>>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Messages the child sends on its own (not replies). */
  onEvent(listener: (message: Record<string, unknown>) => void): void;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function argValue(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export const role = argValue('role');

/** `--quick`: fewer runs and smaller sizes; results go to `results/tmp/`. */
export const quick = process.argv.includes('--quick');

/** Forks this bundle as `role`; resolves once the child sent its first message (`{ type: 'ready', … }`). */
export async function forkRole(name: string, args: Record<string, string | number> = {}, execArgv: string[] = []): Promise<{ process: RoleProcess; ready: Record<string, unknown> }> {
  const argv = [`--role=${name}`, ...Object.entries(args).map(([k, v]) => `--${k}=${v}`)];
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(process.argv[1]!, argv, { execArgv: ['--expose-gc', ...prof, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let nextId = 1;
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  const listeners: ((m: Record<string, unknown>) => void)[] = [];
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  child.on('message', (raw) => {
    const m = raw as Record<string, unknown>;
    const reply = typeof m.id === 'number' ? pending.get(m.id) : undefined;
    if (reply) {
      pending.delete(m.id as number);
      reply(m);
    } else for (const l of listeners) l(m);
  });
  const handle: RoleProcess = {
    pid: child.pid!,
    exited,
    request<T>(message: Record<string, unknown>, timeoutMs = 120_000) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no reply to ${String(message.type)} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, (m) => {
          clearTimeout(timer);
          resolve(m as T);
        });
        child.send({ ...message, id });
      });
    },
    onEvent: (l) => void listeners.push(l),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(prof.length ? 'SIGINT' : 'SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return { process: handle, ready };
}

/** In a child: answers the driver's requests with `handler` and exits with the driver. */
export function serveRequests(handler: (message: Record<string, unknown>) => unknown): void {
  process.on('message', (raw) => {
    const m = raw as Record<string, unknown>;
    void Promise.resolve()
      .then(() => handler(m))
      .then(
        (result) => process.send!({ ...(result as object), id: m.id }),
        (error: unknown) => process.send!({ id: m.id, error: String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done()` every few ms until true, or `timeoutMs`; `false` on timeout. */
export async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 2): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
