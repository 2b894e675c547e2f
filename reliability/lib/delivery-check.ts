import type { Message } from '../../src/protocol/index';
import type { CheckRow, Report } from './results';

/**
 * The promise of docs/PROTOCOL.md section 6, checked against what the server
 * stored: every acknowledged message kept with its seq, every written
 * message stored exactly once and in the order written, seqs 1..n per
 * conversation, and each receiving client's history equal to the server's.
 */
export interface Writer {
  name: string;
  written: { conversationId: string; body: string }[];
  /** body -> seq as acknowledged to this writer. */
  acked: Map<string, number>;
}

export interface Receiver {
  name: string;
  conversationId: string;
  /** The receiver's messages, ascending by seq. */
  messages: { seq: number; body: string }[];
}

export function checkDelivery(report: Report, stored: Message[], writers: Writer[], receivers: Receiver[]): void {
  const byBody = new Map<string, Message[]>();
  for (const m of stored) {
    const list = byBody.get(m.body) ?? [];
    list.push(m);
    byBody.set(m.body, list);
  }

  const acked = report.row('acknowledged messages kept', 'every SendMessageResponse received is present afterwards with the same seq');
  for (const w of writers) {
    for (const [body, seq] of w.acked) {
      acked.count++;
      const found = byBody.get(body);
      if (!found) report.fail(acked, `${w.name}: acknowledged "${body}" (seq ${seq}) is missing`);
      else if (!found.some((m) => m.seq === seq)) report.fail(acked, `${w.name}: "${body}" acknowledged as seq ${seq}, stored as ${found.map((m) => m.seq)}`);
    }
  }

  const once = report.row('written messages stored exactly once, in order', 'every message a client wrote, after its outbox drained');
  for (const w of writers) {
    const lastSeq = new Map<string, number>();
    for (const m of w.written) {
      once.count++;
      const found = byBody.get(m.body) ?? [];
      if (found.length === 0) report.fail(once, `${w.name}: "${m.body}" lost`);
      else if (found.length > 1) report.fail(once, `${w.name}: "${m.body}" stored ${found.length} times (seqs ${found.map((f) => f.seq)})`);
      else {
        const seq = found[0]!.seq;
        const before = lastSeq.get(m.conversationId) ?? 0;
        if (seq <= before) report.fail(once, `${w.name}: "${m.body}" has seq ${seq}, after a message written earlier with seq ${before}`);
        lastSeq.set(m.conversationId, seq);
      }
    }
  }

  const gaps = report.row('gap-free seqs per conversation', 'seqs of each conversation are exactly 1..n');
  const byConversation = new Map<string, number[]>();
  for (const m of stored) {
    const list = byConversation.get(m.conversationId) ?? [];
    list.push(m.seq);
    byConversation.set(m.conversationId, list);
  }
  for (const [conversationId, seqs] of byConversation) {
    seqs.sort((a, b) => a - b);
    gaps.count += seqs.length;
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] !== i + 1) {
        report.fail(gaps, `${conversationId}: position ${i + 1} holds seq ${seqs[i]}`);
        break;
      }
    }
  }

  const history = report.row("receivers' histories", "each receiving client holds the server's history of its conversation: same seqs, same bodies, no gap, no duplicate");
  for (const r of receivers) {
    const expected = stored.filter((m) => m.conversationId === r.conversationId).sort((a, b) => a.seq - b.seq);
    history.count += expected.length;
    const got = r.messages;
    if (got.length !== expected.length) report.fail(history, `${r.name}: holds ${got.length} messages of ${r.conversationId}, server has ${expected.length}`);
    for (let i = 0; i < Math.min(got.length, expected.length); i++) {
      if (got[i]!.seq !== expected[i]!.seq || got[i]!.body !== expected[i]!.body) {
        report.fail(history, `${r.name}: position ${i} is seq ${got[i]!.seq} "${got[i]!.body}", server has seq ${expected[i]!.seq} "${expected[i]!.body}"`);
        break;
      }
    }
  }
}

/**
 * What a server acknowledged against what it stored of one conversation
 * (rows by clientMessageId): each acknowledged message stored once, at the
 * acknowledged seq; nothing stored that was not acknowledged; seqs 1..n.
 * Failures go to `row`, which also gets the two counts as figures.
 */
export function checkAckedStored(report: Report, row: CheckRow, rows: { id: string; seq: number }[], acked: ReadonlyMap<string, number>): void {
  const stored = new Map<string, number[]>();
  for (const r of rows) stored.set(r.id, [...(stored.get(r.id) ?? []), r.seq]);
  for (const [id, seq] of acked) {
    const s = stored.get(id);
    if (!s || s.length !== 1 || s[0] !== seq) report.fail(row, `${id}: acknowledged seq ${seq}, stored ${JSON.stringify(s ?? [])}`);
  }
  if (stored.size !== acked.size) report.fail(row, `${stored.size} messages stored, ${acked.size} acknowledged`);
  const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
  if (seqs.some((s, i) => s !== i + 1)) report.fail(row, 'seqs have a gap');
  row.figures = { acknowledged: acked.size, stored: rows.length };
}
