import { describe, expect, it } from 'vitest';
import { buildRows } from './message-rows';

const at = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m).getTime();
const msg = (id: string, senderId: string, sentAt: number) => ({ id, clientMessageId: `c-${id}`, senderId, sentAt });

describe('buildRows', () => {
  it('puts a day separator before the first message of each day', () => {
    const rows = buildRows([msg('1', 'a', at(20, 9)), msg('2', 'b', at(20, 10)), msg('3', 'a', at(21, 8))]);
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'message', 'day', 'message']);
    expect(rows[0]?.key).toBe('d:2026-11-20');
    expect(rows[3]?.key).toBe('d:2026-11-21');
  });

  it('groups consecutive messages of one sender within five minutes', () => {
    const rows = buildRows([msg('1', 'a', at(20, 9, 0)), msg('2', 'a', at(20, 9, 3)), msg('3', 'a', at(20, 9, 20)), msg('4', 'b', at(20, 9, 21))]);
    const firsts = rows.flatMap((r) => (r.kind === 'message' ? [r.firstOfGroup] : []));
    expect(firsts).toEqual([true, false, true, true]);
  });

  it('keys messages by sender and clientMessageId so an ack keeps the row', () => {
    const [, row] = buildRows([msg('server-9', 'a', at(20, 9))]);
    expect(row?.key).toBe('m:a:c-server-9');
  });
});
