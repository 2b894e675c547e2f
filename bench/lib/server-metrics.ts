/**
 * The real server's group-commit counters from its /metrics endpoint: how
 * many commits and messages so far. The difference over a step gives the
 * mean batch size, which CPU per send depends on (bigger batches amortise
 * the commit): two runs' CPU per send compare only at similar batch sizes.
 */
export interface CommitCounters {
  commits: number;
  messages: number;
}

export async function readCommitCounters(wsUrl: string): Promise<CommitCounters | null> {
  const url = wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '/metrics');
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
    const value = (name: string): number | null => {
      const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    const commits = value('tidings_db_commit_batch_size_count');
    const messages = value('tidings_db_commit_batch_size_sum');
    return commits === null || messages === null ? null : { commits, messages };
  } catch {
    return null;
  }
}

/** Mean messages per commit between two readings (null when unknown or no commit). */
export function meanBatch(before: CommitCounters | null, after: CommitCounters | null): number | null {
  if (!before || !after || after.commits <= before.commits) return null;
  return (after.messages - before.messages) / (after.commits - before.commits);
}
