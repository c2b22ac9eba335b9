// Owns keeping the last good version of one hot-reloaded file: a new valid content replaces it, an invalid one is
// refused (its problems, hash and first refusal time kept) while the last good version stays in force. Pure.
import type { Located } from '../util/yaml-zod.js';
import { contentHash } from './hash.js';

/** A file whose current content is refused. */
export interface Refusal {
  file: string;
  /** Hash of the refused content. */
  hash: string;
  problems: Located[];
  /** When this content was first refused (ISO). */
  since: string;
  /** Hash of the version still in use (the last good one), or null if the file never was valid. */
  activeHash: string | null;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: Located[] };

/** What offering a content did: a first valid version, a new valid one, the one in force again, or a refusal. */
export type Offered = 'added' | 'changed' | 'unchanged' | 'refused';

export class LastGood<T extends { hash: string }> {
  private good: T | undefined;
  private refusal: Refusal | undefined;

  constructor(readonly file: string) {}

  /**
   * Offers the file's current content. `validate` runs only for content not seen last time (the version in force or
   * the refused one); `refusedAt` is read only for a new refusal, so re-reading the same refused content keeps its time.
   */
  offer(text: string, validate: (text: string) => Validated<T>, refusedAt: () => Date): Offered {
    const hash = contentHash(text);
    if (this.good?.hash === hash) {
      this.refusal = undefined; // reverted to the version in force
      return 'unchanged';
    }
    if (this.refusal?.hash === hash) return 'refused';
    const r = validate(text);
    if (r.ok) {
      const outcome = this.good ? 'changed' : 'added';
      this.good = r.value;
      this.refusal = undefined;
      return outcome;
    }
    this.refusal = {
      file: this.file,
      hash,
      problems: r.problems,
      since: refusedAt().toISOString(),
      activeHash: this.good?.hash ?? null,
    };
    return 'refused';
  }

  /** The last good version, if the file ever was valid. */
  active(): T | undefined {
    return this.good;
  }

  /** The refusal of the current content, if it is refused. */
  refused(): Refusal | undefined {
    return this.refusal;
  }
}
