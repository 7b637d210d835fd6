/**
 * Key selectors (SPEC.md "Naming the key"): `fp:`, `kms:`, `vault:`, `secret:`, `identity:`.
 *
 * A selector names one alias of the key; `selectorPatterns` turns it into the LIKE patterns the
 * store is matched with. The canonical columns they match (events.target for key and secret
 * operations, signatures.key_fingerprint and san) are normalised by the adapters, so the work
 * here is to normalise what a person types the same way: a KMS alias, key id and ARN are one
 * key; a GCP cryptoKeyVersion and an Azure key URI with a version name their key.
 */
import { UsageError } from '../errors.js';
import { globToLike, isGlob } from './glob.js';

export const SELECTOR_KINDS = ['fp', 'kms', 'vault', 'secret', 'identity'] as const;
export type SelectorKind = (typeof SELECTOR_KINDS)[number];

export interface Selector {
  kind: SelectorKind;
  /** The value after the prefix, normalised (fingerprints lower-case hex). */
  value: string;
  /** What the user wrote, for messages and the output's `key` list. */
  text: string;
}

/** What a pattern is matched against (see src/case/resolve.ts). */
export type PatternKind = 'key' | 'alias' | 'secret' | 'fp' | 'san';

export interface MatchPattern {
  kind: PatternKind;
  /** A LIKE pattern (escape character `\`). */
  pattern: string;
  /** Compare lower-cased (Azure Key Vault names are case-insensitive). */
  ci: boolean;
  selector: string;
}

const MAX_SELECTOR = 2048;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Parses one selector; `field` names where it came from in the usage error (`--key`, `keys[2]`). */
export function parseSelector(text: unknown, field = '--key'): Selector {
  if (typeof text !== 'string') throw new UsageError(`${field} must be a string selector such as fp:<sha256> or kms:<key id>`);
  const raw = text.trim();
  if (raw.length > MAX_SELECTOR) throw new UsageError(`${field} is longer than ${MAX_SELECTOR} characters`);
  if (CONTROL.test(raw)) throw new UsageError(`${field} contains control characters`);
  const colon = raw.indexOf(':');
  const kind = colon > 0 ? raw.slice(0, colon).toLowerCase() : '';
  if (!(SELECTOR_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`${field} "${raw}" does not start with a selector kind`, {
      hint: `one of ${SELECTOR_KINDS.map((k) => `${k}:`).join(' ')} (e.g. fp:<sha256 hex>, kms:alias/release, secret:COSIGN_KEY)`,
    });
  }
  let value = raw.slice(colon + 1).trim();
  if (value === '' || /^\*+$/.test(value)) throw new UsageError(`${field} "${raw}" names no key (the value after "${kind}:" is empty or only *)`);
  switch (kind as SelectorKind) {
    case 'fp': {
      value = value.replace(/^sha256:/i, '').replace(/:/g, '').toLowerCase();
      const hex = value.replace(/\*/g, '');
      if (!/^[0-9a-f*]+$/.test(value)) throw new UsageError(`${field} "${raw}": a fingerprint is hex (the SHA-256 of the public key's DER SubjectPublicKeyInfo)`);
      if (!isGlob(value) && hex.length !== 64) throw new UsageError(`${field} "${raw}": a SHA-256 fingerprint has 64 hex digits, this has ${hex.length}`, { hint: 'end a prefix with * to match it as a glob' });
      if (isGlob(value) && hex.length < 8) throw new UsageError(`${field} "${raw}": a fingerprint glob needs at least 8 hex digits`);
      break;
    }
    case 'vault':
      if (!/^[A-Za-z0-9._/*-]+$/.test(value)) throw new UsageError(`${field} "${raw}": a Vault transit key name has letters, digits, . _ - / only`);
      break;
    case 'kms':
    case 'secret':
      if (/\s/.test(value)) throw new UsageError(`${field} "${raw}": contains whitespace`);
      break;
    case 'identity':
      break;
  }
  return { kind: kind as SelectorKind, value, text: `${kind}:${value}` };
}

const UUID = /^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$/i;

/** The patterns that find a selector's key in the canonical tables. */
export function selectorPatterns(sel: Selector): MatchPattern[] {
  const p = (kind: PatternKind, glob: string, ci = false): MatchPattern => ({
    kind, pattern: globToLike(ci ? glob.toLowerCase() : glob), ci, selector: sel.text,
  });
  const v = sel.value;
  switch (sel.kind) {
    case 'fp':
      return [p('fp', v)];
    case 'identity':
      return [p('san', v)];
    case 'vault':
      return [p('key', `vault:${v}`)];
    case 'kms':
      return kmsPatterns(v).map(([k, g, ci]) => p(k, g, ci));
    case 'secret':
      return secretPatterns(v).map(([g, ci]) => p('secret', g, ci));
  }
}

/** KMS key names in every form a person or a log may use. */
function kmsPatterns(v: string): [PatternKind, string, boolean][] {
  // AWS: an alias (alias/x or its ARN) is resolved to key ARNs through the events that name both.
  const aliasArn = /^arn:aws[a-z-]*:kms:[^:]*:[0-9]*:(alias\/.+)$/.exec(v);
  if (aliasArn) return [['key', v, false], ['alias', aliasArn[1], false]];
  if (v.startsWith('alias/')) return [['key', `arn:aws*:kms:*:*:${v}`, false], ['alias', v, false]];
  if (/^arn:aws[a-z-]*:kms:/.test(v)) return [['key', v, false]];
  if (UUID.test(v)) return [['key', `arn:aws*:kms:*:*:key/${v}`, false], ['key', v, false]];
  // GCP: a cryptoKeyVersion (or the full //cloudkms resource name) names its cryptoKey.
  const gcp = /^(?:\/\/cloudkms\.googleapis\.com\/)?(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+)(?:\/cryptoKeyVersions\/[^/]+)?$/.exec(v);
  if (gcp) return [['key', gcp[1], false]];
  // Azure: https://<vault>.vault.azure.net/keys/<name>[/<version>]; names are case-insensitive.
  const az = /^(https:\/\/[^/]+\/keys\/[^/]+)(?:\/[^/]*)?$/i.exec(v);
  if (az) return [['key', az[1].replace(/\/$/, ''), true]];
  return [['key', v, false]];
}

/** Secret names: AWS ARNs carry a random suffix, GCP and Azure names a version, Vault KV v2 a `data/` segment. */
function secretPatterns(v: string): [string, boolean][] {
  const aws = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[0-9]*:secret:(.+?)(-[A-Za-z0-9]{6})?$/.exec(v);
  if (aws) return [[aws[1], false]];
  const gcp = /^(projects\/[^/]+\/secrets\/[^/]+)(?:\/versions\/[^/]+)?$/.exec(v);
  if (gcp) return [[gcp[1], false]];
  const az = /^(https:\/\/[^/]+\/secrets\/[^/]+)(?:\/[^/]*)?$/i.exec(v);
  if (az) return [[az[1].replace(/\/$/, ''), true]];
  const kv2 = /^([^/]+)\/data\/(.+)$/.exec(v);
  if (kv2) return [[v, false], [`${kv2[1]}/${kv2[2]}`, false]];
  return [[v, false]];
}
