/**
 * Waits until `condition()` is true, checking every few milliseconds, or fails after `timeoutMs`
 * with `message`. For real sockets, where there is no fake clock to advance: never a fixed sleep.
 */
export async function waitFor(condition: () => boolean, message: string | (() => string), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${typeof message === 'function' ? message() : message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Counts of `process.getActiveResourcesInfo()` by type (sockets, timers, …). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Resource types that grew since `baseline`, with how many more there are. */
export function resourcesAbove(baseline: Record<string, number>): Record<string, number> {
  const now = activeResources();
  const extra: Record<string, number> = {};
  for (const [type, count] of Object.entries(now)) if (count > (baseline[type] ?? 0)) extra[type] = count - (baseline[type] ?? 0);
  return extra;
}
