/**
 * The Discord front end: slash commands, the Approve / Reject / Confirm
 * buttons and autocomplete, routed to the dispatcher; signals posted to the
 * signals channel. Every handler that may call the broker defers first, so no
 * interaction times out; failures answer privately and the bot keeps running.
 */
import type { EventLog } from '../../logger.js';
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  type SendableChannels,
} from 'discord.js';
import type { StoredSignal } from '../../domain/records.js';
import type { ApprovalEvent } from '../../signals/SignalApprovals.js';
import type { Actor, FrontEndServices, CommandOptions } from '../command.js';
import type { Dispatcher } from '../dispatch.js';
import type { View } from '../../views/view.js';
import { decidedSignalView, signalView } from '../../views/signal.js';
import { tradePermission } from './permission.js';
import { renderMessage, renderMessages } from './render.js';

/** Discord errors that mean "this interaction is gone or answered": nothing to do but note it. */
const STALE_INTERACTION = new Set([10062, 40060]);

export interface DiscordFrontEndOptions {
  app: FrontEndServices;
  dispatcher: Dispatcher;
  log: EventLog;
  token: string;
  /** REST base (DISCORD_API_URL), e.g. a local test server. */
  apiUrl: string | null;
}

function optionsOf(i: ChatInputCommandInteraction): CommandOptions {
  return {
    subcommand: () => i.options.getSubcommand(false),
    string: (name) => i.options.getString(name),
    integer: (name) => i.options.getInteger(name),
  };
}

