/**
 * Case values use `*` as their only wildcard (SPEC.md: "`*` is a glob in every expected value").
 * They reach SQL as LIKE patterns with `\` as the escape character, so a `%` or `_` that is part
 * of a secret name or a workflow path matches only itself.
 */

/** A `*` glob → a LIKE pattern for `… LIKE pattern ESCAPE '\'`. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** True when the value contains the `*` wildcard. */
export function isGlob(value: string): boolean {
  return value.includes('*');
}

/** The glob matched in JavaScript, with the same meaning as the SQL LIKE pattern. */
export function globMatch(glob: string, value: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(value);
}
