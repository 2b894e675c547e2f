import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact, SessionInfo } from '../protocol';
import { ProtocolError } from '../protocol';
import { AppView } from './app-view';
import { personLabel, personName } from './person-name';
import { addConversation, createFakeCore, fakeConversationOf, fakeMessage, type FakeCore } from './testing/fake-core';

/** The views of contacts by consent, blocking, usernames beside names, and the settings. */
const group = fakeConversationOf('g1', ['u-alice', 'u-bob', 'u-mallory'], {
  title: 'Weekend', latestSeq: 2, myDeliveredSeq: 2, myReadSeq: 2, deliveredToAllSeq: 2, readByAllSeq: 2,
});

function person(id: string, username: string, displayName: string, extra: Partial<Contact> = {}): Contact {
  return { id, username, displayName, online: false, lastSeenAt: null, state: 'accepted', blocked: false, ...extra };
}

function mount(core: FakeCore = createFakeCore()) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const app = new AppView(core, { el }).render();
  return { core, app, el };
}

const frame = () => new Promise((r) => requestAnimationFrame(r));
const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('names', () => {
  it('isolates a display name with a direction override or a look-alike, so the username beside it stays readable and in place', () => {
    const spoof = personName({ username: 'mallory', displayName: '\u202Eecila' });
    const lookalike = personName({ username: 'mallory', displayName: '\u0410lice' });
    for (const el of [spoof, lookalike]) {
      const bdi = el.querySelector('bdi.display-name')!;
      const username = el.querySelector('.username')!;
      // The override lives inside the isolate; the username is a sibling after it, never inside.
      expect(bdi.nextSibling?.nextSibling).toBe(username);
      expect(bdi.contains(username)).toBe(false);
      expect(username.textContent).toBe('@mallory');
      expect(username.getAttribute('dir')).toBe('ltr');
    }
    expect(spoof.querySelector('bdi')!.textContent).toBe('\u202Eecila');
    expect(personLabel({ username: 'mallory', displayName: '\u202Eecila' })).toBe('ecila @mallory');
    expect(personLabel({ username: 'mallory', displayName: '\u0410lice' })).toBe('\u0410lice @mallory');
  });

  it('shows the username beside every person: contacts, requests, direct titles, the header, group members and senders', async () => {
    const core = createFakeCore();
    core.collections.contacts.add([
      person('u-bob', 'bob', 'Bob'),
      person('u-mallory', 'mallory', '\u0410lice', { state: 'incoming' }),
    ]);
    addConversation(core, { ...group, id: 'd1', kind: 'direct', title: '', ownerId: null, memberIds: ['u-alice', 'u-bob'] }, [fakeMessage(1, 'u-bob', 'hi', Date.now(), 'd1')]);
    addConversation(core, group, [fakeMessage(1, 'u-bob', 'hello group', Date.now() - 10, 'g1')]);
    const { el } = mount(core);
    await frame();
    const titles = [...el.querySelectorAll('.conversation-title')].map((t) => t.textContent);
    expect(titles).toContain('Bob @bob');
    (el.querySelector('[data-tab=contacts]') as HTMLElement).click();
    const names = [...el.querySelectorAll('.contact-name')].map((n) => n.textContent);
    expect(names).toEqual(expect.arrayContaining(['Bob @bob', '\u0410lice @mallory']));
    expect([...el.querySelectorAll('.group-members label')].map((l) => l.textContent)).toEqual(['Bob @bob']);
    (el.querySelector('[data-tab=chats]') as HTMLElement).click();
    (el.querySelector('.conversation-button[data-id=g1]') as HTMLElement).click();
    await frame();
    expect(el.querySelector('.conversation-subtitle')?.textContent).toBe('You, Bob @bob, \u0410lice @mallory');
    expect(el.querySelector('.sender')?.textContent).toBe('Bob @bob');
  });
});

