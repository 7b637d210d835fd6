/**
 * Large benchmark sets in the demo's formats (`npm run samples -- --bench --events N --out DIR`):
 * busy-organisation traffic for CloudTrail (S3 objects), the GitHub audit log (NDJSON), Vault
 * audit lines and Rekor v1 entries, plus the demo incident itself under `incident/` so that the
 * analyses have something to find at scale.
 *
 * Volume, not story: records are drawn from weighted mixes of ordinary operations by many
 * principals, repositories and keys. The time span follows from the volume: CloudTrail objects
 * hold about 800 records per five-minute window (a busy account), and the span ends where the
 * demo's data ends. Output is streamed file by file, so memory stays flat at any size. Like the
 * demo, the output is deterministic for a given seed and event count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { P256, deriveKey, signHash, spkiPem, toDer } from './ecdsa.js';
import { CloudTrailWriter, type CloudTrailRecord } from './cloudtrail.js';
import { GENERATED_ROOTS, generateSamples } from './index.js';
import { Rng } from './random.js';
import { TransparencyLog } from './rekor.js';
import { hashedRekordBody } from './sigstore.js';
import { ACCOUNT, DATA_END, KEY_LABELS, ORG, REGION, SEED, isoSeconds } from './story.js';
import { hmac } from './vault.js';

export interface BenchOptions {
  out: string;
  /** Total records across CloudTrail, GitHub and Vault (requests), roughly 70/20/10. */
  events: number;
  seed?: string;
}

export interface BenchSummary {
  out: string;
  span: { from: string; to: string };
  records: Record<string, number>;
  files: Record<string, number>;
  bytes: number;
  seconds: number;
}

const CT_PER_WINDOW = 800;

class Output {
  bytes = 0;
  readonly files: Record<string, number> = {};
  constructor(private readonly root: string) {}
  write(rel: string, body: Buffer | string, group: string): void {
    const p = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
    this.bytes += Buffer.byteLength(body);
    this.files[group] = (this.files[group] ?? 0) + 1;
  }
}

function weighted<T>(rng: Rng, table: readonly [number, T][]): T {
  const total = table.reduce((a, [w]) => a + w, 0);
  let x = rng.next() * total;
  for (const [w, v] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][1];
}

