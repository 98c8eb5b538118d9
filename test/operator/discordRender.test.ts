/** The Discord rendering of a view, and who may trade. */
import { describe, expect, it } from 'vitest';
import { tradePermission } from '../../src/operator/discord/permission.js';
import { renderMessage } from '../../src/operator/discord/render.js';

describe('renderMessage', () => {
  it('makes one embed in the tone’s colour and a row of buttons carrying their targets', () => {
    const m = renderMessage({
      title: 'Signal: BUY AAPL',
      description: 'From discord',
      fields: [{ name: 'Entry', value: '$190.00', inline: true }],
      tone: 'success',
      footer: 'signal s-1',
      buttons: [
        { label: 'Approve', customId: 'approve:s-1', style: 'success' },
        { label: 'Reject', customId: 'reject:s-1', style: 'danger', disabled: true },
      ],
    });
    expect(m.embeds.map((e) => e.toJSON())).toEqual([
      {
        title: 'Signal: BUY AAPL',
        description: 'From discord',
        color: 0x16a34a,
        fields: [{ name: 'Entry', value: '$190.00', inline: true }],
        footer: { text: 'signal s-1' },
      },
    ]);
    expect(m.components.map((r) => r.toJSON())).toEqual([
      {
        type: 1,
        components: [
          { type: 2, custom_id: 'approve:s-1', label: 'Approve', style: 3, disabled: false },
          { type: 2, custom_id: 'reject:s-1', label: 'Reject', style: 4, disabled: true },
        ],
      },
    ]);
  });
});

describe('tradePermission', () => {
  const lists = { traderRoleIds: ['r-trader'], traderUserIds: ['u-boss'] };

  it('allows a trader role or a listed user, and no one else', () => {
    expect(tradePermission(lists, 'u-1', ['r-other', 'r-trader'])).toEqual({ allowed: true });
    expect(tradePermission(lists, 'u-boss', [])).toEqual({ allowed: true });
    expect(tradePermission(lists, 'u-2', ['r-other'])).toEqual({
      allowed: false,
      reason: 'Only traders may do that: you need one of the trader roles. The attempt has been logged.',
    });
  });

  it('fails closed when neither list is set, saying how to configure it', () => {
    const p = tradePermission({ traderRoleIds: [], traderUserIds: [] }, 'u-boss', ['r-trader']);
    expect(p.allowed).toBe(false);
    expect(p.allowed ? '' : p.reason).toContain('set DISCORD_TRADER_ROLE_IDS or DISCORD_TRADER_USER_IDS');
  });
});
