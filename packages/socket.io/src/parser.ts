/**
 * A socket.io packet codec (protocol v5, text packets) that never throws.
 *
 * socket.io-client's own parser throws on a malformed packet, and the Manager answers any throw by
 * closing the connection ("parse error"). switchboard's rule is that bad input from the wire becomes a
 * `RealtimeError` and the connection stays up, so the transport hands the Manager this codec instead:
 * same wire format, but a packet that cannot be decoded (bad JSON, unknown type, oversized, binary) is
 * reported through `sink` and dropped. The server keeps socket.io's default parser.
 *
 * Packet format: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`.
 */
import { RealtimeError } from '@switchboard/core';
import { utf8Length } from '@switchboard/core/protocol';

const CONNECT = 0;
const DISCONNECT = 1;
const EVENT = 2;
const ACK = 3;
const CONNECT_ERROR = 4;
const BINARY_EVENT = 5;
const BINARY_ACK = 6;

/** A packet as socket.io-client's Manager and Socket exchange them with their parser. */
export interface Packet {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
}

export interface ParserSink {
  /** Where undecodable packets are reported. */
  error(error: RealtimeError): void;
  /** Inbound packets larger than this (UTF-8 bytes) are dropped with `FRAME_TOO_LARGE`. */
  readonly maxFrameBytes: number;
  readonly transport: string;
}

type DecodedListener = (packet: Packet) => void;

/** What socket.io-client's `parser` option expects: an `Encoder` and a `Decoder` class. */
export interface SocketIOParser {
  Encoder: new () => { encode(packet: Packet): string[] };
  Decoder: new () => {
    add(chunk: unknown): void;
    destroy(): void;
    on(event: string, listener: DecodedListener): unknown;
    off(event: string, listener: DecodedListener): unknown;
  };
}

/** A parser reporting to `sink()` (read on every packet: the transport points it at the current attempt). */
export function tolerantParser(sink: () => ParserSink): SocketIOParser {
  class Encoder {
    encode(packet: Packet): string[] {
      let text = String(packet.type);
      if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
      if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
      if (packet.data === undefined) return [text];
      try {
        return [text + JSON.stringify(packet.data)];
      } catch (cause) {
        const s = sink();
        s.error(new RealtimeError('INVALID_PAYLOAD', 'A packet could not be encoded as JSON; it was not sent.', { cause, details: { transport: s.transport } }));
        return [];
      }
    }
  }

  class Decoder {
    readonly #listeners = new Set<DecodedListener>();
    /** Binary attachments still to skip after a binary packet (not supported: JSON only). */
    #skip = 0;

    on(event: string, listener: DecodedListener): this {
      if (event === 'decoded') this.#listeners.add(listener);
      return this;
    }

    off(event: string, listener: DecodedListener): this {
      if (event === 'decoded') this.#listeners.delete(listener);
      return this;
    }

    add(chunk: unknown): void {
      const s = sink();
      if (typeof chunk !== 'string') {
        if (this.#skip > 0) {
          this.#skip--;
          return;
        }
        return s.error(bad(s, 'An unexpected binary frame arrived.'));
      }
      if (chunk.length > s.maxFrameBytes / 3 && utf8Length(chunk) > s.maxFrameBytes) {
        return s.error(
          new RealtimeError('FRAME_TOO_LARGE', `An inbound packet exceeds ${s.maxFrameBytes} bytes; it was dropped.`, {
            details: { transport: s.transport, limit: s.maxFrameBytes, ...eventName(chunk) },
          }),
        );
      }
      const packet = this.#decode(chunk, s);
      if (!packet) return;
      for (const listener of [...this.#listeners]) listener(packet);
    }

    destroy(): void {
      this.#skip = 0;
    }

    #decode(text: string, s: ParserSink): Packet | null {
      const type = text.charCodeAt(0) - 48;
      if (!(type >= CONNECT && type <= BINARY_ACK)) return drop(s, `Unknown packet type "${text.slice(0, 1)}".`);
      let i = 1;
      if (type === BINARY_EVENT || type === BINARY_ACK) {
        const dash = text.indexOf('-', i);
        const count = Number(text.slice(i, dash));
        if (dash > 0 && Number.isInteger(count) && count >= 0 && count < 100) this.#skip = count;
        return drop(s, 'Binary payloads are not supported (switchboard sends JSON).');
      }
      let nsp = '/';
      if (text[i] === '/') {
        const comma = text.indexOf(',', i);
        const end = comma < 0 ? text.length : comma;
        nsp = text.slice(i, end);
        i = comma < 0 ? end : end + 1;
      }
      let id: number | undefined;
      const digits = /^\d{1,15}/.exec(text.slice(i, i + 16));
      if (digits) {
        id = Number(digits[0]);
        i += digits[0].length;
      }
      let data: unknown;
      if (i < text.length) {
        try {
          data = JSON.parse(text.slice(i));
        } catch (cause) {
          s.error(new RealtimeError('BAD_FRAME', 'A packet is not valid JSON; it was dropped.', { cause, details: { transport: s.transport, ...eventName(text) } }));
          return null;
        }
      }
      if (!validPayload(type, data)) return drop(s, `A packet of type ${type} has an invalid payload; it was dropped.`);
      return { type, nsp, ...(id === undefined ? {} : { id }), ...(data === undefined ? {} : { data }) };
    }
  }

  return { Encoder, Decoder };
}

function validPayload(type: number, data: unknown): boolean {
  switch (type) {
    case CONNECT:
      return typeof data === 'object' && data !== null;
    case DISCONNECT:
      return data === undefined;
    case CONNECT_ERROR:
      return typeof data === 'string' || (typeof data === 'object' && data !== null);
    case EVENT:
      return Array.isArray(data) && data.length > 0 && typeof data[0] === 'string';
    case ACK:
      return Array.isArray(data);
    default:
      return false;
  }
}

function bad(s: ParserSink, message: string): RealtimeError {
  return new RealtimeError('BAD_FRAME', message, { details: { transport: s.transport } });
}

/** Reports an undecodable packet; nothing is delivered. */
function drop(s: ParserSink, message: string): null {
  s.error(bad(s, message));
  return null;
}

/** The event name of an event packet, read without parsing it (for error details). */
function eventName(text: string): { event?: string } {
  const match = /^2(?:\/[^,]*,)?\d*\["([^"\\]{1,60})"/.exec(text);
  return match?.[1] === undefined ? {} : { event: match[1] };
}
