/** Turning any normalised value into display text. */
import type { Plain } from '../store/values.js';

export function displayText(v: Plain | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.map((x) => displayText(x)).join(', ');
  return JSON.stringify(v);
}
