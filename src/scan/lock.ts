/**
 * One scan at a time per database. DuckDB already refuses a second writer (an OS file lock held
 * for as long as the database is open), so a second `sigtrail scan` — cron firing while last
 * night's run is still going — waits for the lock up to a timeout, then gives up with a clear
 * message. Nothing is written before the lock is held, so the loser leaves no trace.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SigtrailError, isSigtrailError } from '../errors.js';
import type { Store } from '../store/database.js';

export interface LockWaitOptions {
  /** How long to wait for another process to release the database, in seconds (0: do not wait). */
  waitSeconds: number;
  /** Told once when the database is found busy (a note on stderr). */
  onBusy?: (message: string) => void;
  /** Poll interval in milliseconds (default 500). */
  pollMs?: number;
}

/**
 * Opens the database for writing through `open`, retrying while another process holds it.
 * @throws SigtrailError DATABASE_LOCKED when the wait runs out
 */
export async function openExclusive(dbPath: string, open: () => Promise<Store>, options: LockWaitOptions): Promise<Store> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  let told = false;
  for (;;) {
    try {
      return await open();
    } catch (e) {
      if (!isSigtrailError(e) || e.code !== 'DATABASE_LOCKED') throw e;
      if (Date.now() >= deadline) {
        throw new SigtrailError('DATABASE_LOCKED', `${dbPath} is in use by another sigtrail process (another scan still running?); this scan did not run`, {
          cause: e,
          hint: options.waitSeconds > 0
            ? `waited ${options.waitSeconds} s; raise --wait, or check for a stuck process holding the file`
            : 'pass --wait <seconds> to wait for it',
        });
      }
      if (!told) {
        options.onBusy?.(`${dbPath} is in use by another sigtrail process; waiting up to ${options.waitSeconds} s`);
        told = true;
      }
      await sleep(Math.min(options.pollMs ?? 500, Math.max(1, deadline - Date.now())));
    }
  }
}
