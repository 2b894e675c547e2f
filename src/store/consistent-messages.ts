import type { MessageIndex, Placed } from './message-index';

/**
 * The server's entries as the store may take them. An entry's seq and
 * conversation never change, so a message that disagrees with what is
 * stored (its id stored at another seq or in another conversation, or its
 * seq holding another id), or with an earlier one of the same batch, comes
 * from a buggy or hostile server: storing it would put two messages at one
 * seq, or move a message and open a gap behind the sync position that no
 * catch-up refills. The message stored first stays; the rest are returned
 * as refused.
 */
export function consistentMessages<T extends Placed>(messages: T[], stored: ReadonlyMap<string, Placed>, index: MessageIndex): { accepted: T[]; refused: T[] } {
  const accepted: T[] = [];
  const refused: T[] = [];
  const batchIdAt = new Map<string, string>();
  const batchSeqOf = new Map<string, string>();
  for (const m of messages) {
    const place = `${m.conversationId}\u0000${m.seq}`;
    const old = stored.get(m.id);
    const idAtSeq = index.idAt(m.conversationId, m.seq) ?? batchIdAt.get(place);
    const placeOfId = batchSeqOf.get(m.id);
    const conflict = (old !== undefined && (old.seq !== m.seq || old.conversationId !== m.conversationId)) || (idAtSeq !== undefined && idAtSeq !== m.id) || (placeOfId !== undefined && placeOfId !== place);
    if (conflict) {
      refused.push(m);
      continue;
    }
    batchIdAt.set(place, m.id);
    batchSeqOf.set(m.id, place);
    accepted.push(m);
  }
  return { accepted, refused };
}
