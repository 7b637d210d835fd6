/**
 * The transparency-log keys that log evidence is checked against.
 *
 * sigtrail ships the Sigstore public-good and staging `trusted_root.json` files (public keys only,
 * as embedded in sigstore-python; see docs/transparency-log.md) and trusts both by default.
 * `sigtrail ingest --trusted-root <file>` replaces them: each value is a trusted_root.json, a PEM
 * public key of a log (its log ID is derived from the key, as Rekor does), or one of the names
 * `public-good` / `staging` for the shipped roots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crypto as sigcrypto } from '@sigstore/core';
import { UsageError, messageOf } from '../errors.js';
import { fromBase64 } from './bytes.js';
import { parseSpki } from './fingerprint.js';
// Imported (not read from disk) so that tsc copies them into dist/ and they resolve from there too.
import publicGood from './trust/trusted_root.public-good.json' with { type: 'json' };
import staging from './trust/trusted_root.staging.json' with { type: 'json' };

export interface TrustedLog {
  /** The log's base URL, or the file a bare key came from. */
  baseUrl: string;
  /** SHA-256 of the log key's DER SPKI: the `logID` / `logId.keyId` entries carry. */
  logId: Buffer;
  key: sigcrypto.KeyObject;
  /** The key may vouch only for entries integrated in this window (trusted root `validFor`). */
  validFrom?: Date;
  validUntil?: Date;
  /** Where this key came from: `public-good`, `staging` or a file path. */
  origin: string;
}

/** The shipped roots, by the names `--trusted-root` accepts. */
export const SHIPPED_ROOTS: Readonly<Record<string, unknown>> = { 'public-good': publicGood, staging };

let shippedCache: TrustedLogs | undefined;

/** A set of trusted log keys, looked up by log ID. */
export class TrustedLogs {
  private readonly byId = new Map<string, TrustedLog[]>();

  constructor(readonly logs: readonly TrustedLog[]) {
    for (const log of logs) {
      const k = log.logId.toString('hex');
      this.byId.set(k, [...(this.byId.get(k) ?? []), log]);
    }
  }

  /** Keys whose log ID is `logId` (several when a key was re-listed with another validity window). */
  find(logId: Buffer): TrustedLog[] {
    return this.byId.get(logId.toString('hex')) ?? [];
  }

  /** The shipped public-good and staging roots (parsed once). */
  static shipped(): TrustedLogs {
    shippedCache ??= new TrustedLogs(Object.entries(SHIPPED_ROOTS).flatMap(([name, doc]) => logsFromTrustedRoot(doc, name)));
    return shippedCache;
  }

  /**
   * Loads `--trusted-root` values (files or shipped names). Throws a UsageError naming the value
   * when one cannot be read, so a typo fails before anything is ingested.
   */
  static load(specs: readonly string[]): TrustedLogs {
    if (specs.length === 0) return TrustedLogs.shipped();
    return new TrustedLogs(specs.flatMap((spec) => loadSpec(spec)));
  }
}

function loadSpec(spec: string): TrustedLog[] {
  const shipped = SHIPPED_ROOTS[spec];
  if (shipped) return logsFromTrustedRoot(shipped, spec);
  let text: string;
  try {
    text = fs.readFileSync(spec, 'utf8');
  } catch (e) {
    throw new UsageError(`--trusted-root ${spec}: cannot read it (${messageOf(e)})`, {
      hint: `a trusted_root.json, a PEM public key of a log, or one of: ${Object.keys(SHIPPED_ROOTS).join(', ')}`,
    });
  }
  try {
    if (/^\s*-----BEGIN PUBLIC KEY-----/.test(text)) return [logFromPem(text, spec)];
    return logsFromTrustedRoot(JSON.parse(text) as unknown, spec);
  } catch (e) {
    throw new UsageError(`--trusted-root ${spec}: ${messageOf(e)}`, {
      hint: 'expected a Sigstore trusted_root.json (mediaType application/vnd.dev.sigstore.trustedroot+json) or a PEM public key',
    });
  }
}

function logFromPem(pemText: string, origin: string): TrustedLog {
  const body = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pemText)?.[1];
  if (!body) throw new Error('no complete PUBLIC KEY block');
  const { der, key } = parseSpki(fromBase64(body, 'the PEM body'));
  return { baseUrl: path.basename(origin), logId: sigcrypto.digest('sha256', der), key, origin };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dateOf(v: unknown, what: string): Date | undefined {
  if (v === undefined || v === null) return undefined;
  const d = typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new Error(`${what} is not a timestamp`);
  return d;
}

/** The `tlogs` of a trusted_root.json document; throws with the offending field on a bad one. */
export function logsFromTrustedRoot(doc: unknown, origin: string): TrustedLog[] {
  if (!isObject(doc) || typeof doc.mediaType !== 'string' || !doc.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new Error('not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot+json)');
  }
  if (!Array.isArray(doc.tlogs)) throw new Error('it has no tlogs array');
  return doc.tlogs.map((t: unknown, i) => {
    const at = `tlogs[${i}]`;
    if (!isObject(t) || !isObject(t.publicKey) || typeof t.publicKey.rawBytes !== 'string') throw new Error(`${at}.publicKey.rawBytes is missing`);
    const { der, key } = parseSpki(fromBase64(t.publicKey.rawBytes, `${at}.publicKey.rawBytes`));
    const keyId = isObject(t.logId) && typeof t.logId.keyId === 'string' ? fromBase64(t.logId.keyId, `${at}.logId.keyId`) : sigcrypto.digest('sha256', der);
    const validFor = isObject(t.publicKey.validFor) ? t.publicKey.validFor : {};
    return {
      baseUrl: typeof t.baseUrl === 'string' ? t.baseUrl : `${origin} ${at}`,
      logId: keyId,
      key,
      validFrom: dateOf(validFor.start, `${at}.publicKey.validFor.start`),
      validUntil: dateOf(validFor.end, `${at}.publicKey.validFor.end`),
      origin,
    };
  });
}
