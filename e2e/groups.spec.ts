import { expect, test, USERS } from './fixtures';
import { GroupPage } from './pages/group-page';
import { ConversationReader } from './support/conversation-reader';

/** The demo group of alice (its owner), bob and carol (server/mock/demo-data.ts). */
const WEEKEND = 'c_weekend';
const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws') + '/ws';

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

test('a member added from the contacts sees the group, and only its history from their joining on', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  const carol = await signIn('carol');
  const stamp = Date.now();
  const title = `Book club ${stamp}`;
  await alice.chat.contactsTab.click();
  await alice.chat.page.getByText('New group').click();
  await alice.chat.page.getByLabel('Group name').fill(title);
  await alice.chat.page.getByRole('checkbox', { name: 'Bob' }).check();
  await alice.chat.page.getByRole('button', { name: 'Create group' }).click();
  await expect(alice.chat.conversationTitle).toHaveText(title);
  const before = `Before Carol came ${stamp}`;
  await alice.chat.send(before);
  await bob.chat.open(title);
  await expect(bob.chat.message(before)).toBeVisible();
  await expect(carol.chat.conversation(title)).toHaveCount(0);

  const group = new GroupPage(alice.chat.page);
  await group.openPanel();
  await expect(group.member('Alice')).toContainText('@alice');
  await expect(group.member('Bob')).toContainText('@bob');
  await group.addMembers('Carol');
  await expect(group.member('Carol')).toContainText('@carol');
  await group.closePanel();
  await expect(group.systemLine('You added Carol')).toBeVisible();
  await expect(new GroupPage(bob.chat.page).systemLine('Alice added Carol')).toBeVisible();

  await carol.chat.open(title);
  await expect(new GroupPage(carol.chat.page).systemLine('Alice added you')).toBeVisible();
  const after = `After Carol came ${stamp}`;
  await alice.chat.send(after);
  await expect(carol.chat.message(after)).toBeVisible();
  await expect(carol.chat.message(before)).toHaveCount(0);
  // Not even after a reload, from the server's history.
  await carol.chat.page.reload();
  await carol.chat.open(title);
  await expect(carol.chat.message(after)).toBeVisible();
  await expect(carol.chat.message(before)).toHaveCount(0);
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
  const line = group.systemLine(`You renamed the group to “${title}”`);
  await expect(line).toBeVisible();
  await expect(alice.chat.page.locator('.row-system').filter({ has: line }).getByRole('img', { name: 'Pending' })).toBeVisible();
  await bob.chat.page.waitForTimeout(500);
  await expect(bob.chat.conversationTitle).toHaveText('Weekend plans');

  await alice.context.setOffline(false);
  await expect(bob.chat.conversationTitle).toHaveText(title, { timeout: 30_000 });
  await expect(alice.chat.page.locator('.row-system').filter({ has: line }).getByRole('img', { name: 'Pending' })).toHaveCount(0);
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
