/** One interaction's life on the fake: acknowledgement, original response, edits, follow-ups. */
import { randomBytes } from 'node:crypto';
import type { StoredMessage, World } from './model.js';
import { snowflake } from './snowflake.js';
import type { FakeInteraction, FakeMessage } from './types.js';
import { Changes } from './waiters.js';

/** Interaction types (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-type). */
export const InteractionKind = { ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4 } as const;
/** Callback types (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type). */
export const Callback = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

const DEFAULT_WAIT_MS = 5000;

export interface Ack {
  type: number;
  data: Record<string, unknown> | null;
}

export class InteractionRecord implements FakeInteraction {
  readonly id = snowflake();
  /** Like Discord's: base64 of "interaction:<id>:<secret>" (URL-safe alphabet, so it needs no escaping in a path). */
  readonly token = Buffer.from(`interaction:${this.id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
  readonly createdAt = Date.now();
  ack: Ack | null = null;
  /** The original response: the reply, the loading message of a deferral, or the clicked message after 6 / 7. */
  original: StoredMessage | null = null;
  /** A deferred reply (5) whose loading message nothing has replaced yet. */
  loading = false;
  edits = 0;
  readonly followUpIds: string[] = [];
  private expired = false;
  private readonly changes = new Changes();

  constructor(
    private readonly world: World,
    readonly kind: number,
    readonly channelId: string,
    readonly userId: string,
    readonly commandName: string | null,
    /** The message a component interaction came from. */
    readonly clicked: StoredMessage | null,
    private readonly timeoutMs: number,
  ) {}

  /** Unanswered for longer than Discord's window (or expire() called): callbacks get 10062. */
  isExpired(): boolean {
    return this.expired || Date.now() - this.createdAt > this.timeoutMs;
  }

  setAck(ack: Ack): void {
    this.ack = ack;
    this.changes.notify();
  }

  noteEdit(): void {
    this.edits++;
    this.changes.notify();
  }

  noteChange(): void {
    this.changes.notify();
  }

  // ---- FakeInteraction ----

  acknowledged(timeoutMs = DEFAULT_WAIT_MS): Promise<Ack> {
    return this.changes.until(
      () => (this.ack ? structuredClone(this.ack) : undefined),
      timeoutMs,
      `interaction ${this.id} (${this.commandName ?? 'component'}) to be acknowledged`,
    );
  }

  response(): FakeMessage | null {
    return this.original && !this.original.deleted ? this.world.fakeMessage(this.original) : null;
  }

  waitForEdits(n: number, timeoutMs = DEFAULT_WAIT_MS): Promise<FakeMessage> {
    return this.changes.until(
      () => (this.edits >= n && this.original ? this.world.fakeMessage(this.original) : undefined),
      timeoutMs,
      `the original response of interaction ${this.id} to be created/edited ${n} time(s) (now ${this.edits})`,
    );
  }

  followUps(): FakeMessage[] {
    return this.followUpIds
      .map((id) => this.world.messages.get(id))
      .filter((m): m is StoredMessage => m !== undefined && !m.deleted)
      .map((m) => this.world.fakeMessage(m));
  }

  expire(): void {
    this.expired = true;
  }
}
