import { expect, test } from './fixtures';

/** The virtual list keeps the DOM small whatever the history length. */
const MAX_MESSAGE_NODES = 150;

test.describe('long histories', () => {
  test('scrolling up loads older messages and keeps the reading position', async ({ signIn }) => {
    const alice = await signIn('alice');
    await alice.chat.open('Carol');
    await expect(alice.chat.messageNodes().first()).toBeVisible();

    await alice.chat.scrollMessagesTo('top');
    const [reading] = await alice.chat.visibleSeqs();
    expect(reading).toBeDefined();
    // At the very top nothing is rendered above the first row, so a lower seq means an older page came in.
    await expect.poll(() => alice.chat.oldestRenderedSeq(), { timeout: 15_000 }).toBeLessThan(reading as number);
    // Older rows went in above: the row being read stays on screen instead of jumping away.
    await expect.poll(() => alice.chat.visibleSeqs()).toContain(reading);
    expect(await alice.chat.messageLog.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  });

  test('a 10,000-message conversation opens and scrolls with a bounded DOM', async ({ signIn }) => {
    const alice = await signIn('alice');
    const started = Date.now();
    await alice.chat.open('Carol');
    await expect(alice.chat.messageNodes().first()).toBeVisible();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await alice.chat.messageNodes().count()).toBeLessThan(MAX_MESSAGE_NODES);

    // Page back several times; the DOM must not grow with the history.
    for (let i = 0; i < 4; i++) {
      await alice.chat.scrollMessagesTo('top');
      const [top] = await alice.chat.visibleSeqs();
      await expect.poll(() => alice.chat.oldestRenderedSeq(), { timeout: 15_000 }).toBeLessThan(top as number);
      expect(await alice.chat.messageNodes().count()).toBeLessThan(MAX_MESSAGE_NODES);
    }

    await alice.chat.scrollMessagesTo('bottom');
    await expect.poll(() => alice.chat.messageLog.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(30);
    expect(await alice.chat.messageNodes().count()).toBeLessThan(MAX_MESSAGE_NODES);
  });
});
