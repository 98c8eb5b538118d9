/**
 * `npm run deploy-commands`: registers every command in commands/ with
 * Discord, for DISCORD_GUILD_ID (instant) or globally when it is unset
 * (Discord takes up to an hour to show global changes).
 */
import { REST, Routes } from 'discord.js';
import { readConfigOrReport } from '../src/config.js';
import { loadCommands } from '../src/operator/registry.js';

async function main(): Promise<number> {
  const config = readConfigOrReport();
  if (!config) return 2;
  const { token, applicationId, guildId, apiUrl } = config.discord;
  if (!token || !applicationId) {
    process.stderr.write('DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed to register the slash commands.\n');
    return 2;
  }
  const body = [...(await loadCommands()).values()].map((c) => c.data.toJSON());
  const rest = new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  await rest.put(route, { body });
  process.stdout.write(`Registered ${body.length} commands ${guildId ? `for guild ${guildId}` : 'globally'}: ${body.map((c) => `/${c.name}`).join(' ')}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`deploy-commands failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
