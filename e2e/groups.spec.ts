import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { GroupPage } from './pages/group-page';
import { LoginPage } from './pages/login-page';
import { ConversationReader } from './support/conversation-reader';

/** The demo group of alice (its owner), bob and carol (server/mock/demo-data.ts). */
const WEEKEND = 'c_weekend';
const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws') + '/ws';


// Several people's browsers in each test, on a machine shared with other work: generous time.
test.describe.configure({ timeout: 180_000 });

test('a rename is seen live by another member: the title and a line in the history', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Weekend plans');
  await bob.chat.open('Weekend plans');
  const title = `Hiking crew ${Date.now()}`;
  const aliceGroup = new GroupPage(alice.chat.page);
  await aliceGroup.openPanel();
  await aliceGroup.rename(title);
  await aliceGroup.closePanel();
  await expect(aliceGroup.systemLine(`You renamed the group to “${title}”`)).toBeVisible();
  await expect(bob.chat.conversationTitle).toHaveText(title);
  await expect(new GroupPage(bob.chat.page).systemLine(`Alice renamed the group to “${title}”`)).toBeVisible();
  await expect(bob.chat.conversation(title)).toBeVisible();
  // System lines are not messages: no bubble, no menu.
  await expect(bob.chat.message(title)).toHaveCount(0);
});

test('a member added from the contacts sees the group, and only its history from their joining on', async ({ signIn, browser, server }) => {
  // Someone outside the demo group: dave signs up, and alice adds him to her contacts.
  const daveContext = await browser.newContext({ baseURL: server.url });
  try {
    const davePage = await daveContext.newPage();
    const daveLogin = new LoginPage(davePage);
    await daveLogin.goto();
    await daveLogin.signUp('dave', 'tidings-dave-password', 'Dave');
    const dave = new ChatPage(davePage);
    // Signing up hashes the password at full cost: on a busy machine that takes a while.
    await expect(dave.conversationList).toBeVisible({ timeout: 30_000 });

    const alice = await signIn('alice');
    const bob = await signIn('bob');
    // Contacts by consent: alice asks, dave accepts.
    await alice.chat.addContact('dave');
    await expect(alice.chat.page.getByText('Request sent to Dave @dave. You will see each other once they accept.')).toBeVisible();
    await dave.contactsTab.click();
    await davePage.getByRole('button', { name: 'Accept Alice @alice' }).click();
    await expect(alice.chat.page.getByRole('button', { name: 'Message Dave @dave' })).toBeVisible();
    await dave.chatsTab.click();
    await alice.chat.chatsTab.click();
    await alice.chat.open('Weekend plans');
    await bob.chat.open('Weekend plans');
    const before = `Before Dave came ${Date.now()}`;
    await alice.chat.send(before);
    await expect(bob.chat.message(before)).toBeVisible();
    await expect(dave.conversation('Weekend plans')).toHaveCount(0);

    const group = new GroupPage(alice.chat.page);
    await group.openPanel();
    await expect(group.member('Alice')).toContainText('@alice');
    await expect(group.member('Bob')).toContainText('@bob');
    await expect(group.member('Carol')).toContainText('@carol');
    await group.addMembers('Dave');
    await expect(group.member('Dave')).toContainText('@dave');
    await group.closePanel();
    await expect(group.systemLine('You added Dave')).toBeVisible();
    // Bob has no contact called Dave: an id he cannot name is "someone".
    await expect(new GroupPage(bob.chat.page).systemLine('Alice added someone')).toBeVisible();

    await dave.open('Weekend plans');
    await expect(new GroupPage(davePage).systemLine('Alice added you')).toBeVisible();
    const after = `After Dave came ${Date.now()}`;
    await alice.chat.send(after);
    await expect(dave.message(after)).toBeVisible();
    for (const earlier of [before, 'I will bring snacks.']) await expect(dave.message(earlier)).toHaveCount(0);
    // Not even after a reload, from the server's history.
    await davePage.reload();
    await expect(dave.conversationList).toBeVisible({ timeout: 30_000 });
    await dave.open('Weekend plans');
    await expect(dave.message(after)).toBeVisible();
    for (const earlier of [before, 'I will bring snacks.']) await expect(dave.message(earlier)).toHaveCount(0);
  } finally {
    await daveContext.close();
  }
});

