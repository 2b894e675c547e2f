import type { Page } from '@playwright/test';

const SEND = 'com.comoyo.SendMessageCommand';

export interface RecordedSend {
  tab: string;
  clientMessageId: string;
  body: string;
}

/**
 * Records every SendMessageCommand the pages put on the wire (their
 * WebSockets' sent frames), to count sends per clientMessageId across tabs.
 * Attach before the sockets to watch open.
 */
export class WireRecorder {
  readonly sends: RecordedSend[] = [];

  watch(page: Page, tab: string): void {
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        if (typeof payload !== 'string' || !payload.includes(SEND)) return;
        const command = (JSON.parse(payload) as Record<string, { clientMessageId: string; body: string }>)[SEND];
        if (command) this.sends.push({ tab, clientMessageId: command.clientMessageId, body: command.body });
      });
    });
  }

  /** How many times each body's clientMessageIds went out, e.g. { hello: [1] } for one id sent once. */
  sendsPerBody(bodies: readonly string[]): Record<string, number[]> {
    return Object.fromEntries(
      bodies.map((body) => {
        const counts = new Map<string, number>();
        for (const send of this.sends) if (send.body === body) counts.set(send.clientMessageId, (counts.get(send.clientMessageId) ?? 0) + 1);
        return [body, [...counts.values()]];
      }),
    );
  }

  tabsThatSent(bodies: readonly string[]): string[] {
    return [...new Set(this.sends.filter((send) => bodies.includes(send.body)).map((send) => send.tab))];
  }
}
