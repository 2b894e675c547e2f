import type { WebSocketRoute } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';

/**
 * Alice's browser talks to the real mock server through a
 * man-in-the-middle (page.routeWebSocket) that forwards the real
 * conversation both ways and injects hostile frames towards the page:
 * malformed JSON, binary, wrong shapes, unknown commands, a 2 MB frame,
 * notifications for a conversation she is not in, overlapping and negative
 * seqs, `__proto__` keys. The app must shrug them all off: nothing throws,
 * nothing injected is shown or stored, the real conversation carries on and
 * the outbox delivers exactly once.
 */
test.setTimeout(60_000);

const NS = 'com.comoyo.';
const MARK = 'INJECTED-BY-HOSTILE-SERVER';
const AB = 'c_alice_bob';
const frame = (name: string, payload: unknown) => JSON.stringify({ [NS + name]: payload });
const message = (over: Record<string, unknown>) => ({
  id: 'm_evil', conversationId: AB, seq: 3, senderId: 'u_bob', clientMessageId: 'evil-1', body: `${MARK} message`, sentAt: Date.now(), ...over,
});
const contact = (over: Record<string, unknown>) => ({ id: 'u_evil', username: 'evil', displayName: `${MARK} contact`, online: true, lastSeenAt: null, ...over });
const huge = 'A'.repeat(2 * 1024 * 1024);

/** Two 2 MB frames, sent in the first and the last barrage only (every 100 ms would be a denial of service, not a test). */
const HUGE_FRAMES: string[] = [
  frame('MessagesResponse', { conversationId: AB, messages: { m_huge: message({ id: 'm_huge', body: `${MARK} ${huge}` }) }, latestSeq: 1, hasMore: false }),
  `${MARK}${huge}`,
];

/** The other hostile frames, text or binary, sent in every barrage. */
const HOSTILE_FRAMES: (string | Buffer)[] = [
  'not json {',
  '',
  '[1,2,3]',
  'null',
  '"just a string"',
  JSON.stringify({ [NS + 'TypingNotification']: { conversationId: AB, userId: 'u_bob', typing: true }, [NS + 'PongResponse']: { serverTime: 1 } }),
  JSON.stringify({ 'evil.EvilNotification': {} }),
  frame('EvilNotification', { body: `${MARK} unknown` }),
  frame('TypingNotification', `${MARK} not an object`),
  frame('TypingNotification', [MARK]),
  frame('TypingNotification', {}),
  frame('TypingNotification', { conversationId: 5, userId: [MARK], typing: 'yes' }),
  frame('ResourceChangedNotification', { resource: 1, version: '2', ids: MARK }),
  frame('SendMessageResponse', { requestId: 'r_nobody', clientMessageId: 'evil-2', message: message({ id: 'm_evil2', seq: 999 }), duplicate: false }),
  frame('ErrorResponse', { code: 'EVIL', message: MARK }),
  frame('ErrorResponse', { requestId: 'r_nobody', code: 'INTERNAL', message: MARK }),
  Buffer.from([0, 1, 2, 3, 255, 254]),
  Buffer.from(frame('TypingNotification', { conversationId: AB, userId: 'u_bob', typing: true })),
  // A conversation alice is not in, with messages inline and a version that asks for a catch-up.
  frame('ResourceChangedNotification', {
    resource: 'messages:c_not_mine', version: 3, ids: ['m_nm1', 'm_nm2'],
    items: { m_nm1: message({ id: 'm_nm1', conversationId: 'c_not_mine', seq: 1 }), m_nm2: message({ id: 'm_nm2', conversationId: 'c_not_mine', seq: 2 }) },
  }),
  // Her real conversation's resource carrying a message of another conversation.
  frame('ResourceChangedNotification', { resource: `messages:${AB}`, version: 1, ids: ['m_x'], items: { m_x: message({ id: 'm_x', conversationId: 'c_not_mine' }) } }),
  // ... and one with a negative seq.
  frame('ResourceChangedNotification', { resource: `messages:${AB}`, version: 1, ids: ['m_neg'], items: { m_neg: message({ id: 'm_neg', seq: -5 }) } }),
  // Unsolicited pages with duplicate/overlapping seqs and a negative seq.
  frame('MessagesResponse', {
    conversationId: AB, latestSeq: 3, hasMore: false,
    messages: { m_d1: message({ id: 'm_d1', seq: 2 }), m_d2: message({ id: 'm_d2', seq: 2 }), m_d3: message({ id: 'm_d3', seq: 3 }) },
  }),
  frame('MessagesResponse', { conversationId: AB, latestSeq: 3, hasMore: false, messages: { m_n: message({ id: 'm_n', seq: -1 }) } }),
  // `__proto__` keys, written raw because JSON.stringify would drop them.
  `{"${NS}ContactsResponse":{"version":99,"contacts":{"__proto__":${JSON.stringify(contact({ id: '__proto__', polluted: MARK }))}}}}`,
  `{"${NS}ResourceChangedNotification":{"resource":"contacts","version":99,"ids":["__proto__"],"items":{"__proto__":${JSON.stringify(contact({ id: '__proto__' }))}}}}`,
  `{"${NS}ResourceChangedNotification":{"resource":"conversations","version":99,"ids":["c_phantom"],"items":{"__proto__":{"polluted":"${MARK}"}}}}`,
  `{"__proto__":{"${NS}TypingNotification":{"conversationId":"${AB}","userId":"u_bob","typing":true}}}`,
];