describe('contacts by consent', () => {
  it('counts incoming requests on the Contacts tab and answers them', async () => {
    const core = createFakeCore();
    core.collections.contacts.add([person('u-bob', 'bob', 'Bob', { state: 'incoming' }), person('u-carol', 'carol', 'Carol', { state: 'incoming' })]);
    const { el } = mount(core);
    const tab = el.querySelector('[data-tab=contacts]') as HTMLElement;
    expect(tab.textContent).toBe('Contacts2 requests');
    tab.click();
    expect(el.querySelector('#requests-heading')?.textContent).toBe('Contact requests (2)');
    (el.querySelector('[aria-label="Accept Bob @bob"]') as HTMLElement).click();
    await flush();
    (el.querySelector('[aria-label="Decline Carol @carol"]') as HTMLElement).click();
    await flush();
    expect(core.calls.filter((c) => c.name === 'answerRequest').map((c) => c.args)).toEqual([['u-bob', true], ['u-carol', false]]);
    expect(el.querySelector('.tab-badge')?.hasAttribute('hidden')).toBe(true);
    expect(el.querySelector('.contact-list [data-message="u-bob"]')).not.toBeNull();
    expect(el.querySelector('.form-message')?.textContent).toBe('Declined the request from Carol @carol.');
  });

  it('shows an outgoing request as Requested with Withdraw, and no presence', async () => {
    const core = createFakeCore();
    const { el } = mount(core);
    (el.querySelector('[data-tab=contacts]') as HTMLElement).click();
    (el.querySelector('#add-contact-username') as HTMLInputElement).value = 'Dora';
    (el.querySelector('.add-contact') as HTMLFormElement).dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flush();
    expect(el.querySelector('.form-message')?.textContent).toBe('Request sent to dora @dora. You will see each other once they accept.');
    const row = el.querySelector('[data-user="u-dora"]')!;
    expect(row.textContent).toContain('Requested');
    expect(row.querySelector('.presence-dot.is-online')).toBeNull();
    (row.querySelector('[data-withdraw]') as HTMLElement).click();
    await flush();
    expect(el.querySelector('[data-user="u-dora"]')).toBeNull();
  });

  it('blocks only after a confirmation, lists the blocked, and unblocks', async () => {
    const core = createFakeCore();
    core.collections.contacts.add([person('u-bob', 'bob', 'Bob')]);
    const { el } = mount(core);
    (el.querySelector('[data-tab=contacts]') as HTMLElement).click();
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    window.confirm = confirm;
    (el.querySelector('[aria-label="Block Bob @bob"]') as HTMLElement).click();
    await flush();
    expect(core.calls.some((c) => c.name === 'setBlocked')).toBe(false);
    (el.querySelector('[aria-label="Block Bob @bob"]') as HTMLElement).click();
    await flush();
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(confirm.mock.calls[1]![0]).toContain('Block Bob @bob?');
    expect(el.querySelector('#blocked-heading')?.closest('.contact-section')?.hasAttribute('hidden')).toBe(false);
    expect(el.querySelector('[aria-label="Message Bob @bob"]')).toBeNull();
    (el.querySelector('[aria-label="Unblock Bob @bob"]') as HTMLElement).click();
    await flush();
    expect(core.calls.filter((c) => c.name === 'setBlocked').map((c) => c.args)).toEqual([['u-bob', true], ['u-bob', false]]);
    expect(el.querySelector('[aria-label="Message Bob @bob"]')).not.toBeNull();
  });

  it('hides a blocked person\'s messages in a shared group behind one line, keeping the seq, and shows one on request', async () => {
    const core = createFakeCore();
    core.collections.contacts.add([person('u-bob', 'bob', 'Bob'), person('u-mallory', 'mallory', 'Mallory', { blocked: true })]);
    const now = Date.now();
    addConversation(core, group, [fakeMessage(1, 'u-mallory', 'buy my stuff', now - 100, 'g1'), fakeMessage(2, 'u-bob', 'hello', now, 'g1')]);
    const { el } = mount(core);
    await frame();
    (el.querySelector('.conversation-button[data-id=g1]') as HTMLElement).click();
    await frame();
    const hidden = el.querySelector('.is-hidden-sender') as HTMLElement;
    expect(hidden.textContent).toContain('Message from a blocked person');
    expect(hidden.dataset.seq).toBe('1');
    expect(el.querySelector('.message-window')?.textContent).not.toContain('buy my stuff');
    expect(el.querySelector('.message-window')?.textContent).toContain('hello');
    (hidden.querySelector('[data-reveal]') as HTMLElement).click();
    await frame();
    expect(el.querySelector('.message-window')?.textContent).toContain('buy my stuff');
  });

  it('says why a direct conversation shows no presence', async () => {
    const core = createFakeCore();
    core.collections.contacts.add([person('u-bob', 'bob', 'Bob', { blocked: true, online: true })]);
    addConversation(core, { ...group, id: 'd1', kind: 'direct', title: '', ownerId: null, memberIds: ['u-alice', 'u-bob'] });
    const { el } = mount(core);
    await frame();
    (el.querySelector('.conversation-button[data-id=d1]') as HTMLElement).click();
    await frame();
    expect(el.querySelector('.conversation-subtitle')?.textContent).toMatch(/^Blocked/);
  });
});

