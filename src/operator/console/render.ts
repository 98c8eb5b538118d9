/** A view as plain text for the terminal: title, description, fields, footer, and the words that press its buttons. */
import { customId } from '../../views/signal.js';
import type { View } from '../../views/view.js';

const MARK: Record<View['tone'], string> = { info: '•', success: '✔', warning: '!', danger: '✖', neutral: '·' };

/** What to type for a button: `approve SIG-1`, `reject SIG-1`, `confirm`. */
function typed(id: string): string {
  const parsed = customId.parse(id);
  if (!parsed) return id;
  return parsed.action === 'confirm' ? 'confirm' : `${parsed.action} ${parsed.target}`;
}

export function renderText(view: View): string {
  const lines = [`${MARK[view.tone]} ${view.title}`];
  if (view.description) lines.push(...view.description.split('\n').map((l) => `  ${l}`));
  for (const f of view.fields) {
    const [first = '', ...rest] = f.value.split('\n');
    lines.push(`  ${f.name}: ${first}`);
    for (const more of rest) lines.push(`    ${more}`);
  }
  if (view.footer) lines.push(`  (${view.footer})`);
  if (view.image) lines.push(`  Chart saved: ${view.image.path}`);
  const live = (view.buttons ?? []).filter((b) => !b.disabled);
  if (live.length > 0) lines.push(`  → type: ${live.map((b) => typed(b.customId)).join('  |  ')}`);
  return lines.join('\n');
}
