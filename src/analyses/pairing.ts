/**
 * Cloud KMS signatures ↔ key.sign calls, one to one.
 *
 * A KMS `Sign` record carries no digest (CloudTrail, GCP and Azure log the key and the caller,
 * not the message), so a transparency-log entry is paired with a successful sign call on one of
 * the case's keys by time alone: the call must come at most `pair_window_s` before the entry's
 * integrated time (or `clock_skew_s` after it). Pairing is a matching, not a join: each call
 * explains at most one signature. It is built by rounds of mutual nearest neighbours — in each
 * round every signature and every call still unpaired picks its closest partner (calls before
 * the entry preferred), and the pairs that chose each other are kept. The closest remaining pair
 * is always mutual, so every round pairs at least one; each round is one set-based statement.
 */
import type { Store } from '../store/database.js';

const CANDIDATES = `CREATE OR REPLACE TEMP TABLE c_pair_cand AS
  SELECT s.entry_uuid, e.event_uid, c_secs(e.ts, s.integrated_time) AS gap
  FROM c_sig s
  JOIN c_ev e ON e.action = 'key.sign' AND e.outcome = 'success'
   AND epoch_us(e.ts) BETWEEN epoch_us(s.integrated_time) - CAST($pair_window_s AS BIGINT) * 1000000
                          AND epoch_us(s.integrated_time) + CAST($clock_skew_s AS BIGINT) * 1000000
  WHERE s.mode = 'kms'`;

const ROUND = `INSERT INTO c_pair
  SELECT entry_uuid, event_uid, gap FROM (
    SELECT c.*,
      row_number() OVER (PARTITION BY entry_uuid ORDER BY gap < 0, abs(gap), event_uid) AS by_sig,
      row_number() OVER (PARTITION BY event_uid ORDER BY gap < 0, abs(gap), entry_uuid) AS by_event
    FROM c_pair_cand c
    WHERE entry_uuid NOT IN (SELECT entry_uuid FROM c_pair) AND event_uid NOT IN (SELECT event_uid FROM c_pair)
  ) WHERE by_sig = 1 AND by_event = 1`;

/** Upper bound on rounds; a burst of n near-simultaneous signatures needs at most n. */
const MAX_ROUNDS = 500;

/** Builds c_pair(entry_uuid, event_uid, gap) from c_sig and c_ev. Returns the number of pairs. */
export async function pairKmsSignatures(store: Store, params: { pair_window_s: number; clock_skew_s: number }): Promise<number> {
  await store.exec('CREATE OR REPLACE TEMP TABLE c_pair (entry_uuid VARCHAR, event_uid VARCHAR, gap DOUBLE)');
  await store.run(CANDIDATES, params);
  let total = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const added = await store.run(ROUND);
    if (added === 0) break;
    total += added;
  }
  return total;
}
