/**
 * The command loader: every file in commands/ is a command (its `data` +
 * `execute`); adding a file adds the command to Discord, the console and /help.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OperatorCommand } from './command.js';

export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

function isCommand(value: unknown): value is OperatorCommand {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<OperatorCommand>;
  return typeof c.execute === 'function' && typeof c.data?.toJSON === 'function' && (c.access === 'read' || c.access === 'trade');
}

export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, OperatorCommand>> {
  const commands = new Map<string, OperatorCommand>();
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const module = (await import(pathToFileURL(`${dir}${file}`).href)) as { command?: unknown };
    if (!isCommand(module.command)) throw new Error(`commands/${file} does not export \`command\` ({ data, access, execute })`);
    const name = module.command.data.name;
    if (commands.has(name)) throw new Error(`two command files define /${name}`);
    commands.set(name, module.command);
  }
  return commands;
}