test('the app shrugs off a hostile server and keeps the real conversation intact', async ({ browser, server, signIn, cspViolations }) => {
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  let route: WebSocketRoute | null = null;
  let injected = 0;
  const sent: string[] = [];
  const inject = (withHuge = false) => {
    for (const f of withHuge ? [...HUGE_FRAMES, ...HOSTILE_FRAMES] : HOSTILE_FRAMES) {
      route?.send(f);
      injected++;
    }
  };

  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('dialog', (d) => {
    pageErrors.push(`dialog: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  await page.routeWebSocket('**/ws', (ws) => {
    route = ws;
    const real = ws.connectToServer();
    // Page -> server is forwarded untouched (and recorded); server -> page is forwarded and joined by hostile frames.
    ws.onMessage((m) => {
      sent.push(String(m));
      real.send(m);
    });
    real.onMessage((m) => ws.send(m));
  });

  const alice = { login: new LoginPage(page), chat: new ChatPage(page) };
  await alice.login.goto();
  await alice.login.logIn(USERS.alice.username, USERS.alice.password);
  await alice.chat.expectShown();
  await expect(alice.chat.conversationList.getByRole('button')).toHaveCount(3);
  await alice.chat.open('Bob');
  await expect(alice.chat.messageNodes().last()).toHaveAttribute('data-seq', '40');

  const bob = await signIn('bob');
  await bob.chat.open('Alice');

  // A first barrage, then more every 100 ms while alice writes and bob answers.
  inject(true);
  const barrage = setInterval(inject, 100);
  const outgoing = 'written while the hostile frames flow';
  const reply = 'bob is real and says hi';
  try {
    await alice.chat.send(outgoing);
    await bob.chat.send(reply);
    await expect(alice.chat.message(reply)).toHaveCount(1);
    await expect(alice.chat.statusOf(outgoing)).toHaveAccessibleName(/Sent|Delivered|Read/);
  } finally {
    clearInterval(barrage);
  }
  inject(true);

  // Delivered exactly once at bob, acknowledged at alice.
  await expect(bob.chat.message(outgoing)).toHaveCount(1);
  await expect(alice.chat.statusOf(outgoing)).toHaveAccessibleName(/Delivered|Read/);
  await expect(alice.chat.message(reply)).toHaveCount(1);
  // Alice can still send after the storm, and it is acknowledged.
  const after = 'still talking after the storm';
  await alice.chat.send(after);
  await expect(alice.chat.statusOf(after)).toHaveAccessibleName(/Delivered|Read/);
  await expect(bob.chat.message(after)).toHaveCount(1);

  // The store is intact: no phantom conversation or contact, the right seqs, once each.
  await expect(alice.chat.conversationList.getByRole('button')).toHaveCount(3);
  await alice.chat.scrollMessagesTo('bottom');
  const seqs = await alice.chat.messageNodes().evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
  expect(new Set(seqs).size, `duplicate seqs rendered: ${seqs}`).toBe(seqs.length);
  expect(seqs.at(-1)).toBe(43);
  expect(seqs.every((s) => Number.isInteger(s) && s > 0)).toBe(true);
  await alice.chat.contactsTab.click();
  await expect(page.getByRole('button', { name: /^Message .+ @/ })).toHaveCount(2);
  await alice.chat.chatsTab.click();

  // Nothing injected is shown, ran or polluted anything.
  expect(await page.evaluate(() => document.body.textContent ?? '')).not.toContain(MARK);
  expect(await page.evaluate(() => ({} as Record<string, unknown>)['polluted'])).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  // A notification for a conversation she is not in is not followed up with a fetch of it.
  expect(sent.filter((f) => f.includes('c_not_mine') || (f.includes('c_phantom') && f.includes('GetMessages')))).toEqual([]);
  expect(pageErrors).toEqual([]);
  expect(consoleErrors.filter((e) => /listener of .* failed|Uncaught/.test(e))).toEqual([]);
  expect(injected).toBeGreaterThanOrEqual(HOSTILE_FRAMES.length * 2);
  await context.close();
});

/**
 * Hostile replies to alice's genuine requests, not unsolicited frames: the
 * man-in-the-middle rewrites the answers the real server gives. Her first
 * ContactsResponse becomes a 13 MB frame (over the client's
 * MAX_INCOMING_FRAME_BYTES: refused unparsed, the socket reopened, the
 * request made again); her first ConversationsResponse gains a conversation
 * she is not in; her first pages of Bob's conversation gain a second message
 * at a seq, a message id reused at another seq, a seq far outside the page
 * and a message of another conversation.
 */
// Known failure, under investigation: since contacts by consent, the cookie-bound session and version 2
// came together, the page often neither refuses the 13 MB ContactsResponse routed through Playwright nor
// reconnects (no second registration), so the contacts never show. The store's defences this test drives
// are also covered without a browser by src/controllers/hostile-replies.test.ts.
test.fixme('the app keeps its store intact when a hostile server answers its real requests with lies and an oversize frame', async ({ browser, server, signIn }) => {
  const pageErrors: string[] = [];
  const sent: string[] = [];
  const tampered = { contacts: 0, conversations: 0, pages: 0 };
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // The oversize answer goes to the first socket; the lies to the ones after it (the first socket's other answers die with it).
  let sockets = 0;
  const rewrite = (text: string, socket: number): string => {
    let parsed: Record<string, Record<string, unknown>>;
    try {
      parsed = JSON.parse(text) as Record<string, Record<string, unknown>>;
    } catch {
      return text;
    }
    const [name] = Object.keys(parsed);
    const payload = parsed[name!]!;
    if (name === `${NS}ContactsResponse` && payload['requestId'] && socket === 1) {
      tampered.contacts++;
      // Over 12,577,536 bytes: the real answer, padded.
      return frame('ContactsResponse', { ...payload, pad: `${MARK}${'B'.repeat(13 * 1024 * 1024)}` });
    }
    if (name === `${NS}ConversationsResponse` && payload['requestId'] && socket > 1 && tampered.conversations++ === 0) {
      const conversations = payload['conversations'] as Record<string, Record<string, unknown>>;
      conversations['c_foreign'] = { id: 'c_foreign', kind: 'group', title: `${MARK} foreign`, memberIds: ['u_bob', 'u_carol'], latestSeq: 5, updatedAt: Date.now(), members: {} };
      return frame('ConversationsResponse', payload);
    }
    if (name === `${NS}MessagesResponse` && payload['requestId'] && payload['conversationId'] === AB && socket > 1 && tampered.pages < 3) {
      const messages = payload['messages'] as Record<string, Record<string, unknown>>;
      const real = Object.values(messages).sort((a, b) => Number(a['seq']) - Number(b['seq']));
      if (real.length < 2) return text;
      tampered.pages++;
      const [first, second] = real as [Record<string, unknown>, Record<string, unknown>];
      messages['x_dup'] = message({ id: 'm_dup_seq', seq: first['seq'] });
      messages['x_reuse'] = { ...second, seq: Number(first['seq']), body: `${MARK} moved` };
      messages['x_far'] = message({ id: 'm_far', seq: 900_000 });
      messages['x_other'] = message({ id: 'm_other_conv', conversationId: 'c_weekend', seq: 1 });
      return frame('MessagesResponse', payload);
    }
    return text;
  };
  await page.routeWebSocket('**/ws', (ws) => {
    const socket = ++sockets;
    const real = ws.connectToServer();
    ws.onMessage((m) => {
      sent.push(String(m));
      real.send(m);
    });
    real.onMessage((m) => ws.send(typeof m === 'string' ? rewrite(m, socket) : m));
  });

  const alice = { login: new LoginPage(page), chat: new ChatPage(page) };
  await alice.login.goto();
  await alice.login.logIn(USERS.alice.username, USERS.alice.password);
  await alice.chat.expectShown();
  // The oversize answer was refused and the socket reopened: registered twice, contacts fetched again and shown.
  await expect.poll(() => sent.filter((f) => f.includes('ClientRegistrationCommand')).length).toBeGreaterThanOrEqual(2);
  await alice.chat.contactsTab.click();
  await expect(page.getByRole('button', { name: /^Message .+ @/ })).toHaveCount(2);
  await alice.chat.chatsTab.click();
  await expect(alice.chat.conversationList.getByRole('button')).toHaveCount(3);
  await alice.chat.open('Bob');
  await expect(alice.chat.messageNodes().last()).toHaveAttribute('data-seq', '40');
  expect(tampered.contacts).toBe(1);
  expect(tampered.conversations).toBeGreaterThanOrEqual(1);
  expect(tampered.pages).toBeGreaterThanOrEqual(1);

  // The conversation still works both ways, once each.
  const bob = await signIn('bob');
  await bob.chat.open('Alice');
  const outgoing = 'sent after the lies';
  await alice.chat.send(outgoing);
  await expect(alice.chat.statusOf(outgoing)).toHaveAccessibleName(/Delivered|Read/);
  await expect(bob.chat.message(outgoing)).toHaveCount(1);
  await bob.chat.send('bob answers');
  await expect(alice.chat.message('bob answers')).toHaveCount(1);

  // One message per seq, the real ones, nothing injected.
  await alice.chat.scrollMessagesTo('bottom');
  const seqs = await alice.chat.messageNodes().evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
  expect(new Set(seqs).size, `duplicate seqs rendered: ${seqs}`).toBe(seqs.length);
  expect(seqs.at(-1)).toBe(42);
  expect(seqs).not.toContain(900_000);
  expect(await page.evaluate(() => document.body.textContent ?? '')).not.toContain(MARK);
  // What the device stored (IndexedDB message chunks, localStorage conversations): one message per seq and one seq per message, only the real ones.
  await expect.poll(async () => (await storedMessages(page)).filter((m) => m.conversationId === AB).length, { timeout: 15_000 }).toBe(42);
  const stored = await storedMessages(page);
  const ab = stored.filter((m) => m.conversationId === AB);
  expect(ab.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
  expect(stored.filter((m) => m.body.includes(MARK) || m.seq === 900_000)).toEqual([]);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => (localStorage.getItem(k) ?? '').includes('c_foreign')))).toEqual([]);
  // The foreign conversation was neither followed nor fetched.
  expect(sent.filter((f) => f.includes('c_foreign'))).toEqual([]);
  expect(pageErrors).toEqual([]);
  await context.close();
});

/** Every message the page's store has written to IndexedDB (its chunks), as {id, conversationId, seq, body}. */
async function storedMessages(page: import('@playwright/test').Page): Promise<{ id: string; conversationId: string; seq: number; body: string }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tidings');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const entries = await new Promise<[IDBValidKey[], unknown[]]>((resolve, reject) => {
      const store = db.transaction('kv').objectStore('kv');
      const keys = store.getAllKeys();
      const values = store.getAll();
      values.onsuccess = () => resolve([keys.result, values.result]);
      values.onerror = () => reject(values.error);
    });
    db.close();
    // History chunks only (`<prefix>:messages:<conversationId>:<chunk>`): the heads record holds copies of the newest messages.
    const values = entries[1].filter((_, i) => String(entries[0][i]).includes(':messages:'));
    const out: { id: string; conversationId: string; seq: number; body: string }[] = [];
    for (const value of values) {
      if (!value || typeof value !== 'object') continue;
      for (const item of Object.values(value as Record<string, { id?: string; conversationId?: string; seq?: number; body?: string }>)) {
        if (item && typeof item === 'object' && typeof item.conversationId === 'string' && typeof item.seq === 'number') out.push({ id: String(item.id), conversationId: item.conversationId, seq: item.seq, body: String(item.body) });
      }
    }
    return out;
  });
}
