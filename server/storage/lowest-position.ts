/**
 * The lowest of a conversation's members' positions (delivered or read), kept
 * so that "the lowest over the members other than me" costs O(1) per caller:
 * the lowest value, how many members hold it, and the next higher value held
 * by anyone. A conversation's summaries (`deliveredToAllSeq`, `readByAllSeq`)
 * for each of its N members come from one of these, made by one O(N) scan.
 */
export interface LowestPosition {
  /** The lowest position (Infinity when there are no members). */
  min: number;
  /** How many members hold `min`. */
  count: number;
  /** The lowest position above `min` (Infinity when every member holds `min`). */
  next: number;
}

/** One scan over the positions. */
export function lowestOf(positions: Iterable<number>): LowestPosition {
  let min = Infinity;
  let count = 0;
  let next = Infinity;
  for (const p of positions) {
    if (p < min) {
      next = min;
      min = p;
      count = 1;
    } else if (p === min) count++;
    else if (p < next) next = p;
  }
  return { min, count, next };
}

/**
 * The lowest position over the members other than the caller, whose own
 * position is `own` (undefined: the caller is no member, so every member
 * counts). With no other member the answer is 0: nobody else has received
 * or read anything (docs/PROTOCOL.md, section 7a).
 */
export function lowestOfOthers(lowest: LowestPosition, own: number | undefined): number {
  const value = own !== undefined && own === lowest.min && lowest.count === 1 ? lowest.next : lowest.min;
  return value === Infinity ? 0 : value;
}

export function sameLowest(a: LowestPosition, b: LowestPosition): boolean {
  return a.min === b.min && a.count === b.count && a.next === b.next;
}