test('the owner removes a member, who keeps the history read-only and gets nothing new', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  const carol = await signIn('carol');
  for (const person of [alice, bob, carol]) await person.chat.open('Weekend plans');

  // Only the owner may remove.
  const bobGroup = new GroupPage(bob.chat.page);
  await bobGroup.openPanel();
  await expect(bobGroup.member('Alice')).toContainText('Owner');
  await expect(bobGroup.panel.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await bobGroup.closePanel();

  const aliceGroup = new GroupPage(alice.chat.page);
  await aliceGroup.openPanel();
  await aliceGroup.removeMember('Carol');
  await expect(aliceGroup.member('Carol')).toHaveCount(0);
  await aliceGroup.closePanel();
  await expect(aliceGroup.systemLine('You removed Carol')).toBeVisible();
  await expect(bobGroup.systemLine('Alice removed Carol')).toBeVisible();

  const carolGroup = new GroupPage(carol.chat.page);
  await expect(carolGroup.systemLine('Alice removed you')).toBeVisible();
  await expect(carolGroup.membershipBar).toBeVisible();
  await expect(carol.chat.composer).toHaveCount(0);
  await expect(carol.chat.message('I will bring snacks.')).toBeVisible();

  const later = `After Carol left ${Date.now()}`;
  await alice.chat.send(later);
  await expect(bob.chat.message(later)).toBeVisible();
  await carol.chat.page.reload();
  await expect(carol.chat.conversationList).toBeVisible({ timeout: 30_000 });
  await carol.chat.open('Weekend plans');
  await expect(carolGroup.membershipBar).toBeVisible();
  await expect(carol.chat.message('I will bring snacks.')).toBeVisible();
  await expect(carol.chat.message(later)).toHaveCount(0);
});

test('leaving takes a confirmation; the owner who leaves hands the group on', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Weekend plans');
  await bob.chat.open('Weekend plans');

  const aliceGroup = new GroupPage(alice.chat.page);
  await aliceGroup.openPanel();
  await aliceGroup.panel.getByRole('button', { name: 'Leave group' }).click();
  await expect(aliceGroup.panel).toContainText('becomes its owner');
  await aliceGroup.panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(aliceGroup.member('Alice')).toBeVisible();
  await aliceGroup.leave();
  await expect(aliceGroup.systemLine('You left')).toBeVisible();
  await expect(aliceGroup.membershipBar).toBeVisible();

  const bobGroup = new GroupPage(bob.chat.page);
  await expect(bobGroup.systemLine('Alice left')).toBeVisible();
  await bobGroup.openPanel();
  await expect(bobGroup.member('Alice')).toHaveCount(0);
  // The longest-standing member (bob, a founder listed before carol) owns it now, and may remove.
  await expect(bobGroup.member('Bob')).toContainText('Owner');
  await expect(bobGroup.panel.getByRole('button', { name: 'Remove Carol' })).toBeVisible();

  const reader = await ConversationReader.open(wsUrl(server.url), USERS.bob.username, USERS.bob.password);
  try {
    const left = (await reader.entriesAfter(WEEKEND)).filter((e) => e.kind === 'members');
    expect(left.map((e) => e.kind === 'members' && [e.senderId, e.added, e.removed])).toEqual([['u_alice', [], ['u_alice']]]);
  } finally {
    reader.close();
  }
});

test('a rename made offline shows pending and goes out once after reconnecting', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Weekend plans');
  await bob.chat.open('Weekend plans');
  const group = new GroupPage(alice.chat.page);

  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  const title = `Renamed offline ${Date.now()}`;
  await group.openPanel();
  await group.rename(title);
  await group.closePanel();
  const text = `You renamed the group to “${title}”`;
  const line = group.systemLine(text);
  await expect(line).toBeVisible();
  await expect(group.pendingMark(text)).toBeVisible();
  await bob.chat.page.waitForTimeout(500);
  await expect(bob.chat.conversationTitle).toHaveText('Weekend plans');

  await alice.context.setOffline(false);
  await expect(bob.chat.conversationTitle).toHaveText(title, { timeout: 30_000 });
  await expect(group.pendingMark(text)).toHaveCount(0);
  await expect(line).toHaveCount(1);
  await alice.chat.page.waitForTimeout(1000); // nothing more trickles out
  const reader = await ConversationReader.open(wsUrl(server.url), USERS.bob.username, USERS.bob.password);
  try {
    const renames = (await reader.entriesAfter(WEEKEND)).filter((e) => e.kind === 'title');
    expect(renames.map((e) => e.kind === 'title' && e.title)).toEqual([title]);
  } finally {
    reader.close();
  }
});
