/**
 * Chat suggestions that other capabilities put on the guides' 3+3+3 cards: members a guide should
 * write to privately today, with the reason shown on the card (e.g. the wake-up's dormant members who
 * are not contacts of the bot account: `沉睡 45 天 · 发券提醒`). The app makes one board and hands it
 * to every capability; a capability that has suggestions registers a source, the card planner reads
 * them. Neither needs the other installed: no source, no suggestions; no card, nobody reads them.
 */

/** One member suggested to one guide for a private chat. */
export interface CardSuggestion {
  memberId: number;
  name: string;
  phone: string | null;
  /** Why, as shown on the card. */
  reason: string;
}

/**
 * A source of suggestions: every guide's for the local `date`, best first. Called once per card
 * run for all guides (one query, not one per guide).
 */
export type CardSuggestionSource = (date: string) => ReadonlyMap<string, readonly CardSuggestion[]>;

/** The board sources register on and the card planner reads. */
export class CardSuggestions {
  private readonly sources = new Map<string, CardSuggestionSource>();

  /**
   * Registers a source under a name (the rule recorded with each pick, e.g. `wake-up`).
   * @returns a function that removes it (for the capability's uninstall).
   */
  register(name: string, source: CardSuggestionSource): () => void {
    this.sources.set(name, source);
    return () => {
      if (this.sources.get(name) === source) this.sources.delete(name);
    };
  }

  /** Every source's suggestions for `date`, per guide, with the source's name. */
  forDate(date: string): Map<string, (CardSuggestion & { source: string })[]> {
    const out = new Map<string, (CardSuggestion & { source: string })[]>();
    for (const [source, fn] of this.sources) {
      for (const [guide, list] of fn(date)) {
        let mine = out.get(guide);
        if (!mine) out.set(guide, (mine = []));
        for (const s of list) mine.push({ ...s, source });
      }
    }
    return out;
  }
}
