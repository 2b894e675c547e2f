import type { Entry, EntryKind, Message } from '../../src/protocol/index';

/** SELECT of entries `m` with their target `t` as it is now; callers add the WHERE clause. */
export declare const ENTRY_SELECT: string;

/** One row of ENTRY_SELECT, as the driver returns it. */
export type EntryRow = Record<string, unknown>;

export declare function messageOfRow(row: EntryRow, prefix?: string): Message;
export declare function entryOfRow(row: EntryRow): Entry;

/** What a writing request is, in the batch's flat array. */
export type RequestKind = 'message' | 'edit' | 'delete' | 'reaction' | 'title' | 'add' | 'remove';
export declare const ENTRY_KIND_OF_REQUEST: Record<RequestKind, EntryKind>;
