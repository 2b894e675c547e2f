/**
 * What the benchmark installs in every page before the app's own scripts
 * (`page.addInitScript(instrument, options)`): one MutationObserver over the
 * document and a keydown/click listener in the capture phase, recording
 * `performance.now()` (milliseconds since the page's navigation start) at
 *
 * - `listDom`: the conversation list holds `expectConversations` buttons;
 * - `openDom`: after a click on the long conversation's button, the message
 *   log holds a row of it;
 * - `watch[text].dom`: a node with that text appeared inside the message log
 *   (local echo, or arrival on another person's screen), with the row's
 *   status then (`Pending`, `Sent`, ...); `t0` is the Enter keydown's
 *   `timeStamp` when the composer held that text;
 *
 * and each `...Paint`: the first moment after the frame that shows the change
 * was produced (a message posted during a requestAnimationFrame callback runs
 * after that frame's paint; for a change made inside such a callback, as the
 * virtual list makes them, that is the current frame, otherwise the next). `wall` values add `performance.timeOrigin`, so two pages
 * share one clock.
 *
 * The function is serialised into the page: it must not reference anything
 * outside itself.
 */
export interface InstrumentOptions {
  expectConversations: number;
  longConversationId: string;
  /** Text that only the long conversation's rows contain. */
  longConversationText: string;
}

export interface WatchRecord {
  t0?: number;
  wall0?: number;
  dom?: number;
  wallDom?: number;
  paint?: number;
  status?: string | null;
  /** Whether the node appeared inside a requestAnimationFrame callback. */
  inFrame?: boolean;
}

export interface PageMarks {
  listDom?: number;
  listPaint?: number;
  openClick?: number;
  openDom?: number;
  openPaint?: number;
}

export interface BenchGlobal {
  marks: PageMarks;
  watch: Record<string, WatchRecord>;
}

export function instrument(options: InstrumentOptions): void {
  const bench: BenchGlobal = { marks: {}, watch: {} };
  (window as unknown as { __bench: BenchGlobal }).__bench = bench;
  const marks = bench.marks;
  // Whether the code running now is inside a requestAnimationFrame callback (the app renders
  // the message list in one): a DOM change made there is painted at the end of this very frame,
  // one made in an ordinary task at the end of the next one. The flag is cleared by a microtask
  // queued after the callback, so the MutationObserver's callback (queued at the first change,
  // earlier) still sees it set.
  let inFrame = false;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback: FrameRequestCallback): number =>
    raf((t) => {
      inFrame = true;
      try {
        callback(t);
      } finally {
        queueMicrotask(() => (inFrame = false));
      }
    });
  const afterPaint = (done: (t: number) => void): void => {
    const post = (): void => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => done(performance.now());
      channel.port2.postMessage(0);
    };
    if (inFrame) post();
    else raf(post);
  };
  const inLog = (node: Node): Element | null => {
    const el = node instanceof Element ? node : node.parentElement;
    return el?.closest('[role="log"]') ?? null;
  };

  addEventListener(
    'click',
    (e) => {
      const target = e.target instanceof Element ? e.target.closest(`[data-id="${options.longConversationId}"]`) : null;
      if (target && marks.openClick === undefined) marks.openClick = e.timeStamp;
    },
    true,
  );
  addEventListener(
    'keydown',
    (e) => {
      if (e.key !== 'Enter' || e.shiftKey || !(e.target instanceof HTMLTextAreaElement)) return;
      const record = bench.watch[e.target.value.trim()];
      if (record && record.t0 === undefined) {
        record.t0 = e.timeStamp;
        record.wall0 = performance.timeOrigin + e.timeStamp;
      }
    },
    true,
  );

  const observer = new MutationObserver((records) => {
    const now = performance.now();
    if (marks.listDom === undefined && document.querySelectorAll('ul.conversation-list .conversation-button').length >= options.expectConversations) {
      marks.listDom = now;
      afterPaint((t) => (marks.listPaint = t));
    }
    if (marks.openClick !== undefined && marks.openDom === undefined) {
      const log = document.querySelector('[role="log"]');
      if (log?.querySelector('.row-message') && log.textContent?.includes(options.longConversationText)) {
        marks.openDom = now;
        afterPaint((t) => (marks.openPaint = t));
      }
    }
    const waiting = Object.entries(bench.watch).filter(([, r]) => r.dom === undefined);
    if (waiting.length === 0) return;
    for (const record of records) {
      const nodes: Node[] = record.type === 'characterData' ? [record.target] : [...record.addedNodes];
      for (const node of nodes) {
        const text = node.textContent;
        if (!text) continue;
        for (const [wanted, r] of waiting) {
          if (r.dom !== undefined || !text.includes(wanted) || !inLog(node)) continue;
          r.dom = now;
          r.wallDom = performance.timeOrigin + now;
          const row = (node instanceof Element ? node : node.parentElement)?.closest('.row-message');
          r.status = row?.querySelector('.status')?.getAttribute('aria-label') ?? null;
          r.inFrame = inFrame;
          afterPaint((t) => (r.paint = t));
        }
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

/**
 * The init script's source. tsx compiles with esbuild's keepNames, which
 * wraps named functions in a `__name(...)` helper that does not exist in the
 * page; a no-op stands in for it.
 */
export function instrumentScript(options: InstrumentOptions): { content: string } {
  return { content: `(() => { const __name = (f) => f; (${instrument.toString()})(${JSON.stringify(options)}); })();` };
}