function rolesOf(i: Interaction): string[] {
  const member = i.member;
  if (!member) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

function actorOf(i: Interaction): Actor {
  return { id: i.user.id, name: i.user.globalName ?? i.user.username };
}

export class DiscordFrontEnd {
  readonly client: Client;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: DiscordFrontEndOptions) {
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds],
      ...(options.apiUrl ? { rest: { api: options.apiUrl } } : {}),
    });
  }

  async start(): Promise<void> {
    const { app, log } = this.options;
    this.client.on('interactionCreate', (interaction) => {
      this.route(interaction).catch((error: unknown) => log.error({ err: error }, 'interaction handler failed'));
    });
    this.client.on('error', (error) => log.error({ err: error }, 'discord client error'));
    this.unsubscribe.push(
      app.operator.onSignal((event) => {
        this.onApproval(event).catch((error: unknown) => log.error({ err: error }, 'posting a signal failed'));
      }),
    );
    const ready = new Promise<void>((resolve) => this.client.once('clientReady', () => resolve()));
    await this.client.login(this.options.token);
    await ready;
    log.info({ user: this.client.user?.tag }, 'discord connected');
  }

  async stop(): Promise<void> {
    for (const stop of this.unsubscribe.splice(0)) stop();
    await this.client.destroy();
  }

  private async route(interaction: Interaction): Promise<void> {
    try {
      // Only in the bot's server: not in DMs, not in another guild a global registration reaches.
      const guild = this.options.app.config.discord.guildId;
      if (!interaction.guildId || (guild && interaction.guildId !== guild)) {
        if (interaction.isAutocomplete()) await interaction.respond([]);
        else if (interaction.isRepliable()) await interaction.reply({ content: 'This bot answers only in its own server.', flags: MessageFlags.Ephemeral });
        return;
      }
      if (interaction.isChatInputCommand()) await this.onCommand(interaction);
      else if (interaction.isButton()) await this.onButton(interaction);
      else if (interaction.isAutocomplete()) await this.onAutocomplete(interaction);
    } catch (error) {
      if (error instanceof DiscordAPIError && STALE_INTERACTION.has(Number(error.code))) {
        this.options.log.warn({ code: error.code, interaction: interaction.id }, 'interaction already answered or expired');
        return;
      }
      throw error;
    }
  }

  private permission(interaction: Interaction) {
    return tradePermission(this.options.app.config.discord, interaction.user.id, rolesOf(interaction));
  }

  private async onCommand(i: ChatInputCommandInteraction): Promise<void> {
    const { dispatcher } = this.options;
    const command = dispatcher.commands.get(i.commandName);
    const permission = this.permission(i);
    if (command?.access === 'trade' && !permission.allowed) {
      // Refused before anything runs: a private answer, and the dispatcher's audit row.
      const view = await dispatcher.runCommand(
        { name: i.commandName, options: optionsOf(i), actor: actorOf(i), requestId: i.id, source: 'discord' },
        permission,
      );
      await i.reply({ ...renderMessage(view), flags: MessageFlags.Ephemeral });
      return;
    }
    await i.deferReply();
    const view = await dispatcher.runCommand({ name: i.commandName, options: optionsOf(i), actor: actorOf(i), requestId: i.id, source: 'discord' }, permission);
    await this.answer(i, view);
  }

  /** Edits the deferred reply; a private view replaces it with a message only the asker sees. */
  private async answer(i: ChatInputCommandInteraction, view: View): Promise<void> {
    if (!view.private) {
      await i.editReply(renderMessage(view));
      return;
    }
    await i.deleteReply();
    await i.followUp({ ...renderMessage(view), flags: MessageFlags.Ephemeral });
  }

  private async onButton(i: ButtonInteraction): Promise<void> {
    const permission = this.permission(i);
    if (!permission.allowed) {
      const answer = await this.options.dispatcher.pressButton(i.customId, actorOf(i), permission);
      if (answer.reply) await i.reply({ ...renderMessage(answer.reply), flags: MessageFlags.Ephemeral });
      return;
    }
    await i.deferUpdate();
    const answer = await this.options.dispatcher.pressButton(i.customId, actorOf(i), permission);
    if (answer.update) await i.editReply(renderMessage(answer.update));
    if (answer.reply) await i.followUp({ ...renderMessage(answer.reply), flags: MessageFlags.Ephemeral });
  }

  private async onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const command = this.options.dispatcher.commands.get(i.commandName);
    const focused = i.options.getFocused(true);
    const choices = command?.autocomplete ? await command.autocomplete(this.options.app, { name: focused.name, value: String(focused.value) }) : [];
    await i.respond(choices);
  }

  /** The alerts channel as the alerts' destination (grouped alerts: up to ten embeds a message). */
  alertSink(channelId: string): { post(views: readonly View[]): Promise<void> } {
    return {
      post: async (views) => {
        const channel = await this.sendable(channelId);
        await channel.send(renderMessages(views));
      },
    };
  }

  /** Posts new signals to the signals channel; keeps the message in step with decisions made elsewhere. */
  private async onApproval(event: ApprovalEvent): Promise<void> {
    const { app, log } = this.options;
    if (event.kind === 'submitted') {
      const channelId = app.config.discord.signalsChannelId;
      if (!channelId) {
        log.warn({ signal: event.signal.signalId }, 'no DISCORD_SIGNALS_CHANNEL_ID or DISCORD_ALERTS_CHANNEL_ID: signal not posted');
        return;
      }
      const channel = await this.sendable(channelId);
      const message = await channel.send(renderMessage(signalView(event.signal, event.preview, event.autoApproved)));
      await app.operator.recordSignalMessage(event.signal.signalId, channelId, message.id);
      return;
    }
    await this.editSignalMessage(event.outcome.signal, decidedSignalView(event.outcome));
  }

  private async editSignalMessage(signal: StoredSignal, view: View): Promise<void> {
    const stored = await this.options.app.operator.signal(signal.signalId);
    if (!stored?.channelId || !stored.messageId) return;
    const channel = await this.sendable(stored.channelId);
    const message = await channel.messages.fetch(stored.messageId);
    await message.edit(renderMessage(view));
  }

  private async sendable(
    channelId: string,
  ): Promise<SendableChannels & { messages: { fetch(id: string): Promise<{ edit(body: unknown): Promise<unknown> }> } }> {
    const channel = await this.client.channels.fetch(channelId);
    if (!channel || !channel.isSendable() || !('messages' in channel)) throw new Error(`channel ${channelId} is not a text channel the bot can post in`);
    return channel as SendableChannels & { messages: { fetch(id: string): Promise<{ edit(body: unknown): Promise<unknown> }> } };
  }
}
