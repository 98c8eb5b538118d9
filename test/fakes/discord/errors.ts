/** Discord's error bodies (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${String(body['message'])}`);
  }
}

const coded = (status: number, code: number, message: string) => () => new ApiError(status, { message, code });

export const unauthorized = coded(401, 0, '401: Unauthorized');
export const notFound = coded(404, 0, '404: Not Found');
export const methodNotAllowed = coded(405, 0, '405: Method Not Allowed');
export const unknownApplication = coded(404, 10002, 'Unknown Application');
export const unknownChannel = coded(404, 10003, 'Unknown Channel');
export const unknownGuild = coded(404, 10004, 'Unknown Guild');
export const unknownMember = coded(404, 10007, 'Unknown Member');
export const unknownMessage = coded(404, 10008, 'Unknown Message');
export const unknownRole = coded(404, 10011, 'Unknown Role');
export const unknownWebhook = coded(404, 10015, 'Unknown Webhook');
export const unknownInteraction = coded(404, 10062, 'Unknown interaction');
export const unknownCommand = coded(404, 10063, 'Unknown application command');
export const alreadyAcknowledged = coded(400, 40060, 'Interaction has already been acknowledged.');
export const entityTooLarge = coded(413, 40005, 'Request entity too large');
export const emptyMessage = coded(400, 50006, 'Cannot send an empty message');
export const cannotEditOthers = coded(403, 50005, 'Cannot edit a message authored by another user');

export interface FieldError {
  path: (string | number)[];
  code: string;
  message: string;
}

/** 400 code 50035 with Discord's nested `errors` object: { data: { content: { _errors: [...] } } }. */
export function invalidFormBody(errors: FieldError[]): ApiError {
  const tree: Record<string, unknown> = {};
  for (const error of errors) {
    let node = tree;
    for (const key of error.path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node['_errors'] ??= []) as { code: string; message: string }[];
    list.push({ code: error.code, message: error.message });
  }
  return new ApiError(400, { message: 'Invalid Form Body', code: 50035, errors: tree });
}

export function malformed(message: string): ApiError {
  return invalidFormBody([{ path: [], code: 'MODEL_TYPE_CONVERT', message }]);
}
