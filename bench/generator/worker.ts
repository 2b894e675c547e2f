import type { BenchClient, ArrivedMessage, ClientSink } from './bench-client';
import { ProtocolClient } from './protocol-client';
import { SocketIoClient } from './socketio-client';
import type { FromWorker, PhaseResult, ToWorker, UserPlan, ReconnectResult, ConnectResult, Transport } from './ipc';
import { createHistogram, encodeHistogram, recordMs, type Histogram } from '../lib/latency';
import { nowMs } from '../lib/clock';

/**
 * A generator worker: a child process holding a share of the simulated
 * clients (one process keeps well under its 20,000 file descriptors). It
 * connects them at a set rate, sends on a fixed-rate timeline (latency is
 * measured from the scheduled time, so a stalled server cannot hide its
 * backlog), and records acks and arrivals into HDR histograms.
 */
interface SentRecord {
  scheduled: number;
  others: number;
}

interface ClientState {
  plan: UserPlan;
  client: BenchClient;
  /** Highest seq that arrived from another member, per conversation: arrivals must rise. */
  lastArrived: Map<string, number>;
  /** Seq -> clientMessageId per conversation, kept only for the reconnect storm's check. */
  history: Map<string, Map<number, string>>;
  base: Map<string, number>;
  delivered: number;
  notices: string[];
  muted: boolean;
}

let workerId = 0;
let transport: Transport = 'protocol';
let url = '';
let localAddresses: string[] = ['127.0.0.1'];
let body = 'x';
let trackHistory = false;
const states = new Map<number, ClientState>();
const byClient = new Map<BenchClient, ClientState>();

let sentCounter = 0;
/** Stored-history conflicts: one seq with two messages, or one message at two seqs. */
let conflicts = 0;
const pending = new Map<string, SentRecord>();
let phase = freshPhase();
let phaseCpu = process.cpuUsage();
let phaseStart = nowMs();

function freshPhase(): Omit<PhaseResult, 'ack' | 'delivery' | 'cpuUserMs' | 'cpuSystemMs' | 'wallMs' | 'workerId'> & { ackH: Histogram; deliveryH: Histogram } {
  return { sent: 0, acked: 0, expectedDeliveries: 0, delivered: 0, bytesIn: 0, gaps: 0, dupes: 0, errors: {}, ackH: createHistogram(), deliveryH: createHistogram() };
}

function post(message: FromWorker): void {
  process.send?.(message);
}

function countError(errors: Record<string, number>, code: string): void {
  errors[code] = (errors[code] ?? 0) + 1;
}

/** The scheduled send time travels inside the clientMessageId, so any process can time an arrival. */
function scheduledOf(clientMessageId: string): number | null {
  const dot = clientMessageId.lastIndexOf('.');
  if (dot < 0) return null;
  const us = parseInt(clientMessageId.slice(dot + 1), 36);
  return Number.isFinite(us) ? us / 1000 : null;
}

function remember(state: ClientState, m: ArrivedMessage): void {
  let map = state.history.get(m.conversationId);
  if (!map) state.history.set(m.conversationId, (map = new Map()));
  const known = map.get(m.seq);
  if (known !== undefined && known !== m.clientMessageId) conflicts++;
  map.set(m.seq, m.clientMessageId);
}

const sink: ClientSink = {
  onAck(clientMessageId) {
    const record = pending.get(clientMessageId);
    if (!record) return;
    pending.delete(clientMessageId);
    phase.acked++;
    phase.expectedDeliveries += record.others;
    recordMs(phase.ackH, nowMs() - record.scheduled);
  },
  onArrival(client, m) {
    const state = byClient.get(client);
    if (!state || m.senderId === client.userId || state.muted) return;
    const scheduled = scheduledOf(m.clientMessageId);
    if (scheduled !== null) recordMs(phase.deliveryH, nowMs() - scheduled);
    phase.delivered++;
    state.delivered++;
    const last = state.lastArrived.get(m.conversationId) ?? 0;
    if (m.seq <= last) phase.dupes++;
    else state.lastArrived.set(m.conversationId, m.seq);
    if (trackHistory) remember(state, m);
  },
  onError(code, clientMessageId) {
    countError(phase.errors, code);
    if (clientMessageId !== undefined) pending.delete(clientMessageId);
  },
  onClose(client, code) {
    countError(phase.errors, `CLOSE_${code}`);
    byClient.get(client)?.notices.push(`close ${code}`);
  },
  onBytes(bytes) {
    phase.bytesIn += bytes;
  },
  onNotice(client, name) {
    const state = byClient.get(client);
    if (state && state.notices.length < 20) state.notices.push(name);
  },
};

