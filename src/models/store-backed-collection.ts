import type Backbone from 'backbone';

/**
 * The original design's pattern for following the store: for each changed id, set the
 * existing model, add a new one, or remove one the store no longer has.
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
