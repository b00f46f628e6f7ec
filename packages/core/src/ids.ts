const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random base-36 string of `length` characters drawn from `random`. */
export function randomId(random: () => number, length = 12): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(random() * 36) % 36];
  return id;
}

/** `crypto.getRandomValues` as a `random()`, where the platform has it (browsers, Node ≥ 19, Deno, Bun). */
function cryptoRandom(): (() => number) | undefined {
  const crypto = (globalThis as { crypto?: { getRandomValues?<T extends ArrayBufferView>(array: T): T } }).crypto;
  if (typeof crypto?.getRandomValues !== 'function') return undefined;
  const buffer = new Uint32Array(16);
  let next = buffer.length;
  return () => {
    if (next === buffer.length) {
      crypto.getRandomValues!(buffer);
      next = 0;
    }
    return buffer[next++]! / 4294967296;
  };
}

/**
 * Generates client message ids (also the idempotency keys the server deduplicates on).
 *
 * By default every id is 16 random base-36 characters (~82 bits) from the platform's cryptographic
 * random: ids are echoed to every subscriber of a channel, so they must not let anyone predict the
 * next one and suppress it by publishing it first. With a fixed `prefix` (tests) ids are
 * `prefix.0`, `prefix.1`, … — deterministic, and predictable.
 */
export function createIdGenerator(prefix: string | undefined, fallbackRandom: () => number): () => string {
  if (prefix !== undefined) {
    let counter = 0;
    return () => `${prefix}.${(counter++).toString(36)}`;
  }
  const random = cryptoRandom() ?? fallbackRandom;
  return () => randomId(random, 16);
}
