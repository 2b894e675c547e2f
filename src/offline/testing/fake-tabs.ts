import type { ChannelLike } from '../cross-tab-channel';

/** An in-process BroadcastChannel: every channel of a hub hears the others' posts. */
export function channelHub(): (name: string) => ChannelLike {
  const members = new Set<ChannelLike>();
  return () => {
    const channel: ChannelLike = {
      onmessage: null,
      postMessage(data) {
        for (const other of members) if (other !== channel) other.onmessage?.({ data } as MessageEvent);
      },
      close() {
        members.delete(channel);
      },
    };
    members.add(channel);
    return channel;
  };
}

/** A lock manager with one exclusive lock per name, granted in request order; an aborted request leaves the queue. */
export function fakeLocks(): Pick<LockManager, 'request'> {
  const queues = new Map<string, { grant: () => void; signal: AbortSignal | undefined }[]>();
  const held = new Set<string>();
  const grant = (name: string): void => {
    if (held.has(name)) return;
    const queue = queues.get(name) ?? [];
    let next = queue.shift();
    while (next?.signal?.aborted) next = queue.shift();
    if (!next) return;
    held.add(name);
    next.grant();
  };
  return {
    request: ((name: string, options: { signal?: AbortSignal }, callback: () => Promise<void> | undefined) =>
      new Promise<void>((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        queue.push({
          signal: options.signal,
          grant: () => {
            void Promise.resolve(callback()).then(() => {
              held.delete(name);
              resolve();
              grant(name);
            });
          },
        });
        grant(name);
      })) as unknown as LockManager['request'],
  };
}
