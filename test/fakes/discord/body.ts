/** Request bodies as @discordjs/rest sends them: JSON, or multipart with payload_json + files[n]. */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

export interface UploadedFile {
  /** n of files[n] (what `attachments[].id` refers to); `file` counts as 0. */
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const invalidJson = () => new ApiError(400, { message: 'The request body contains invalid JSON.', code: 50109 });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { json: null, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': contentType ?? '' } }).formData();
    } catch {
      throw new ApiError(400, { message: 'Invalid multipart body', code: 50035 });
    }
    let json: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') {
        if (key === 'payload_json') json = { ...json, ...(parseJson(value) as Record<string, unknown>) };
        else json[key] = value;
        continue;
      }
      const match = /^files\[(\d+)\]$/.exec(key);
      const index = match ? Number(match[1]) : key === 'file' ? 0 : files.length;
      files.push({
        index,
        filename: value.name || `file${index}`,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { json, files };
  }
  return { json: parseJson(raw.toString('utf8')), files: [] };
}
