import type { MessageView } from '../core/client-core-api';
import type { MessageLookup } from './message-lookup';
import { firstLine, type Quote } from './message-parts';
import type { MessageModel } from './view-core';

/**
 * What the quotes of one conversation's replies say, and the fetching of
 * originals this device does not hold. An original not in the collection is
 * asked for once (`history.ensureMessage`, which adds it to the collection,
 * whose `add` redraws the replies); one the server does not show this person
 * (sent before they joined) is remembered as hidden and quoted neutrally.
 */
export class ReplyQuotes {
  private readonly hidden = new Set<string>();
  private readonly asked = new Map<string, Promise<boolean>>();

  constructor(
    private readonly lookup: MessageLookup,
    private readonly ensureMessage: (messageId: string) => Promise<boolean>,
    private readonly nameOf: (senderId: string) => string,
    /** Called with ids that turned out hidden, so the replies quoting them are drawn again. */
    private readonly onHidden: (ids: ReadonlySet<string>) => void,
  ) {}

  quoteOf(id: string): Quote {
    const model = this.lookup.byMessageId(id);
    if (model) {
      const m = model.attributes as MessageView;
      const senderName = this.nameOf(m.senderId);
      return m.deletedAt ? { kind: 'deleted', id, senderName } : { kind: 'message', id, senderName, text: firstLine(m.body) };
    }
    if (this.hidden.has(id)) return { kind: 'hidden' };
    // Drawing a row must not wait: the fetch runs after it, and its result redraws the row.
    queueMicrotask(() => void this.fetch(id).catch(() => undefined));
    return { kind: 'loading', id };
  }

  /** The original, fetched when it is not here; undefined when this person cannot see it (or it cannot be reached now). */
  async original(id: string): Promise<MessageModel | undefined> {
    const here = this.lookup.byMessageId(id);
    if (here) return here;
    const found = await this.fetch(id);
    return found ? this.lookup.byMessageId(id) : undefined;
  }

  /** One request per id while it runs; a failure (offline) is forgotten so a later look tries again. */
  private fetch(id: string): Promise<boolean> {
    let asked = this.asked.get(id);
    if (!asked) {
      asked = this.ensureMessage(id).then(
        (found) => {
          this.asked.delete(id);
          if (!found && !this.hidden.has(id)) {
            this.hidden.add(id);
            this.onHidden(new Set([id]));
          }
          return found;
        },
        (error: unknown) => {
          this.asked.delete(id);
          throw error;
        },
      );
      this.asked.set(id, asked);
    }
    return asked;
  }
}