describe('settings', () => {
  const sessions: SessionInfo[] = [
    { id: 's1', current: true, publicComputer: false, createdAt: Date.now() - 3 * 86_400_000, lastUsedAt: Date.now(), client: 'Chromium on Linux' },
    { id: 's2', current: false, publicComputer: true, createdAt: Date.now() - 3_600_000, lastUsedAt: Date.now() - 600_000, client: 'Firefox on Windows' },
    { id: 's3', current: false, publicComputer: false, createdAt: Date.now() - 86_400_000, lastUsedAt: Date.now() - 60_000, client: 'Safari on iOS' },
  ];

  async function openSettings(core: FakeCore) {
    core.sessionList = sessions.slice();
    const { el } = mount(core);
    (el.querySelector('.settings-button') as HTMLElement).click();
    await flush();
    return el;
  }

  function submit(form: Element | null): void {
    form!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  }

  it('changes the display name and shows it in the header', async () => {
    const core = createFakeCore();
    const el = await openSettings(core);
    const input = el.querySelector('input[name=displayName]') as HTMLInputElement;
    expect(input.value).toBe('Alice');
    input.value = 'Alice Liddell';
    submit(el.querySelector('.profile-form'));
    await flush();
    expect(core.calls.find((c) => c.name === 'updateDisplayName')?.args).toEqual(['Alice Liddell']);
    expect(el.querySelector('.account-name')?.textContent).toBe('Alice Liddell @alice');
    core.failNext = new ProtocolError('INVALID_PAYLOAD', 'displayName: must not hold control or text-direction characters; it holds U+202E at index 0');
    input.value = '\u202Eecila';
    submit(el.querySelector('.profile-form'));
    await flush();
    expect(el.querySelector('.profile-form .form-message')?.textContent).toContain('U+202E');
  });

  it('changes the password, with clear words for a wrong current one and for throttling', async () => {
    const core = createFakeCore();
    const el = await openSettings(core);
    const form = el.querySelector('.password-form') as HTMLFormElement;
    const set = (name: string, value: string) => ((form.elements.namedItem(name) as HTMLInputElement).value = value);
    const message = () => form.querySelector('.form-message')?.textContent;
    set('currentPassword', 'old-secret');
    set('newPassword', 'new-secret-1');
    set('confirmPassword', 'new-secret-2');
    submit(form);
    expect(message()).toBe('The two new passwords differ.');
    set('confirmPassword', 'new-secret-1');
    core.failNext = new ProtocolError('FORBIDDEN', 'wrong password');
    submit(form);
    await flush();
    expect(message()).toBe('The current password is wrong.');
    core.failNext = new ProtocolError('RATE_LIMITED', 'too many');
    submit(form);
    await flush();
    expect(message()).toBe('Too many wrong passwords. Please wait a few minutes and try again.');
    submit(form);
    await flush();
    expect(message()).toBe('Password changed. Every other session has been signed out.');
    expect((form.elements.namedItem('currentPassword') as HTMLInputElement).value).toBe('');
  });

  it('lists where one is signed in and signs out one session, then all others', async () => {
    const core = createFakeCore();
    const el = await openSettings(core);
    const items = [...el.querySelectorAll('.session-item')];
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toContain('This device');
    expect(items[1]!.textContent).toContain('Public computer');
    expect(items[1]!.textContent).toContain('Signed in 1 h ago');
    expect(items[1]!.textContent).toContain('last used 10 min ago');
    (el.querySelector('[data-revoke=s2]') as HTMLElement).click();
    await flush();
    expect(core.calls.find((c) => c.name === 'revokeSession')?.args).toEqual(['s2']);
    expect(el.querySelectorAll('.session-item')).toHaveLength(2);
    (el.querySelector('.revoke-others') as HTMLElement).click();
    await flush();
    expect(el.querySelector('.sessions .form-message')?.textContent).toBe('Signed out 1 other session.');
    expect(el.querySelectorAll('.session-item')).toHaveLength(1);
    expect((el.querySelector('.revoke-others') as HTMLButtonElement).disabled).toBe(true);
    (el.querySelector('[data-revoke=s1]') as HTMLElement).click();
    await flush();
    expect(core.calls.some((c) => c.name === 'logout')).toBe(true);
    expect(el.querySelector('input[name=username]')).not.toBeNull();
  });

  it('switches the theme', async () => {
    const core = createFakeCore();
    const el = await openSettings(core);
    const dark = el.querySelector('input[name=theme][value=dark]') as HTMLInputElement;
    dark.checked = true;
    dark.dispatchEvent(new Event('change', { bubbles: true }));
    expect(core.theme.current()).toBe('dark');
    expect(core.appliedTheme()).toBe('dark');
  });
});
