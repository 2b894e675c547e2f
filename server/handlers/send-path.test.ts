import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/index';
import { ConversationNotifier } from '../hub/conversation-notifier';
import { ReceiptNotifier } from '../hub/receipt-notifier';
import { Hub, conversationsKey, messagesKey } from '../hub/hub';
import type { Peer } from '../hub/peer';
import { ResourceVersions } from '../hub/versions';
import { createLogger } from '../logger';
import { ServerMetrics } from '../metrics';
import { openDatabase } from '../storage/database';
import { MessageWriter, type BatchWriter, type CommittedBatch, type WriteBatch } from '../storage/message-writer';
import { Seeder } from '../storage/seed';
import { Storage } from '../storage/storage';
import { MemoryNoticeCoalescer } from './notice-coalescer';
import { SendPath } from './send-path';

/** A socket that records what reaches its wire: one entry per write (corked frames together), as `name resource`. */
interface WirePeer extends Peer {
  wire: string[][];
}

function wirePeer(id: number, userId: string): WirePeer {
  let corks = 0;
  let queued: string[] = [];
  const label = (text: string): string => {
    const frame = decodeFrame(text);
    const p = frame.payload as { resource?: string; code?: string; requestId?: string };
    const short = frame.name.replace('com.comoyo.', '');
    return [short, p.resource ?? p.code, p.requestId].filter(Boolean).join(' ');
  };
  return {
    id,
    userId,
    subscriptions: new Set(),
    wire: [],
    sendText(text) {
      if (corks > 0) queued.push(label(text));
      else this.wire.push([label(text)]);
    },
    cork() {
      corks++;
    },
    uncork() {
      if (--corks === 0 && queued.length) {
        this.wire.push(queued);
        queued = [];
      }
    },
    close() {},
  };
}

/**
 * A writer of the test's own: the real SQL (in process), but each batch's
 * answer is held until the test lets it go, or refused with an error.
 */
class GatedWriter implements BatchWriter {
  readonly batches: WriteBatch[] = [];
  private readonly held: (() => void)[] = [];
  refuseWith: Error | null = null;

  constructor(private readonly real: BatchWriter) {}

  commit(batch: WriteBatch): Promise<CommittedBatch> {
    this.batches.push(batch);
    return new Promise((resolve, reject) => {
      this.held.push(() => {
        if (this.refuseWith) reject(this.refuseWith);
        else this.real.commit(batch).then(resolve, reject);
      });
    });
  }

