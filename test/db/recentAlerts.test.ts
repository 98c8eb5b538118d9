/** The latest alerts, posted or not, newest first: what the dashboard's overview lists. */
import { describe, expect, it } from 'vitest';
import { at, T0 } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';

describe('recent alerts', () => {
  const newStore = useTempStore();

  it('lists the latest alerts newest first, posted or not, up to the limit; equal times by the later id', async () => {
    const store = await newStore();
    await store.alerts.enqueue('fill:1', 'fill', '{"n":1}', T0);
    await store.alerts.enqueue('halted:1', 'halted', '{"n":2}', at(2));
    await store.alerts.enqueue('fill:2', 'fill', '{"n":3}', at(1));
    await store.alerts.enqueue('fill:3', 'fill', '{"n":4}', at(2));
    const [first] = await store.alerts.listUnposted(1);
    await store.alerts.markPosted([first!.id], at(3));

    const recent = await store.alerts.listRecent(3);
    expect(recent.map((a) => [a.eventKey, a.kind, a.createdAt.toISOString(), a.postedAt])).toEqual([
      ['fill:3', 'fill', at(2).toISOString(), null],
      ['halted:1', 'halted', at(2).toISOString(), null],
      ['fill:2', 'fill', at(1).toISOString(), null],
    ]);
    const all = await store.alerts.listRecent(10);
    expect(all.map((a) => [a.eventKey, a.postedAt?.toISOString() ?? null])).toEqual([
      ['fill:3', null],
      ['halted:1', null],
      ['fill:2', null],
      ['fill:1', at(3).toISOString()],
    ]);
    expect(await (await newStore()).alerts.listRecent(5)).toEqual([]);
  });
});
