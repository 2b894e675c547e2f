import type Backbone from 'backbone';

/**
 * How a collection follows `store:change:<schema>` after its fetch(): for
 * each changed id, set the existing model, add a new one, or remove one the
 * store no longer has (one change, not a re-read of the whole schema).
 */
export function applyStoreChange<M extends Backbone.Model>(
  collection: Backbone.Collection<M>,
  ids: string[],
  find: (id: string) => object | undefined,
): void {
  const added: object[] = [];
  const removed: M[] = [];
  for (const id of ids) {
    const item = find(id);
    const existing = collection.get(id);
    if (item && existing) existing.set(item);
    else if (item) added.push(item);
    else if (existing) removed.push(existing);
  }
  if (removed.length) collection.remove(removed);
  if (added.length) collection.add(added as never[]);
  else if (ids.length && collection.comparator) collection.sort();
}
