/**
 * The dashboard's keys: the login token, the sessions it opens (kept in
 * memory: a restart logs everyone out, as the token changes anyway), their
 * CSRF tokens, and the same-origin rule every POST passes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A login token for one start of the bot (32 characters, 192 random bits). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Compares a presented secret with the expected one in constant time. Both are
 * hashed first so that neither their lengths nor a common prefix shows in the
 * time taken (timingSafeEqual itself needs equal lengths).
 */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export interface Session {
  /** The cookie's value: the only key to the session, never logged or shown. */
  id: string;
  /** A short public name for the session, for audit rows and the page footer. */
  label: string;
  /** Sent back with every POST (form field or header): a cross-site page cannot read it. */
  csrf: string;
  createdAt: number;
}

/** Sessions last a working day; a new login is one click on the printed URL. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** More open sessions than any operator needs: the oldest goes first, so memory stays bounded. */
export const MAX_SESSIONS = 100;

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  open(): Session {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      label: randomBytes(4).toString('hex'),
      csrf: randomBytes(32).toString('base64url'),
      createdAt: this.nowMs(),
    };
    // A Map iterates in insertion order: the first key is the oldest session.
    while (this.byId.size >= MAX_SESSIONS) {
      const oldest = this.byId.keys().next();
      if (oldest.done) break;
      this.byId.delete(oldest.value);
    }
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session with this cookie value, or null (unknown or expired). */
  find(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const session = this.byId.get(id);
    if (!session) return null;
    if (this.nowMs() - session.createdAt > SESSION_TTL_MS) {
      this.byId.delete(id);
      return null;
    }
    return session;
  }

  close(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}

/**
 * Whether a POST comes from a page of the dashboard itself. Browsers send
 * Origin on every POST; older ones send only Sec-Fetch-Site. A request with
 * neither is not from a browser (curl, a script), so it cannot be a forged
 * cross-site request; the session and CSRF token still apply to it.
 */
export function sameOrigin(headers: { origin: string | undefined; secFetchSite: string | undefined; host: string | undefined }): boolean {
  const { origin, secFetchSite, host } = headers;
  if (origin !== undefined) {
    if (host === undefined) return false;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
    } catch {
      // `null` (a sandboxed frame, a redirect across origins) or garbage: not ours.
      return false;
    }
  }
  if (secFetchSite !== undefined) return secFetchSite === 'same-origin' || secFetchSite === 'none';
  return true;
}

/**
 * Sent with every response. No inline script or style anywhere (htmx reads
 * its settings from a meta tag), no framing, no referrer carrying a URL out.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
