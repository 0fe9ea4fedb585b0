/**
 * What a capability publishes for others in the same app: its service, its playbook holder. The app
 * makes one board and hands it to every capability (`ctx.published`); the capability that owns a
 * thing publishes the one instance it runs on, and the admin commands and the console use that
 * instance instead of building copies (a second campaign service, a playbook read from disk on
 * every command). Each key is declared by the owning capability and exported from its index.ts.
 */

/** A typed name for one published thing. */
export interface PublishedKey<T> {
  readonly name: string;
  /** Carries the type only; never set. */
  readonly _type?: (t: T) => T;
}

/**
 * Declares a key (in the owning capability's folder).
 * @example export const CAMPAIGNS = publishedKey<{ repo: CampaignsRepo; service: CampaignService }>('campaigns')
 */
export function publishedKey<T>(name: string): PublishedKey<T> {
  return { name };
}

/** The app's board of published things. */
export class Published {
  private readonly items = new Map<string, unknown>();

  /**
   * Publishes `value` under `key` (one owner per key: a second publisher is a wiring mistake).
   * @returns a function that withdraws it (for the capability's uninstall).
   */
  publish<T>(key: PublishedKey<T>, value: T): () => void {
    if (this.items.has(key.name)) throw new Error(`"${key.name}" is already published: one capability owns it`);
    this.items.set(key.name, value);
    return () => {
      if (this.items.get(key.name) === value) this.items.delete(key.name);
    };
  }

  /** The published thing, or undefined when no installed capability publishes it. */
  find<T>(key: PublishedKey<T>): T | undefined {
    return this.items.get(key.name) as T | undefined;
  }

  /** The published thing; throws, naming it, when no installed capability publishes it. */
  get<T>(key: PublishedKey<T>): T {
    if (!this.items.has(key.name)) throw new Error(`nothing publishes "${key.name}": install the capability that owns it (src/capabilities.ts)`);
    return this.items.get(key.name) as T;
  }
}
