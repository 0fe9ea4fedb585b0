import { statSync } from 'node:fs';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** How a playbook holder reads its file and names it in the log. */
export interface PlaybookHolderOptions<T> {
  /** Reads and validates the file; throws (ConfigError) when it is bad. */
  load: (file: string) => T;
  /** The playbook's name in the log: `${name} reloaded`. */
  name: string;
  /**
   * Further files the playbook was read from (such as a calendar it names): a change to one of them
   * also reloads. As they come from the playbook, the stamps are then taken after loading.
   */
  alsoWatch?: (playbook: T) => readonly (string | undefined)[];
}

/** The size and modification time of a file, or `missing`; two equal stamps mean an unchanged file. */
export function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * Holds the current version of a playbook file. `reload()` reads the file again; when the new version
 * is bad, the last good one stays in use and the one-line error is logged and returned.
 * @example
 * const holder = new PlaybookHolder('sop/membership.yaml', { load: loadMembershipPlaybook, name: 'membership playbook' }, logger);
 * holder.current.tiers; holder.reloadIfChanged();
 */
export class PlaybookHolder<T extends { readonly file: string }> {
  private playbook: T | null;
  private stamp = '';
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly listeners: ((p: T) => void)[] = [];
  readonly file: string;

  /** @param source a file path (loaded on first use) or an already loaded playbook (tests). */
  constructor(
    source: string | T,
    private readonly options: PlaybookHolderOptions<T>,
    public logger?: Logger,
  ) {
    this.file = typeof source === 'string' ? source : source.file;
    this.playbook = typeof source === 'string' ? null : source;
    if (this.playbook) this.stamp = this.stampNow();
  }

  /** The playbook in use. The first access loads the file and throws ConfigError when it is bad. */
  get current(): T {
    if (!this.playbook) {
      if (this.options.alsoWatch) {
        this.playbook = this.options.load(this.file);
        this.stamp = this.stampNow();
      } else {
        this.stamp = this.stampNow();
        this.playbook = this.options.load(this.file);
      }
    }
    return this.playbook;
  }

  /**
   * The current playbook, after looking for an edited file at most every `everyMs` of `now` (a stat,
   * so cheap enough for every message). A bad edit keeps the last good version.
   */
  fresh(now: number, everyMs = 10_000): T {
    if (now - this.checkedAt >= everyMs) {
      this.checkedAt = now;
      this.reloadIfChanged();
    }
    return this.current;
  }

  /** Calls `fn` with every playbook that replaces the current one. Returns an unsubscribe function. */
  onChange(fn: (p: T) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Reads the file again. On error the last good version stays and the error is logged once. */
  reload(): { ok: true } | { ok: false; error: string } {
    return this.load(this.options.alsoWatch ? undefined : this.stampNow());
  }

  /** Reloads when the file(s) changed since the last load (by size and modification time). */
  reloadIfChanged(): { ok: true; changed: boolean } | { ok: false; error: string } {
    if (!this.playbook) return { ok: true, changed: false };
    const stamp = this.stampNow();
    if (stamp === this.stamp) return { ok: true, changed: false };
    const r = this.load(this.options.alsoWatch ? undefined : stamp);
    return r.ok ? { ok: true, changed: true } : r;
  }

  /** Whether the playbook has been loaded (or was given). */
  protected get loaded(): boolean {
    return this.playbook !== null;
  }

  /** Loads the file; `before` is the stamp taken before loading, or none to stamp afterwards. */
  private load(before: string | undefined): { ok: true } | { ok: false; error: string } {
    try {
      const next = this.options.load(this.file);
      this.playbook = next;
      this.stamp = before ?? this.stampNow();
      for (const fn of this.listeners) fn(next);
      this.logger?.info({ file: this.file }, `${this.options.name} reloaded`);
      return { ok: true };
    } catch (err) {
      this.stamp = before ?? this.stampNow(); // do not retry the same bad file on every check
      const error = errorMessage(err);
      this.logger?.error(`${error} (still using the last good version)`);
      return { ok: false, error };
    }
  }

  private stampNow(): string {
    const main = fileStamp(this.file);
    if (!this.options.alsoWatch) return main;
    const others = this.playbook ? this.options.alsoWatch(this.playbook) : [];
    return [main, ...others.map((f) => (f ? fileStamp(f) : ''))].join('|');
  }
}
