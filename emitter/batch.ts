import { WIRE_SCHEMA, type MessageSource } from '../shared';

/** One sealed wire-format v1 message, ready for the transport. */
export interface SealedMessage {
  /** Monotonic per emitter: `flushMetrics()` waits for every message up to a sequence number. */
  readonly seq: number;
  readonly data: Buffer;
  /** Pack code's events in the message (a merged event counts once). */
  readonly userEvents: number;
  /** Pack code's calls in the message (a merged event of count 40 counts 40): what the stats count. */
  readonly userCalls: number;
  /** The UTF-8 bytes of every event in the message, as the emitter's memory bound counted them. */
  readonly eventBytes: number;
  /** The emitter's own `infra.metrics.emitter.*` events in the message (not counted in stats). */
  readonly selfEvents: number;
  /** When the message was sealed, epoch ms: the retry window runs from here. */
  readonly sealedAtMs: number;
}

/**
 * A batch being filled: a pure container in the style of nodejs-pubsub's MessageBatch.
 * Events arrive already serialised with their UTF-8 byte length, so `canFit` is exact and a sealed
 * message never exceeds `maxBytes` or `maxEvents`.
 */
export class MessageBatch {
  private readonly prefix: string;
  private readonly prefixBytes: number;
  private parts: string[] = [];
  /** Bytes the message would have if sealed now (prefix, events, commas and the closing `]}`). */
  private bytes: number;
  userEvents = 0;
  userCalls = 0;
  selfEvents = 0;
  eventBytes = 0;

  constructor(
    source: MessageSource,
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {
    this.prefix = `{"schema":${JSON.stringify(WIRE_SCHEMA)},"source":${JSON.stringify({ service: source.service, environment: source.environment })},"events":[`;
    this.prefixBytes = Buffer.byteLength(this.prefix, 'utf8');
    this.bytes = this.prefixBytes + 2;
  }

  get size(): number {
    return this.parts.length;
  }

  /** The largest event a fresh batch can hold; a bigger one can never be sent. */
  get maxEventBytes(): number {
    return this.maxBytes - this.prefixBytes - 2;
  }

  canFit(eventBytes: number): boolean {
    const comma = this.parts.length === 0 ? 0 : 1;
    return this.parts.length < this.maxEvents && this.bytes + comma + eventBytes <= this.maxBytes;
  }

  /** Adds one serialised event standing for `calls` calls; the caller has checked `canFit`. */
  add(eventJson: string, eventBytes: number, self: boolean, calls = 1): void {
    this.bytes += (this.parts.length === 0 ? 0 : 1) + eventBytes;
    this.eventBytes += eventBytes;
    this.parts.push(eventJson);
    if (self) this.selfEvents++;
    else {
      this.userEvents++;
      this.userCalls += calls;
    }
  }

  /** Seals the batch into a message and empties it for reuse. */
  seal(seq: number, nowMs: number): SealedMessage {
    const data = Buffer.from(this.prefix + this.parts.join(',') + ']}', 'utf8');
    const message: SealedMessage = { seq, data, userEvents: this.userEvents, userCalls: this.userCalls, eventBytes: this.eventBytes, selfEvents: this.selfEvents, sealedAtMs: nowMs };
    this.parts = [];
    this.bytes = this.prefixBytes + 2;
    this.userEvents = 0;
    this.userCalls = 0;
    this.selfEvents = 0;
    this.eventBytes = 0;
    return message;
  }
}