  /** Lets the oldest held batch commit (or fail), and waits until its answers are written. */
  async release(): Promise<void> {
    this.held.shift()!();
    // The answers are written when the commit's promise settles; the next batch leaves a turn later.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup() {
  const db = openDatabase(':memory:', 'normal');
  const storage = new Storage(db);
  const seeder = new Seeder(db, () => storage.conversations.forgetCached());
  const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
  const conv = seeder.conversation({ memberIds: [a, b] });
  const hub = new Hub();
  const writer = new GatedWriter(new MessageWriter(db));
  const versions = new ResourceVersions();
  const conversationNotifier = new ConversationNotifier(storage, versions, hub);
  const path = new SendPath({
    writer,
    conversations: storage.conversations,
    hub,
    conversationNotifier,
    receiptNotifier: new ReceiptNotifier(storage, hub, versions, new MemoryNoticeCoalescer(0), conversationNotifier),
    metrics: new ServerMetrics(),
    logger: createLogger('silent'),
  });
  /** A socket of `userId`, subscribed to the conversation's messages and its user's conversations. */
  const socket = (id: number, userId: string): WirePeer => {
    const peer = wirePeer(id, userId);
    hub.subscribe(peer, messagesKey(conv));
    hub.subscribe(peer, conversationsKey(userId));
    return peer;
  };
  const send = (peer: Peer, clientMessageId: string, requestId?: string) => path.send(peer, { conversationId: conv, senderId: peer.userId!, clientMessageId, body: clientMessageId }, 'SendMessageCommand', requestId);
  return { db, storage, a, b, conv, writer, path, socket, send };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the send path', () => {
  it('answers nothing before COMMIT; then the sender gets its ack and its conversations notification, the recipient the messages and conversations ones, each in one write', async () => {
    const { db, a, b, writer, socket, send } = setup();
    const ann = socket(1, a);
    const ben = socket(2, b);
    send(ann, 'hello', 'r1');
    await turn();
    expect(writer.batches).toHaveLength(1);
    expect([ann.wire, ben.wire]).toEqual([[], []]);
    await writer.release();
    // The ack carries the message: no messages notification for its sender.
    expect(ann.wire).toEqual([['SendMessageResponse r1', 'ResourceChangedNotification conversations']]);
    expect(ben.wire).toEqual([[`ResourceChangedNotification messages:${writer.batches[0]!.entries[0]!.conversationId}`, 'ResourceChangedNotification conversations']]);
    db.close();
  });

  it('commits the sends and receipts of one turn as one batch, and what arrives while it is on the writer as the next', async () => {
    const { db, storage, conv, a, b, writer, path, socket, send } = setup();
    const ann = socket(1, a);
    const ben = socket(2, b);
    send(ann, 'm1', 'r1');
    send(ann, 'm2', 'r2');
    path.receipt(ben, { conversationId: conv, userId: b, seq: 5, read: true }, 'r3');
    await turn();
    send(ann, 'm3', 'r4');
    send(ben, 'm4', 'r5');
    await turn();
    expect(writer.batches.map((w) => [w.entries.length, w.receipts.length])).toEqual([[2, 1]]); // one on the writer at a time
    await writer.release();
    expect(writer.batches.map((w) => [w.entries.length, w.receipts.length])).toEqual([[2, 1], [2, 0]]);
    // Answers first, then notifications; the receipt counted the batch's messages (clamped to seq 2).
    expect(ben.wire[0]).toEqual(['MarkReadResponse r3', `ResourceChangedNotification messages:${conv}`, 'ResourceChangedNotification conversations']);
    expect(storage.conversations.positionOf(conv, b)).toEqual({ deliveredSeq: 2, readSeq: 2 });
    await writer.release();
    // Two sockets' messages in one commit: each gets the messages notification (its ack carried only its own).
    expect(ann.wire[1]).toEqual(['SendMessageResponse r4', `ResourceChangedNotification messages:${conv}`, 'ResourceChangedNotification conversations']);
    expect(ben.wire[1]).toEqual(['SendMessageResponse r5', `ResourceChangedNotification messages:${conv}`, 'ResourceChangedNotification conversations']);
    await path.flush();
    db.close();
  });

  it("sends the sender's other sockets the messages notification its ack made needless for the sending one", async () => {
    const { db, conv, a, b, writer, socket, send } = setup();
    const ann = socket(1, a);
    const annTab2 = socket(2, a);
    const ben = socket(3, b);
    send(ann, 'm1', 'r1');
    send(ann, 'm2', 'r2');
    await turn();
    await writer.release();
    expect(ann.wire).toEqual([['SendMessageResponse r1', 'SendMessageResponse r2', 'ResourceChangedNotification conversations']]);
    for (const other of [annTab2, ben]) expect(other.wire).toEqual([[`ResourceChangedNotification messages:${conv}`, 'ResourceChangedNotification conversations']]);
    db.close();
  });

  it('answers every send and receipt of a refused batch with the coded error, stores and notifies nothing, and writes on', async () => {
    const { db, storage, conv, a, b, writer, path, socket, send } = setup();
    const ann = socket(1, a);
    const ben = socket(2, b);
    send(ann, 'full-1', 'r1');
    path.receipt(ben, { conversationId: conv, userId: b, seq: 1, read: false }, 'r2');
    await turn();
    writer.refuseWith = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    await writer.release();
    expect(ann.wire).toEqual([['ErrorResponse INTERNAL r1']]);
    expect(ben.wire).toEqual([['ErrorResponse INTERNAL r2']]);
    expect([...storage.messages.after(conv, 0, 10)]).toEqual([]);
    writer.refuseWith = null;
    send(ann, 'full-1', 'r3');
    await turn();
    await writer.release();
    expect(ann.wire[1]).toEqual(['SendMessageResponse r3', 'ResourceChangedNotification conversations']);
    db.close();
  });

  it('answers a send whose batch died with the thread INTERNAL, as any storage failure', async () => {
    const { db, a, writer, socket, send } = setup();
    const ann = socket(1, a);
    const frames: string[] = [];
    ann.sendText = (text) => void frames.push(text);
    send(ann, 'lost', 'r1');
    await turn();
    writer.refuseWith = Object.assign(new Error('the writer thread stopped (exit code 70)'), { code: 'WRITER_THREAD_EXITED' });
    await writer.release();
    expect(frames.map((f) => decodeFrame(f).payload)).toEqual([
      { code: 'INTERNAL', message: 'the server could not process this command; please retry later', command: 'SendMessageCommand', requestId: 'r1' },
    ]);
    db.close();
  });
});
