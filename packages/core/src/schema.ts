import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A channel schema maps channel names (literal or template, e.g. `room:${string}`) to a map of event
 * names to payload types. It types every channel, event and payload in the API.
 *
 * @example
 * type Schema = {
 *   [room: `room:${string}`]: { message: { text: string }; typing: { userId: string } };
 *   notifications: { notification: { title: string } };
 * };
 */
export type ChannelSchema = Record<string, Record<string, unknown>>;

/** The schema when none is given: any channel, any event, `unknown` payloads. */
export type AnySchema = Record<string, Record<string, unknown>>;

export type ChannelName<S extends ChannelSchema> = keyof S & string;

/** The event map of channel `C` (resolving template keys such as `room:${string}`). */
export type ChannelEvents<S extends ChannelSchema, C extends string> = C extends keyof S ? S[C] : Record<string, unknown>;

export type EventName<S extends ChannelSchema, C extends string> = keyof ChannelEvents<S, C> & string;

export type Payload<S extends ChannelSchema, C extends string, E extends string> =
  E extends keyof ChannelEvents<S, C> ? ChannelEvents<S, C>[E] : unknown;

/**
 * Runtime validators: channel name or prefix pattern (`'room:*'`) → event → Standard Schema
 * (zod, valibot, arktype, …). An invalid payload is dropped, counted and reported as an error event.
 */
export type SchemaValidators = Record<string, Record<string, StandardSchemaV1>>;

/** Infers a `ChannelSchema` from validators: `'room:*'` becomes `room:${string}`. */
export type InferSchema<V extends SchemaValidators> = {
  [K in keyof V as K extends `${infer P}*` ? `${P}${string}` : K]: {
    [E in keyof V[K]]: V[K][E] extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<V[K][E]> : never;
  };
};

export type ValidationResult =
  | { ok: true; value: unknown }
  | { ok: false; issues: readonly StandardSchemaV1.Issue[] };

/** Resolves the validator for a channel/event: exact channel name first, then the longest `prefix*`. */
export function createValidatorLookup(validators: SchemaValidators | undefined) {
  if (!validators) return undefined;
  const exact = new Map<string, Record<string, StandardSchemaV1>>();
  const prefixes: Array<[string, Record<string, StandardSchemaV1>]> = [];
  for (const [pattern, events] of Object.entries(validators)) {
    if (pattern.endsWith('*')) prefixes.push([pattern.slice(0, -1), events]);
    else exact.set(pattern, events);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  const cache = new Map<string, Record<string, StandardSchemaV1> | null>();
  return (channel: string, event: string): StandardSchemaV1 | undefined => {
    let events = cache.get(channel);
    if (events === undefined) {
      events = exact.get(channel) ?? prefixes.find(([prefix]) => channel.startsWith(prefix))?.[1] ?? null;
      if (cache.size > 1000) cache.clear();
      cache.set(channel, events);
    }
    return events?.[event];
  };
}

/** Runs a Standard Schema validator; the result may be a promise for async schemas. */
export function runValidator(
  schema: StandardSchemaV1,
  value: unknown,
): ValidationResult | Promise<ValidationResult> {
  const toResult = (r: StandardSchemaV1.Result<unknown>): ValidationResult =>
    r.issues ? { ok: false, issues: r.issues } : { ok: true, value: r.value };
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then(toResult) : toResult(result);
}
