/**
 * Who may trade from Discord: members with a role in DISCORD_TRADER_ROLE_IDS
 * or users in DISCORD_TRADER_USER_IDS. With neither list set, nobody may
 * (fail closed), and the refusal says how to configure it.
 */
import type { Config } from '../../config.js';
import type { Permission } from '../dispatch.js';

export function tradePermission(discord: Pick<Config['discord'], 'traderRoleIds' | 'traderUserIds'>, userId: string, roleIds: readonly string[]): Permission {
  if (discord.traderRoleIds.length === 0 && discord.traderUserIds.length === 0) {
    return {
      allowed: false,
      reason:
        'Trading from Discord is off: set DISCORD_TRADER_ROLE_IDS or DISCORD_TRADER_USER_IDS to the roles or users allowed to trade, then restart the bot.',
    };
  }
  if (discord.traderUserIds.includes(userId) || roleIds.some((r) => discord.traderRoleIds.includes(r))) return { allowed: true };
  return { allowed: false, reason: 'Only traders may do that: you need one of the trader roles. The attempt has been logged.' };
}
