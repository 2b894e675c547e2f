import type { Message } from '../../src/protocol/index';
import type { Db } from './database';
import { newId } from './ids';

export interface SendRequest {
  conversationId: string;
  senderId: string;
  clientMessageId: string;
  body: string;
}

export interface SendResult {
  message: Message;
  duplicate: boolean;
}

/** What one committed batch wrote, per conversation: for notifying subscribers once per batch. */
export interface CommittedBatch {
  created: Message[];
  /** Conversation id -> its latestSeq after the batch. */
  latestSeq: Map<string, number>;
  /** The batch's time: every created message's sentAt and its conversation's new updatedAt. */
  updatedAt: number;
}

interface Pending {
  request: SendRequest;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit: every send that arrives in one turn of the event loop is
 * queued, and a setImmediate flush writes them all in ONE transaction; only
 * after COMMIT returns are the senders answered. One fsync (or WAL append)
 * then serves many acknowledgements. Seqs are assigned inside the
 * transaction from the conversation's latest_seq, so they are gap-free
 * whatever the concurrency; (sender, clientMessageId) is deduplicated
 * within the batch and, against the table, by the insert itself (ON
 * CONFLICT DO NOTHING; the original is read only when that happens).
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly latestStmt;
  private readonly bumpStmt;
  private readonly insertStmt;
  private readonly findStmt;
  private readonly inBatch = new Map<string, Message>();

  constructor(
    private readonly db: Db,
    /**
     * Called once per committed batch, synchronously after COMMIT and before
     * any sender's promise resolves; must not throw. The server passes the
     * batch on to ConversationsRepo.committed here (its entry cache).
     */
    private readonly onCommitted: (batch: CommittedBatch, commitSeconds: number, size: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.latestStmt = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck();
    this.bumpStmt = db.prepare('UPDATE conversations SET latest_seq = ?, updated_at = ? WHERE id = ?');
    // A (sender, clientMessageId) already stored is not an error: nothing is
    // written (changes == 0) and the original is read back, only then.
    this.insertStmt = db.prepare(
      `INSERT INTO messages (conversation_id, seq, id, sender_id, client_message_id, body, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sender_id, client_message_id) DO NOTHING`,
    );
    this.findStmt = db.prepare(
      `SELECT id, conversation_id AS conversationId, seq, sender_id AS senderId,
              client_message_id AS clientMessageId, body, sent_at AS sentAt
       FROM messages WHERE sender_id = ? AND client_message_id = ?`,
    );
  }

  /** Resolves once the message (or its earlier original) is committed. */
  submit(request: SendRequest): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes whatever is queued now; also used on shutdown. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const started = process.hrtime.bigint();
    let results: SendResult[];
    let committed: CommittedBatch;
    try {
      ({ results, committed } = this.db.transaction(() => this.write(batch.map((p) => p.request)))());
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Told before the senders are answered (the server's entry cache moves
    // with the commit first, see app.ts); the caller notifies on a later
    // turn, so senders get their SendMessageResponse before the
    // ResourceChangedNotification that carries the same message.
    this.onCommitted(committed, seconds, batch.length);
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  private write(requests: SendRequest[]): { results: SendResult[]; committed: CommittedBatch } {
    const now = this.now();
    const latest = new Map<string, number>();
    const inBatch = this.inBatch;
    inBatch.clear();
    const created: Message[] = [];
    const results = requests.map((r): SendResult => {
      const key = `${r.senderId}\u0000${r.clientMessageId}`;
      const sameBatch = inBatch.get(key);
      if (sameBatch) return { message: sameBatch, duplicate: true };
      let seq = latest.get(r.conversationId);
      if (seq === undefined) seq = (this.latestStmt.get(r.conversationId) as number | undefined) ?? 0;
      seq += 1;
      const message: Message = {
        id: newId('m'),
        conversationId: r.conversationId,
        seq,
        senderId: r.senderId,
        clientMessageId: r.clientMessageId,
        body: r.body,
        sentAt: now,
      };
      const { changes } = this.insertStmt.run(message.conversationId, seq, message.id, message.senderId, message.clientMessageId, message.body, now);
      if (changes === 0) {
        // Stored by an earlier batch (another socket, before a restart): answer with the original; the seq is not used.
        const original = this.findStmt.get(r.senderId, r.clientMessageId) as Message;
        inBatch.set(key, original);
        return { message: original, duplicate: true };
      }
      latest.set(r.conversationId, seq);
      inBatch.set(key, message);
      created.push(message);
      return { message, duplicate: false };
    });
    inBatch.clear();
    for (const [conversationId, seq] of latest) this.bumpStmt.run(seq, now, conversationId);
    return { results, committed: { created, latestSeq: latest, updatedAt: now } };
  }
}
