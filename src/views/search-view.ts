import Backbone from 'backbone';
import { foldForSearch, queryWords, type Message } from '../protocol';
import type { SearchResults } from '../search/search-controller';
import { h, replaceChildren } from './dom';
import { listTime } from './format';
import { attrs, contactName, conversationTitle, type ConversationModel, type ViewCore } from './view-core';

/** Typing pauses this long before a search runs. */
export const SEARCH_DEBOUNCE_MS = 150;

/**
 * The sidebar's search box (docs/CLIENT.md, "Search"): over all
 * conversations, or only the open one when "This conversation" is pressed.
 * Results show as the person types (debounced): first the device's, then
 * merged with the server's. Each shows the conversation, the sender, the
 * date and the text with the matching words marked, built as text nodes
 * (never HTML); choosing one opens the conversation at that message.
 */
export class SearchView extends Backbone.View {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private openConversationId: string | null = null;
  private scoped = false;
  private input!: HTMLInputElement;
  private scopeButton!: HTMLButtonElement;
  private results!: HTMLElement;

  override preinitialize(): void {
    this.className = 'search';
    this.events = {
      'input input[type=search]': 'schedule',
      'click .search-scope': 'toggleScope',
      'click [data-result]': 'onChoose',
      'keydown input[type=search]': 'onKey',
    };
  }

  constructor(
    private readonly core: ViewCore,
    private readonly onOpen: (conversationId: string, messageId: string) => void,
  ) {
    super();
  }

  override render(): this {
    this.input = h('input', { type: 'search', placeholder: 'Search messages', 'aria-label': 'Search messages', maxlength: '200' });
    this.scopeButton = h('button', { type: 'button', class: 'search-scope ghost', 'aria-pressed': 'false', disabled: true }, 'This conversation');
    this.results = h('ol', { class: 'search-results', 'aria-live': 'polite' });
    replaceChildren(this.el, h('div', { class: 'search-bar' }, this.input, this.scopeButton), this.results);
    this.results.hidden = true;
    return this;
  }

  /** The conversation on screen, which the scope toggle narrows to. */
  setOpenConversation(id: string | null): void {
    this.openConversationId = id;
    this.scopeButton.disabled = id === null;
    if (id === null && this.scoped) this.toggleScope();
  }

  override remove(): this {
    if (this.timer) clearTimeout(this.timer);
    return super.remove();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), SEARCH_DEBOUNCE_MS);
  }

  private toggleScope(): void {
    this.scoped = !this.scoped;
    this.scopeButton.setAttribute('aria-pressed', String(this.scoped));
    this.schedule();
  }

  private async run(): Promise<void> {
    const query = this.input.value;
    const generation = ++this.generation;
    if (queryWords(query).length === 0) {
      this.results.hidden = true;
      replaceChildren(this.results);
      return;
    }
    const scope = this.scoped && this.openConversationId ? { conversationId: this.openConversationId } : {};
    await this.core.search.search(query, scope, (results) => {
      // A slower answer to an older query never replaces a newer one.
      if (generation === this.generation) this.show(results);
    });
  }

  private show(results: SearchResults): void {
    this.results.hidden = false;
    const words = queryWords(results.query);
    const items = results.messages.map((m) => this.item(m, words));
    if (items.length === 0) items.push(h('li', { class: 'search-empty' }, results.source === 'local' ? 'Searching…' : 'No messages found'));
    if (results.source === 'offline') items.push(h('li', { class: 'search-note' }, 'Offline: results from this device only'));
    replaceChildren(this.results, ...items);
  }

  private item(m: Message, words: readonly string[]): HTMLElement {
    const conversation = this.core.collections.conversations.get(m.conversationId) as ConversationModel | undefined;
    const selfId = this.core.session.currentUser()?.id;
    const title = conversation ? conversationTitle(attrs(conversation), this.core.collections.contacts, selfId) : 'Conversation';
    const sender = m.senderId === selfId ? 'You' : contactName(this.core.collections.contacts, m.senderId);
    return h('li', {},
      h('button', { type: 'button', class: 'search-result', 'data-result': m.id, 'data-conversation': m.conversationId },
        h('span', { class: 'search-result-head' }, h('strong', {}, title), ' · ', sender, ' · ', h('time', { datetime: new Date(m.sentAt).toISOString() }, listTime(m.sentAt))),
        h('span', { class: 'search-result-body' }, ...highlight(m.body, words))));
  }

  private onChoose(e: JQuery.TriggeredEvent): void {
    const el = e.currentTarget as HTMLElement;
    this.onOpen(el.dataset['conversation']!, el.dataset['result']!);
  }

  private onKey(e: JQuery.TriggeredEvent): void {
    if ((e.originalEvent as KeyboardEvent).key !== 'Escape') return;
    this.input.value = '';
    this.schedule();
  }
}

/**
 * The text as text nodes and <mark> elements around each word that starts
 * with a query word (compared folded, like the index), at most the first
 * 300 characters around the first match.
 */
export function highlight(text: string, words: readonly string[]): (string | HTMLElement)[] {
  const parts: (string | HTMLElement)[] = [];
  const pattern = /[\p{L}\p{N}\p{M}]+/gu;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const folded = foldForSearch(match[0]);
    if (!words.some((w) => (w.length > 1 ? folded.startsWith(w) : folded === w))) continue;
    parts.push(text.slice(last, match.index), h('mark', {}, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== '');
}
