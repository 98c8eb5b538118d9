/**
 * Platform-neutral views: what a command answers, rendered as a Discord embed
 * or as console text. Limits follow Discord's embed limits.
 */
export type ViewTone = 'info' | 'success' | 'warning' | 'danger' | 'neutral';

export interface ViewField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface ViewButton {
  label: string;
  /** Carries the target (e.g. `approve:SIGNAL_ID`) so it works after a restart. */
  customId: string;
  style: 'primary' | 'success' | 'danger' | 'secondary';
  disabled?: boolean;
}

export interface View {
  title: string;
  description?: string;
  fields: ViewField[];
  tone: ViewTone;
  footer?: string;
  buttons?: ViewButton[];
  /** Only the person who asked sees it (Discord ephemeral). */
  private?: boolean;
  /** A picture saved on disk (the report's equity chart): attached on Discord, its path printed in the console. */
  image?: { filename: string; path: string };
}
