const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random base-36 string of `length` characters drawn from `random`. */
export function randomId(random: () => number, length = 12): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(random() * 36) % 36];
  return id;
}

/**
 * Generates client message ids: one random prefix per client, then a counter. Unique across tabs and
 * reloads in practice (62 random bits), short on the wire, and deterministic under a seeded random.
 */
export function createIdGenerator(prefix: string): () => string {
  let counter = 0;
  return () => `${prefix}.${(counter++).toString(36)}`;
}