/** CloudTrail: many application roles reading their secrets, KMS data keys, STS, EC2, SSM. */
function benchCloudTrail(out: Output, rng: Rng, count: number, from: Date): number {
  const w = new CloudTrailWriter(rng.fork('writer'));
  const apps = Array.from({ length: 400 }, (_, i) => `svc-${i.toString(36).padStart(3, '0')}`);
  const identity = (app: string): { userIdentity: Record<string, unknown> } => ({
    userIdentity: {
      type: 'AssumedRole', principalId: `AROA${app.toUpperCase().replace(/-/g, '')}EXAMPLE:task`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${app}-task/task`,
      accountId: ACCOUNT, accessKeyId: `ASIA${app.toUpperCase().replace(/-/g, '')}0000000`,
      sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROA${app.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${app}-task`, accountId: ACCOUNT, userName: `${app}-task` }, attributes: { creationDate: isoSeconds(from), mfaAuthenticated: 'false' } },
    },
  });
  const windows = Math.ceil(count / CT_PER_WINDOW);
  let written = 0;
  for (let win = 0; win < windows; win++) {
    const start = from.getTime() + win * 300_000;
    const n = Math.min(CT_PER_WINDOW, count - written);
    const times = Array.from({ length: n }, () => start + rng.int(0, 299_999)).sort((a, b) => a - b);
    for (const ms of times) {
      const t = new Date(ms - (ms % 1000));
      const app = rng.pick(apps);
      const ip = `10.${rng.int(16, 31)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
      const kind = weighted(rng, [[30, 'secret'], [25, 'decrypt'], [15, 'assume'], [15, 'ec2'], [10, 'ssm'], [5, 'sign']] as const);
      const ua = 'aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 m/E';
      if (kind === 'secret') {
        const name = `${app}/config`;
        w.getSecret(t, identity(app), { name, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf` }, ip, ua, { vpce: true });
      } else if (kind === 'decrypt' || kind === 'sign') {
        const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${app}-0000-4000-8000-000000000000`;
        w.call({
          time: t, identity: identity(app), source: 'kms', name: kind === 'sign' ? 'Sign' : 'GenerateDataKey', ip, ua, readOnly: true,
          request: kind === 'sign' ? { keyId: key, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' } : { keyId: key, keySpec: 'AES_256' },
          resources: [{ type: 'AWS::KMS::Key', ARN: key }],
        });
      } else if (kind === 'assume') {
        w.call({
          time: t, identity: identity(app), source: 'sts', name: 'AssumeRole', ip, ua, readOnly: true,
          request: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${rng.pick(apps)}-reader`, roleSessionName: app, durationSeconds: 900 },
          response: { credentials: { accessKeyId: w.sessionKey(), sessionToken: '', expiration: 'Oct 7, 2025, 11:59:59 PM' } },
          resources: [{ type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${app}-reader` }],
        });
      } else if (kind === 'ec2') {
        w.call({ time: t, identity: identity(app), source: 'ssm', name: 'GetParameter', ip, ua, readOnly: true, request: { name: `/${app}/feature-flags`, withDecryption: false } });
      } else {
        w.call({ time: t, identity: identity(app), source: 'ssm', name: 'UpdateInstanceInformation', ip, ua, readOnly: false, request: { instanceId: `i-0${rng.hex(16)}`, agentStatus: 'Active' } });
      }
    }
    // GetSecretValue adds a paired Decrypt; trim back to the window's share.
    const recs: CloudTrailRecord[] = w.records.splice(0).slice(0, n);
    written += recs.length;
    const end = new Date(start + 300_000);
    const ymd = end.toISOString().slice(0, 10).split('-');
    const stamp = `${ymd.join('')}T${end.toISOString().slice(11, 16).replace(':', '')}Z`;
    out.write(
      `aws/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${ymd.join('/')}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${rng.chars(16)}.json.gz`,
      gzipSync(JSON.stringify({ Records: recs }), { level: 6 }),
      'aws',
    );
  }
  return written;
}

/** GitHub: workflow runs across many repositories, one NDJSON file per hour. */
function benchGitHub(out: Output, rng: Rng, count: number, from: Date, to: Date): number {
  const repos = Array.from({ length: 200 }, (_, i) => ({ name: `${ORG.name}/repo-${i}`, id: 700_000_000 + i }));
  const perHour = Math.ceil(count / Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 3_600_000)));
  let written = 0;
  let runId = 18_000_000_000;
  for (let hour = from.getTime(); written < count; hour += 3_600_000) {
    const lines: string[] = [];
    const n = Math.min(perHour, count - written);
    while (lines.length < n) {
      const repo = rng.pick(repos);
      const start = hour + rng.int(0, 3_500_000);
      const run = ++runId;
      const base = { org: ORG.name, org_id: ORG.id, repo: repo.name, repo_id: repo.id, workflow_run_id: run, workflow_id: 100_000 + (repo.id % 7), event: 'push', head_branch: 'main', actor: 'ci-bot', actor_id: 99, actor_is_bot: true };
      const rec = (action: string, ms: number, extra: Record<string, unknown>): string =>
        JSON.stringify({ '@timestamp': ms, _document_id: rng.chars(22), action, created_at: ms, ...base, ...extra });
      lines.push(rec('workflows.created_workflow_run', start, { operation_type: 'create', name: 'CI' }));
      lines.push(rec('workflows.prepared_workflow_job', start + 8000, {
        operation_type: 'modify', job_name: 'test', job_workflow_ref: `${repo.name}/.github/workflows/ci.yml@refs/heads/main`,
        secrets_passed: rng.chance(0.1) ? ['NPM_TOKEN'] : [], is_hosted_runner: true, runner_group_name: 'GitHub Actions', runner_name: `GitHub Actions ${rng.int(1e9, 2e9)}`,
      }));
      lines.push(rec('workflows.completed_workflow_run', start + rng.int(60_000, 400_000), { operation_type: 'modify', conclusion: rng.chance(0.92) ? 'success' : 'failure' }));
    }
    const body = lines.slice(0, n);
    written += body.length;
    out.write(`github/audit-log/${new Date(hour).toISOString().slice(0, 13).replace('T', '-')}.ndjson`, body.join('\n') + '\n', 'github');
  }
  return written;
}

/** Vault: kv reads and transit signs by many Kubernetes service accounts; 50k requests per file. */
function benchVault(out: Output, rng: Rng, requests: number, from: Date, to: Date): number {
  const span = to.getTime() - from.getTime();
  const perFile = 50_000;
  let done = 0;
  for (let file = 0; done < requests; file++) {
    const n = Math.min(perFile, requests - done);
    const times = Array.from({ length: n }, (_, i) => from.getTime() + Math.floor(((done + i) / requests) * span));
    const lines: string[] = [];
    for (const ms of times) {
      const sa = `app-${rng.int(0, 299)}`;
      const transit = rng.chance(0.2);
      const id = rng.uuid();
      const auth = { client_token: hmac(`t-${sa}`), accessor: hmac(`a-${sa}`), display_name: `kubernetes-apps-${sa}`, policies: ['default', sa], entity_id: `e-${sa}`, token_type: 'service', token_ttl: 3600 };
      const request = {
        id, operation: transit ? 'update' : 'read', mount_type: transit ? 'transit' : 'kv', namespace: { id: 'root' },
        path: transit ? `transit/sign/${sa}` : `secret/data/${sa}/config`, remote_address: `10.40.${rng.int(0, 255)}.${rng.int(1, 254)}`,
        ...(transit ? { data: { input: hmac(rng.hex(16)), prehashed: true } } : {}),
      };
      const time = new Date(ms).toISOString().replace('Z', `${String(rng.int(0, 999_999)).padStart(6, '0')}Z`);
      lines.push(JSON.stringify({ time, type: 'request', auth, request }));
      lines.push(JSON.stringify({ time, type: 'response', auth, request, response: { mount_type: request.mount_type, data: transit ? { signature: hmac(rng.hex(16)), key_version: 1 } : { data: hmac('x') } } }));
    }
    done += n;
    out.write(`vault/vault-audit.log.${String(file).padStart(4, '0')}`, lines.join('\n') + '\n', 'vault');
  }
  return done;
}

/** Rekor: key-based signatures by 20 keys, v1 entries with proofs against one export checkpoint. */
function benchRekor(out: Output, rng: Rng, count: number, from: Date, to: Date): number {
  const log = new TransparencyLog(
    { key: deriveKey(P256, KEY_LABELS.rekorLog), origin: 'rekor.demo.sigtrail.invalid', baseUrl: 'https://rekor.demo.sigtrail.invalid', treeId: 1193050959916656506n + 7n, shardOffset: 600_000_000 },
    rng.fork('filler'),
  );
  const keys = Array.from({ length: 20 }, (_, i) => deriveKey(P256, `bench signer ${i}`));
  const pems = keys.map(spkiPem);
  const span = to.getTime() - from.getTime();
  const entries = Array.from({ length: count }, (_, i) => {
    const k = rng.int(0, keys.length - 1);
    const digest = rng.hex(64);
    const body = hashedRekordBody(digest, toDer(signHash(keys[k], Buffer.from(digest, 'hex'))), pems[k]);
    return log.append(body, Math.floor((from.getTime() + Math.floor((i / count) * span)) / 1000), rng.int(0, 50));
  });
  const ns = BigInt(to.getTime()) * 1_000_000n;
  const lines = entries.map((e) => JSON.stringify(log.v1Entry(e, log.proof(e, log.size, ns))));
  out.write('sigstore/rekor/entries.ndjson', lines.join('\n') + '\n', 'sigstore');
  return count;
}

export async function generateBench(o: BenchOptions): Promise<BenchSummary> {
  const started = Date.now();
  const rng = new Rng(`${o.seed ?? SEED} / bench / ${o.events}`);
  fs.rmSync(o.out, { recursive: true, force: true });
  const out = new Output(o.out);
  const ct = Math.round(o.events * 0.7);
  const gh = Math.round(o.events * 0.2);
  const vault = o.events - ct - gh;
  const rekor = Math.min(2000, Math.max(50, Math.round(o.events / 500)));
  const to = DATA_END;
  const from = new Date(Math.floor((to.getTime() - Math.ceil(ct / CT_PER_WINDOW) * 300_000) / 300_000) * 300_000);

  const records = {
    'aws.cloudtrail': benchCloudTrail(out, rng.fork('cloudtrail'), ct, from),
    'github.audit': benchGitHub(out, rng.fork('github'), gh, from, to),
    'vault.audit_requests': benchVault(out, rng.fork('vault'), vault, from, to),
    rekor_v1_entries: benchRekor(out, rng.fork('rekor'), rekor, from, to),
  };
  // The demo incident, so that analyses find something at scale.
  const demo = await generateSamples();
  for (const [rel, body] of demo.files) {
    if (GENERATED_ROOTS.slice(0, 4).some((r) => rel.startsWith(`${r}/`))) out.write(path.join('incident', rel), body, 'incident');
  }
  return { out: o.out, span: { from: from.toISOString(), to: to.toISOString() }, records, files: out.files, bytes: out.bytes, seconds: (Date.now() - started) / 1000 };
}
