import { h } from './dom';

/** The "New messages" line: a row of its own in the message list, above the first unread message. */
export interface UnreadRow {
  kind: 'unread';
  key: string;
}

export const UNREAD_ROW: UnreadRow = { kind: 'unread', key: 'u:new' };

/** How far above the "New messages" line the list lands, so a little of what was read shows too. */
export const LANDING_CONTEXT_PX = 24;

export function unreadLineNode(row: UnreadRow): HTMLElement {
  return h('div', { class: 'row row-unread', 'data-key': row.key }, h('span', {}, 'New messages'));
}

/**
 * The index before which the line goes: the first row whose seq is at least
 * `seq` (the first unread message at opening), or -1 while no such row is
 * loaded. `seqOf` gives a row's seq, null for rows without one.
 */
export function unreadLineIndex<R>(rows: readonly R[], seq: number, seqOf: (row: R) => number | null): number {
  for (let i = 0; i < rows.length; i++) {
    const rowSeq = seqOf(rows[i] as R);
    if (rowSeq !== null && rowSeq >= seq) return i;
  }
  return -1;
}

/**
 * Counts what the person has not had on screen yet: messages from others past
 * the newest seq that was in view during this visit (or, for a visit that
 * landed on unread messages, past the read position at opening).
 */
export class UnseenCounter {
  private seenSeq: number;

  /** `readUpTo`: what counts as seen before anything is shown; Infinity to start from what the first view shows. */
  constructor(readUpTo: number) {
    this.seenSeq = readUpTo;
  }

  /** Everything up to `seq` has been in view. */
  see(seq: number): void {
    if (!Number.isFinite(this.seenSeq) || seq > this.seenSeq) this.seenSeq = seq;
  }

  /**
   * Unseen messages from others among the `count` entries that `at` gives
   * (oldest first): walks back from the newest only as far as needed, so a
   * long history costs nothing.
   */
  count(count: number, at: (index: number) => { seq: number | null; senderId: string; kind?: string }, selfId: string | undefined): number {
    if (!Number.isFinite(this.seenSeq)) return 0;
    let unseen = 0;
    for (let i = count - 1; i >= 0; i--) {
      const m = at(i);
      if (m.seq === null) continue;
      if (m.seq <= this.seenSeq) break;
      if (m.senderId !== selfId && (m.kind ?? 'message') === 'message') unseen++;
    }
    return unseen;
  }
}
