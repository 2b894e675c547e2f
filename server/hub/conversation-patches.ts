import type { ConversationPatch } from '../../src/protocol/index';
import { chunksWithin } from './byte-chunks';
import { conversationsKey, type Hub } from './hub';
import type { Outbox } from './outbox';
import type { ResourceVersions } from './versions';

/**
 * The `conversations` patches of one pass (one committed batch, or one
 * coalescing timer): per user, per conversation, the fields that moved
 * (ConversationPatchSchema). Patches of one conversation for the same user
 * merge into one. Users whose patches are the same objects (every member
 * of a group that got a message: one shared `{id, latestSeq, updatedAt}`)
 * share one encoded frame, so a message in a group of N costs N frames of
 * O(1) bytes and one encoding.
 */
export class ConversationPatches {
  private readonly byUser = new Map<string, Map<string, ConversationPatch>>();

  constructor(
    private readonly hub: Hub,
    private readonly versions: ResourceVersions,
  ) {}

  /** Adds `patch` for each of these users; pass one object for many users so that they share a frame. */
  add(userIds: Iterable<string>, patch: ConversationPatch): void {
    for (const userId of userIds) {
      let patches = this.byUser.get(userId);
      if (!patches) this.byUser.set(userId, (patches = new Map()));
      const earlier = patches.get(patch.id);
      patches.set(patch.id, earlier ? { ...earlier, ...patch } : patch);
    }
  }

  get size(): number {
    return this.byUser.size;
  }

  /** Sends every user their patches, one notification per user (or per frame's worth), in one version. */
  send(out?: Outbox): void {
    if (this.byUser.size === 0) return;
    const identity = new Map<ConversationPatch, number>();
    const groups = new Map<string, { keys: string[]; patches: ConversationPatch[] }>();
    for (const [userId, patches] of this.byUser) {
      const list = [...patches.values()];
      let signature = '';
      for (const patch of list) {
        let n = identity.get(patch);
        if (n === undefined) identity.set(patch, (n = identity.size));
        signature += `${n} `;
      }
      const group = groups.get(signature);
      if (group) group.keys.push(conversationsKey(userId));
      else groups.set(signature, { keys: [conversationsKey(userId)], patches: list });
    }
    const version = this.versions.bump([...this.byUser.keys()].map(conversationsKey));
    this.byUser.clear();
    for (const { keys, patches } of groups.values()) {
      // A patch is under 300 bytes (an id and six numbers): only a user with thousands of changed conversations needs a second frame.
      for (const chunk of chunksWithin(patches, patchBytesBound)) {
        const items: Record<string, ConversationPatch> = {};
        for (const p of chunk) items[p.id] = p;
        this.hub.notifyChanged(keys, { resource: 'conversations', version, ids: chunk.map((p) => p.id), items }, null, out);
      }
    }
  }
}

/** A patch's id at its most escaped, twice (in `ids` and as a key) and once more inside; six numbers with their keys. */
function patchBytesBound(p: ConversationPatch): number {
  return 18 * p.id.length + 220;
}
