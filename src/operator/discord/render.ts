/** A view as a Discord message: one embed (within Discord's limits) and a row of buttons. */
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, type MessageActionRowComponentBuilder } from 'discord.js';
import type { View, ViewButton, ViewTone } from '../../views/view.js';
import { withinLimits } from '../../views/limits.js';

const COLOURS: Record<ViewTone, number> = {
  info: 0x3b82f6,
  success: 0x16a34a,
  warning: 0xf59e0b,
  danger: 0xdc2626,
  neutral: 0x6b7280,
};

const STYLES: Record<ViewButton['style'], ButtonStyle> = {
  primary: ButtonStyle.Primary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
};

export interface RenderedMessage {
  embeds: EmbedBuilder[];
  components: ActionRowBuilder<MessageActionRowComponentBuilder>[];
  files: AttachmentBuilder[];
}

/** Several views in one message (grouped alerts): Discord takes up to 10 embeds a message. */
export function renderMessages(views: readonly View[]): RenderedMessage {
  const parts = views.slice(0, 10).map(renderMessage);
  return { embeds: parts.flatMap((p) => p.embeds), components: [], files: parts.flatMap((p) => p.files) };
}

export function renderMessage(input: View): RenderedMessage {
  const view = withinLimits(input);
  const embed = new EmbedBuilder().setTitle(view.title).setColor(COLOURS[view.tone]);
  if (view.description) embed.setDescription(view.description);
  if (view.fields.length > 0) embed.addFields(view.fields.map((f) => ({ name: f.name, value: f.value, inline: f.inline ?? false })));
  if (view.footer) embed.setFooter({ text: view.footer });
  const files: AttachmentBuilder[] = [];
  if (view.image) {
    files.push(new AttachmentBuilder(view.image.path, { name: view.image.filename }));
    embed.setImage(`attachment://${view.image.filename}`);
  }
  const buttons = (view.buttons ?? []).slice(0, 5);
  const components =
    buttons.length === 0
      ? []
      : [
          new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
            buttons.map((b) =>
              new ButtonBuilder()
                .setCustomId(b.customId)
                .setLabel(b.label)
                .setStyle(STYLES[b.style])
                .setDisabled(b.disabled ?? false),
            ),
          ),
        ];
  return { embeds: [embed], components, files };
}
