/**
 * `--since` values: a duration such as `24h`, `90m`, `7d` or `2w`. Whole units only, so that a
 * typo ("24hours", "1.5d") is a usage error instead of a silently different window.
 */
import { UsageError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const MAX_SECONDS = 3650 * 86_400;

/** Parses a duration into seconds; `flag` names the option in the usage error. */
export function parseDuration(value: string, flag = '--since'): number {
  const m = /^\s*(\d{1,7})\s*([smhdw])\s*$/i.exec(value);
  if (!m) throw new UsageError(`${flag} "${value.slice(0, 40)}" is not a duration`, { hint: 'e.g. 24h, 90m, 7d, 2w' });
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2].toLowerCase()];
  if (seconds <= 0 || seconds > MAX_SECONDS) throw new UsageError(`${flag} must be between 1s and 3650d`);
  return seconds;
}