function makeClient(plan: UserPlan, subscribeConversations: boolean): BenchClient {
  const options = {
    index: plan.index,
    url,
    token: plan.token,
    conversationIds: plan.conversations.map((c) => c.id),
    subscribeConversations,
    localAddress: localAddresses[plan.index % localAddresses.length]!,
    body,
    sink,
  };
  return transport === 'socketio' ? new SocketIoClient(options) : new ProtocolClient(options);
}

function cpuSince(start: NodeJS.CpuUsage): { cpuUserMs: number; cpuSystemMs: number } {
  const d = process.cpuUsage(start);
  return { cpuUserMs: d.user / 1000, cpuSystemMs: d.system / 1000 };
}

/** Starts one connect every 1000/perSecond ms, all concurrently, and waits for them all. */
async function connectAll(users: UserPlan[], perSecond: number, subscribeConversations: boolean): Promise<ConnectResult> {
  const cpu = process.cpuUsage();
  const latency = createHistogram();
  const errors: Record<string, number> = {};
  let ok = 0;
  const start = nowMs();
  const interval = 1000 / Math.max(perSecond, 0.001);
  await Promise.all(
    users.map(async (plan, i) => {
      const due = start + i * interval;
      const wait = due - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const client = makeClient(plan, subscribeConversations);
      const state: ClientState = { plan, client, lastArrived: new Map(), history: new Map(), base: new Map(), delivered: 0, notices: [], muted: false };
      byClient.set(client, state);
      try {
        const versions = await client.connect();
        for (const [id, v] of versions) {
          state.base.set(id, v);
          state.lastArrived.set(id, v);
        }
        states.set(plan.index, state);
        recordMs(latency, nowMs() - due);
        ok++;
      } catch (error) {
        countError(errors, (error as Error).message);
        byClient.delete(client);
        client.close();
      }
    }),
  );
  return { workerId, ok, failed: users.length - ok, errors, latency: encodeHistogram(latency), ...cpuSince(cpu) };
}

