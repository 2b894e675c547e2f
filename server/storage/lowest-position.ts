/**
 * The lowest of a conversation's members' positions (delivered or read), kept
 * so that "the lowest over the members other than me" costs O(1) per caller:
 * the lowest value, how many members hold it, and the next higher value held
 * by anyone. A conversation's summaries (`deliveredToAllSeq`, `readByAllSeq`)
 * for each of its N members come from one of these, made by one O(N) scan
 * and kept up to date in O(1) for most moves (`movedLowest`).
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

/**
 * The lowest positions after one member moved from `from` up to `to`, or
 * null when that takes a scan: the last member at the lowest moved (the new
 * lowest and how many hold it are not known), or a member at `next` moved
 * (how many hold `next` is not kept). Any other move is O(1): a member
 * above `next` moving up changes nothing.
 */
export function movedLowest(l: LowestPosition, from: number, to: number): LowestPosition | null {
  if (to === from) return l;
  if (from === l.min) return l.count > 1 ? { min: l.min, count: l.count - 1, next: Math.min(l.next, to) } : null;
  if (from === l.next) return null;
  return l;
}

/**
 * Whether going from `a` to `b` may have changed the lowest-of-the-others
 * of any member: not when the lowest stayed and it is shared by several
 * members before and after (everyone sees it), nor when one member alone
 * held it before and after with the same next (they see `next`, the others
 * the lowest). Members' views only move up, positions only moving up.
 */
export function othersMayHaveMoved(a: LowestPosition, b: LowestPosition): boolean {
  if (a.min !== b.min) return true;
  if (a.count > 1 && b.count > 1) return false;
  return !(a.count === 1 && b.count === 1 && a.next === b.next);
}
