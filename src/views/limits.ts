/**
 * Discord's embed limits, applied to every view whatever it is rendered to:
 * at most 25 fields, 1,024 characters a field value, 4,096 in the
 * description, 6,000 in all. Lists that do not fit end with a "+N more" line.
 */
import type { View, ViewField } from './view.js';

export const EMBED_LIMITS = { fields: 25, fieldName: 256, fieldValue: 1024, title: 256, description: 4096, footer: 2048, total: 6000 } as const;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Lines joined into one text of at most `max` characters; what is cut becomes "+N more". */
export function linesWithin(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i;
    const tail = `+${rest} more`;
    if (used + line.length + 1 > max - (rest > 1 ? tail.length + 1 : 0)) {
      out.push(tail);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}

/** The view cut to Discord's limits: extra fields become one "+N more" field. */
export function withinLimits(view: View): View {
  let fields: ViewField[] = view.fields.map((f) => ({
    ...f,
    name: clip(f.name || '\u200b', EMBED_LIMITS.fieldName),
    value: clip(f.value || '\u200b', EMBED_LIMITS.fieldValue),
  }));
  if (fields.length > EMBED_LIMITS.fields) {
    const hidden = fields.length - (EMBED_LIMITS.fields - 1);
    fields = [...fields.slice(0, EMBED_LIMITS.fields - 1), { name: `+${hidden} more`, value: 'Not shown: Discord allows 25 fields.' }];
  }
  const title = clip(view.title, EMBED_LIMITS.title);
  const description = view.description === undefined ? undefined : clip(view.description, EMBED_LIMITS.description);
  const footer = view.footer === undefined ? undefined : clip(view.footer, EMBED_LIMITS.footer);
  const size = () => title.length + (description?.length ?? 0) + (footer?.length ?? 0) + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  while (size() > EMBED_LIMITS.total && fields.length > 1) {
    const dropped = fields.length;
    fields = fields.slice(0, -2);
    fields.push({ name: `+${dropped - fields.length} more`, value: 'Not shown: over Discord’s 6,000 characters.' });
  }
  return { ...view, title, fields, ...(description === undefined ? {} : { description }), ...(footer === undefined ? {} : { footer }) };
}