/** The open-model timeline: send n happens at start + n/rate whether or not earlier sends were answered. */
async function runLoad(perSecond: number, durationMs: number, drainMs: number, senderIndexes: number[] | 'all'): Promise<void> {
  const senders = (senderIndexes === 'all' ? [...states.keys()] : senderIndexes)
    .map((i) => states.get(i))
    .filter((s): s is ClientState => s !== undefined && s.plan.conversations.length > 0);
  const total = Math.floor((perSecond * durationMs) / 1000);
  if (senders.length === 0 || total === 0) return;
  const interval = 1000 / perSecond;
  const start = nowMs() + 5;
  let n = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = nowMs();
      while (n < total && start + n * interval <= now) {
        const scheduled = start + n * interval;
        n++;
        const state = senders[(Math.random() * senders.length) | 0]!;
        const conversation = state.plan.conversations[(Math.random() * state.plan.conversations.length) | 0]!;
        if (!state.client.open) {
          countError(phase.errors, 'SENDER_CLOSED');
          continue;
        }
        const clientMessageId = `${workerId}.${(sentCounter++).toString(36)}.${Math.round(scheduled * 1000).toString(36)}`;
        pending.set(clientMessageId, { scheduled, others: conversation.members - 1 });
        phase.sent++;
        state.client.send(conversation.id, clientMessageId);
      }
      if (n < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const drainUntil = nowMs() + drainMs;
  while (pending.size > 0 && nowMs() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  if (pending.size > 0) {
    phase.errors['TIMEOUT'] = (phase.errors['TIMEOUT'] ?? 0) + pending.size;
    pending.clear();
  }
}

function collect(): PhaseResult {
  const p = phase;
  const result: PhaseResult = {
    workerId,
    sent: p.sent,
    acked: p.acked,
    expectedDeliveries: p.expectedDeliveries,
    delivered: p.delivered,
    bytesIn: p.bytesIn,
    gaps: p.gaps,
    dupes: p.dupes,
    errors: p.errors,
    ack: encodeHistogram(p.ackH),
    delivery: encodeHistogram(p.deliveryH),
    ...cpuSince(phaseCpu),
    wallMs: nowMs() - phaseStart,
  };
  phase = freshPhase();
  phaseCpu = process.cpuUsage();
  phaseStart = nowMs();
  return result;
}

/** Reconnects at once, logs in by token, and reads every conversation from the last contiguous seq on. */
async function reconnectAll(users: number[]): Promise<ReconnectResult> {
  const cpu = process.cpuUsage();
  const latency = createHistogram();
  const catchUp = createHistogram();
  const errors: Record<string, number> = {};
  const stormStart = nowMs();
  let ok = 0;
  let complete = 0;
  let missing = 0;
  let fetched = 0;
  const conflictsBefore = conflicts;
  await Promise.all(
    users.map(async (index) => {
      const state = states.get(index);
      if (!state) return;
      try {
        const versions = await state.client.connect();
        recordMs(latency, nowMs() - stormStart);
        ok++;
        let userMissing = 0;
        for (const conversation of state.plan.conversations) {
          const base = state.base.get(conversation.id) ?? 0;
          const map = state.history.get(conversation.id) ?? new Map<number, string>();
          state.history.set(conversation.id, map);
          let after = base;
          while (map.has(after + 1)) after++;
          for (;;) {
            const page = await state.client.fetchAfter(conversation.id, after);
            for (const m of page.messages) {
              remember(state, m);
              fetched++;
              after = Math.max(after, m.seq);
            }
            if (!page.hasMore || page.messages.length === 0) break;
          }
          const latest = Math.max(versions.get(conversation.id) ?? 0, after);
          for (let seq = base + 1; seq <= latest; seq++) if (!map.has(seq)) userMissing++;
          const cmids = new Set(map.values());
          if (cmids.size !== map.size) conflicts += map.size - cmids.size;
          state.lastArrived.set(conversation.id, latest);
        }
        missing += userMissing;
        if (userMissing === 0) complete++;
        recordMs(catchUp, nowMs() - stormStart);
      } catch (error) {
        countError(errors, (error as Error).message);
      }
    }),
  );
  return {
    workerId,
    ok,
    failed: users.length - ok,
    errors,
    latency: encodeHistogram(latency),
    ...cpuSince(cpu),
    complete,
    incomplete: users.length - complete,
    missing,
    dupes: conflicts - conflictsBefore,
    messagesFetched: fetched,
    catchUp: encodeHistogram(catchUp),
  };
}

function local(users: number[]): ClientState[] {
  return users.map((i) => states.get(i)).filter((s): s is ClientState => s !== undefined);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.t) {
    case 'init':
      ({ workerId, transport, url, localAddresses, trackHistory } = message);
      body = 'b'.repeat(Math.max(1, message.bodyBytes));
      return post({ t: 'ready', workerId });
    case 'connect':
      return post({ t: 'connected', result: await connectAll(message.users, message.perSecond, message.subscribeConversations) });
    case 'load':
      await runLoad(message.perSecond, message.durationMs, message.drainMs, message.senders);
      return post({ t: 'loaded', workerId });
    case 'collect':
      return post({ t: 'collected', result: collect() });
    case 'stats':
      return post({ t: 'stats', workerId, stats: { connected: [...states.values()].filter((s) => s.client.open).length, sent: phase.sent, acked: phase.acked, delivered: phase.delivered, expectedDeliveries: phase.expectedDeliveries, errors: Object.values(phase.errors).reduce((a, b) => a + b, 0) } });
    case 'disconnect':
      for (const s of local(message.users)) s.client.close();
      return post({ t: 'disconnected', workerId });
    case 'reconnect':
      return post({ t: 'reconnected', result: await reconnectAll(message.users) });
    case 'pause':
      for (const s of local(message.users)) s.client.pause();
      return post({ t: 'done', workerId });
    case 'mute':
      for (const s of local(message.users)) s.muted = true;
      return post({ t: 'done', workerId });
    case 'resume':
      for (const s of local(message.users)) s.client.resume();
      return post({ t: 'done', workerId });
    case 'probe':
      return post({
        t: 'probed',
        result: { workerId, users: local(message.users).map((s) => ({ index: s.plan.index, open: s.client.open, closeCode: s.client.closeCode, delivered: s.delivered, notices: s.notices })) },
      });
    case 'close':
      for (const s of states.values()) s.client.close();
      setTimeout(() => process.exit(0), 50);
      return post({ t: 'done', workerId });
  }
}

process.on('message', (message: ToWorker) => {
  handle(message).catch((error: Error) => post({ t: 'fatal', workerId, message: error.stack ?? error.message }));
});
process.on('disconnect', () => process.exit(0));
