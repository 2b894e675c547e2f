import { readFileSync } from 'node:fs';

/**
 * Memory and CPU of a process as the kernel sees it. The targets are separate
 * processes, so /proc is the one view that is the same for the raw relay, the
 * Socket.IO baseline and the real server.
 */
export interface ProcMemory {
  /** Resident set size, bytes. */
  rss: number;
  /** Anonymous resident memory (the JS heap, malloc arenas, socket buffers owned by the process), bytes. */
  rssAnon: number;
  /** Data segment incl. heap mappings, bytes. */
  vmData: number;
}

function kbField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

export function readProcMemory(pid: number): ProcMemory | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: kbField(text, 'VmRSS'), rssAnon: kbField(text, 'RssAnon'), vmData: kbField(text, 'VmData') };
  } catch {
    return null;
  }
}

/** User plus system CPU time of a process in milliseconds, from /proc/<pid>/stat. */
export function readProcCpuMs(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}
