/**
 * Sealed cookie values: JSON encrypted and authenticated with AES-256-GCM
 * under a key derived from the deployment's secret, so a cookie can be
 * neither read (it holds the user's GitHub token) nor forged or altered.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/** The keys of one deployment's cookies and CSRF tokens. */
export interface CookieKeys {
  seal: Buffer;
  csrf: Buffer;
}

/** Derives both keys from one secret (the session secret, or the OAuth client secret). */
export function deriveCookieKeys(secret: string): CookieKeys {
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", secret, "dynflow-dashboard", info, 32));
  return { seal: derive("cookie-seal"), csrf: derive("csrf") };
}

/** Encrypts `value` with an expiry; the result is cookie-safe (base64url). */
export function seal(keys: CookieKeys, value: unknown, expiresAt: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify({ v: value, exp: expiresAt }), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The value sealed in `text`, or null when it is altered, foreign or expired at `now`. */
export function unseal<T>(keys: CookieKeys, text: string | undefined, now: number): T | null {
  if (!text || text.length > 8192) return null;
  try {
    const raw = Buffer.from(text, "base64url");
    if (raw.length < 29) return null;
    const decipher = createDecipheriv("aes-256-gcm", keys.seal, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    const parsed = JSON.parse(json) as { v: T; exp: number };
    return typeof parsed.exp === "number" && parsed.exp > now ? parsed.v : null;
  } catch {
    return null;
  }
}

/** The CSRF token of a session: an HMAC of its id, so it needs no storage. */
export function csrfToken(keys: CookieKeys, sessionId: string): string {
  return createHmac("sha256", keys.csrf).update(sessionId).digest("base64url");
}

/** Whether `given` is the session's CSRF token (constant-time). */
export function checkCsrf(keys: CookieKeys, sessionId: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfToken(keys, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Cookies of a request header, by name. */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) cookies.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return cookies;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, on the dashboard's path; Secure when served over HTTPS. */
export function cookieHeader(name: string, value: string, options: { maxAgeS: number; secure: boolean; path: string }): string {
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAgeS}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
}
