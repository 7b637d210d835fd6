/**
 * AWS CloudTrail records for account 111122223333, delivered as S3 objects the way a trail
 * writes them: `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_
 * YYYYMMDDTHHMMZ_<16 random>.json.gz`, one gzip `{"Records":[…]}` per five-minute window with
 * activity. Field shapes follow ../shared/realdata/aws (S3 delivery objects, the AWS
 * documentation examples for KMS / IAM / STS, cloud-snitch's GitHub OIDC AssumeRoleWithWebIdentity):
 * eventVersion 1.11, tlsDetails, resources[] for KMS keys and roles, `responseElements` null for
 * reads, non-ISO dates inside responseElements ("Oct 6, 2025, 10:41:19 PM").
 */
import { gzipSync } from 'node:zlib';
import type { Rng } from './random.js';
import {
  ACCOUNT, ATTACKER_ACCESS_KEY, ATTACKER_AWS_UA, ATTACKER_IP, CI_RUNNERS, CONSOLE_UA, DATA_END, GITHUB_OIDC_PROVIDER, KMS_KEY,
  LEGACY_ACCESS_KEY, LEGACY_USER, OFFICE_IP, REGION, REPO, ROLES, SECRETS, SECRETSMANAGER_KMS_KEY_ARN, T, BASELINE_START,
  at, isoSeconds, plus, type RolePrincipal, type Secret, type Story, type UserPrincipal,
} from './story.js';

export type CloudTrailRecord = Record<string, unknown>;

const SERVICE_HOST = {
  kms: `kms.${REGION}.amazonaws.com`,
  secretsmanager: `secretsmanager.${REGION}.amazonaws.com`,
  sts: `sts.${REGION}.amazonaws.com`,
  iam: 'iam.amazonaws.com',
  ecr: `api.ecr.${REGION}.amazonaws.com`,
  ssm: `ssm.${REGION}.amazonaws.com`,
} as const;
type Service = keyof typeof SERVICE_HOST;

const RUNNER_AWS_CLI = (command: string): string =>
  `aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`;
const CONFIGURE_AWS_CREDENTIALS_UA =
  'aws-sdk-js/3.654.0 ua/2.1 os/linux#6.8.0-1016-aws lang/js md/nodejs#20.17.0 api/sts#3.654.0 m/E configure-aws-credentials-for-github-actions';
const LAMBDA_UA = 'aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/secrets-manager#3.682.0 exec-env/AWS_Lambda_nodejs20.x m/E';
const ECS_APP_UA = 'aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.34.3 m/E';
const SSM_AGENT_UA = 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/';
const LAMBDA_IPS = ['3.236.41.18', '44.203.17.92', '3.91.160.7'];
const VPC_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';

/** "Oct 6, 2025, 10:41:19 PM": how CloudTrail writes dates inside responseElements. */
export function awsResponseDate(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hh}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

interface Identity {
  userIdentity: Record<string, unknown>;
}

function assumedRole(role: RolePrincipal, session: string, accessKeyId: string, created: Date, console = false): Identity {
  return {
    userIdentity: {
      type: 'AssumedRole',
      principalId: `${role.roleId}:${session}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${session}`,
      accountId: ACCOUNT,
      accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: role.roleId, arn: role.arn, accountId: ACCOUNT, userName: role.name },
        attributes: { creationDate: isoSeconds(created), mfaAuthenticated: console ? 'true' : 'false' },
      },
    },
  };
}

function iamUser(user: UserPrincipal, accessKeyId: string): Identity {
  return { userIdentity: { type: 'IAMUser', principalId: user.userId, arn: user.arn, accountId: ACCOUNT, accessKeyId, userName: user.name } };
}

function webIdentity(subject: string): Identity {
  return {
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${GITHUB_OIDC_PROVIDER}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: GITHUB_OIDC_PROVIDER,
    },
  };
}

interface Call {
  time: Date;
  identity: Identity;
  source: Service;
  name: string;
  ip: string;
  ua: string;
  request: unknown;
  response?: unknown;
  readOnly: boolean;
  resources?: { type: string; ARN: string }[];
  error?: { code: string; message: string };
  additional?: Record<string, unknown>;
  invokedBy?: string;
  vpce?: boolean;
  console?: boolean;
}

export class CloudTrailWriter {
  readonly records: CloudTrailRecord[] = [];
  constructor(private readonly rng: Rng) {}

  sessionKey(): string {
    return `ASIARZ4QW7XK${this.rng.chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
  }

  call(c: Call): CloudTrailRecord {
    const source = c.source;
    const ui = { ...c.identity.userIdentity };
    if (c.invokedBy) ui.invokedBy = c.invokedBy;
    const rec: CloudTrailRecord = {
      eventVersion: '1.11',
      userIdentity: ui,
      eventTime: isoSeconds(c.time),
      eventSource: `${source}.amazonaws.com`,
      eventName: c.name,
      awsRegion: REGION,
      sourceIPAddress: c.ip,
      userAgent: c.ua,
      ...(c.error ? { errorCode: c.error.code, errorMessage: c.error.message } : {}),
      requestParameters: c.request,
      responseElements: c.error ? null : c.response ?? null,
      ...(c.additional ? { additionalEventData: c.additional } : {}),
      requestID: this.rng.uuid(),
      eventID: this.rng.uuid(),
      readOnly: c.readOnly,
      ...(c.resources ? { resources: c.resources.map((r) => ({ accountId: ACCOUNT, type: r.type, ARN: r.ARN })) } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      ...(c.vpce ? { vpcEndpointId: VPC_ENDPOINT, vpcEndpointAccountId: ACCOUNT } : {}),
      eventCategory: 'Management',
      ...(c.invokedBy
        ? {}
        : { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: SERVICE_HOST[source] } }),
      ...(c.console ? { sessionCredentialFromConsole: 'true' } : {}),
    };
    this.records.push(rec);
    return rec;
  }

  // --- building blocks shared by the baseline and the incident --------------------------------

  kms(time: Date, identity: Identity, name: string, ip: string, ua: string, request: Record<string, unknown>, extra: Partial<Call> = {}): void {
    this.call({
      time, identity, source: 'kms', name, ip, ua, request, readOnly: ['Sign', 'GetPublicKey', 'DescribeKey', 'GetKeyRotationStatus', 'Decrypt'].includes(name),
      resources: [{ type: 'AWS::KMS::Key', ARN: KMS_KEY.arn }], ...extra,
    });
  }

  getSecret(time: Date, identity: Identity, secret: Secret, ip: string, ua: string, opts: { byArn?: boolean; error?: Call['error']; vpce?: boolean } = {}): void {
    this.call({
      time, identity, source: 'secretsmanager', name: 'GetSecretValue', ip, ua, readOnly: true,
      request: { secretId: opts.byArn ? secret.arn : secret.name }, error: opts.error, vpce: opts.vpce,
    });
    if (!opts.error) {
      // Secrets Manager decrypts the value with its KMS key on the caller's behalf; that is logged too.
      this.call({
        time, identity, source: 'kms', name: 'Decrypt', ip: 'secretsmanager.amazonaws.com', ua: 'secretsmanager.amazonaws.com', readOnly: true,
        invokedBy: 'secretsmanager.amazonaws.com',
        request: { encryptionContext: { SecretARN: secret.arn, SecretVersionId: this.rng.uuid() }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        resources: [{ type: 'AWS::KMS::Key', ARN: SECRETSMANAGER_KMS_KEY_ARN }],
      });
    }
  }
}

function deniedSecret(user: UserPrincipal, secret: Secret, why: 'identity' | 'resource'): Call['error'] {
  const reason = why === 'identity'
    ? 'because no identity-based policy allows the secretsmanager:GetSecretValue action'
    : 'with an explicit deny in a resource-based policy';
  return { code: 'AccessDenied', message: `User: ${user.arn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret.arn} ${reason}` };
}

/** Every CloudTrail record of the story (baseline, incident, containment), sorted by time. */
export function cloudTrailRecords(story: Story, rng: Rng): CloudTrailRecord[] {
  const w = new CloudTrailWriter(rng);
  const r = rng.fork('baseline');

  // --- releases: the sbom job assumes release-signer through GitHub OIDC and signs with KMS ----
  for (const rel of story.releases) {
    const subject = `repo:${REPO.name}:ref:refs/tags/${rel.tag}`;
    const key = w.sessionKey();
    const ip = rel.sbomRunner.egressIp;
    w.call({
      time: rel.assumeRoleTime, identity: webIdentity(subject), source: 'sts', name: 'AssumeRoleWithWebIdentity', ip, ua: CONFIGURE_AWS_CREDENTIALS_UA,
      readOnly: true, request: { roleArn: ROLES.releaseSigner.arn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
      response: {
        credentials: { accessKeyId: key, sessionToken: '', expiration: awsResponseDate(plus(rel.assumeRoleTime, 3600)) },
        subjectFromWebIdentityToken: subject,
        assumedRoleUser: { assumedRoleId: `${ROLES.releaseSigner.roleId}:GitHubActions`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/release-signer/GitHubActions` },
        provider: GITHUB_OIDC_PROVIDER,
        audience: 'sts.amazonaws.com',
      },
      additional: { identityProviderConnectionVerificationMethod: 'IAMTrustStore', RequestDetails: { awsServingRegion: REGION, endpointType: 'regional' } },
      resources: [{ type: 'AWS::IAM::Role', ARN: ROLES.releaseSigner.arn }],
    });
    const session = assumedRole(ROLES.releaseSigner, 'GitHubActions', key, rel.assumeRoleTime);
    for (const t of rel.kmsSignTimes) {
      w.kms(t, session, 'Sign', ip, RUNNER_AWS_CLI('kms.sign'), { keyId: KMS_KEY.alias, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' });
    }
  }

  // --- daily routine, clustered the way this quiet account's activity is --------------------------
  const days = Math.round((DATA_END.getTime() - BASELINE_START.getTime()) / 86_400_000);
  for (let day = 0; day < days; day++) {
    const d0 = plus(BASELINE_START, day * 86_400);
    const weekday = d0.getUTCDay() >= 1 && d0.getUTCDay() <= 5;
    // 03:15 is the account's nightly window: AWS Config records the key's configuration, the ECS
    // instances check in with SSM, and the nightly image job pushes to ECR.
    const cfg = plus(d0, 3 * 3600 + 15 * 60 + r.int(0, 60));
    const configRole = assumedRole(ROLES.configRecorder, 'AWSConfig-Describe', w.sessionKey(), plus(cfg, -30));
    w.kms(cfg, configRole, 'DescribeKey', 'config.amazonaws.com', 'config.amazonaws.com', { keyId: KMS_KEY.arn }, { invokedBy: 'config.amazonaws.com' });
    w.kms(plus(cfg, 1), configRole, 'GetKeyRotationStatus', 'config.amazonaws.com', 'config.amazonaws.com', { keyId: KMS_KEY.arn }, { invokedBy: 'config.amazonaws.com' });
    for (const [n, instance] of ['i-06125b883c50e9d63', 'i-0b7e2d4f19a3c5e81'].entries()) {
      w.call({
        time: plus(cfg, 20 + n * 17), identity: assumedRole(ROLES.ecsInstance, instance, w.sessionKey(), plus(d0, 3600)), source: 'ssm',
        name: 'UpdateInstanceInformation', ip: n === 0 ? '98.80.15.110' : '98.80.15.143', ua: SSM_AGENT_UA, readOnly: false,
        request: { instanceId: instance, agentVersion: '3.3.1611.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2' },
      });
    }
    // The nightly image job pushes with the legacy static key (repo secrets AWS_ACCESS_KEY_ID/…).
    const nightly = story.runs.find((run) => run.kind === 'nightly' && run.createdAt.getTime() >= d0.getTime() && run.createdAt.getTime() < d0.getTime() + 86_400_000);
    if (nightly) {
      const job = nightly.jobs[0];
      const ip = CI_RUNNERS.find((c) => c.name === job.runner.name)!.egressIp;
      const legacy = iamUser(LEGACY_USER, LEGACY_ACCESS_KEY);
      w.call({ time: plus(job.startedAt, 31), identity: legacy, source: 'ecr', name: 'GetAuthorizationToken', ip, ua: RUNNER_AWS_CLI('ecr.get-login-password'), readOnly: true, request: null });
      w.call({
        time: plus(job.startedAt, 118), identity: legacy, source: 'ecr', name: 'PutImage', ip, ua: 'docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0-1016-aws os/linux arch/amd64',
        readOnly: false, request: { repositoryName: 'ledger', imageTag: 'nightly', registryId: ACCOUNT, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' },
        response: { image: { registryId: ACCOUNT, repositoryName: 'ledger', imageId: { imageTag: 'nightly' } } },
        resources: [{ type: 'AWS::ECR::Repository', ARN: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ledger` }],
      });
    }
    // 06:0x the secret-sync Lambda checks that the GitHub copies still match Secrets Manager;
    // the billing worker refreshes its Stripe key.
    const sync = plus(d0, 6 * 3600 + r.int(2, 90));
    const syncRole = assumedRole(ROLES.secretSync, 'cosign-key-drift-check', w.sessionKey(), plus(sync, -1));
    const lambdaIp = r.pick(LAMBDA_IPS);
    w.getSecret(sync, syncRole, SECRETS.cosignKey, lambdaIp, LAMBDA_UA);
    w.getSecret(plus(sync, 1), syncRole, SECRETS.npmToken, lambdaIp, LAMBDA_UA);
    const billing = assumedRole(ROLES.billingWorker, `billing-${r.hex(32)}`, w.sessionKey(), plus(sync, -600));
    w.getSecret(plus(sync, r.int(20, 120)), billing, SECRETS.stripeKey, `10.20.${r.int(1, 6)}.${r.int(10, 250)}`, ECS_APP_UA, { vpce: true });
    // Deploys of the API read the database password at task start, twice a week or so.
    if (weekday && r.chance(0.45) && day < 36) {
      const deploy = plus(d0, r.int(10 * 3600, 16 * 3600));
      for (let k = 0; k < 2; k++) {
        const task = assumedRole(ROLES.ledgerApi, r.hex(32), w.sessionKey(), plus(deploy, k * 40 - 5));
        w.getSecret(plus(deploy, k * 40), task, SECRETS.dbPassword, `10.20.${r.int(1, 6)}.${r.int(10, 250)}`, ECS_APP_UA, { vpce: true });
      }
    }
  }

  // --- the attack --------------------------------------------------------------------------------
  // 21:03:40 the rogue job tries the release role through OIDC; the trust policy only allows tags.
  const rogueSubject = `repo:${REPO.name}:ref:refs/heads/fix/flaky-cache`;
  w.call({
    time: T.assumeRoleDenied, identity: webIdentity(rogueSubject), source: 'sts', name: 'AssumeRoleWithWebIdentity',
    ip: story.attack.pushRun.jobs[0].runner.egressIp, ua: CONFIGURE_AWS_CREDENTIALS_UA, readOnly: true,
    request: { roleArn: ROLES.releaseSigner.arn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    error: { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' },
    additional: { identityProviderConnectionVerificationMethod: 'IAMTrustStore', RequestDetails: { awsServingRegion: REGION, endpointType: 'regional' } },
    resources: [{ type: 'AWS::IAM::Role', ARN: ROLES.releaseSigner.arn }],
  });
  // From the attacker's own machine, with the legacy static key taken from the job's environment.
  const legacy = iamUser(LEGACY_USER, LEGACY_ACCESS_KEY);
  const ua = (command: string): string => `${ATTACKER_AWS_UA} md/command#${command}`;
  w.getSecret(T.readCosignSecret, legacy, SECRETS.cosignKey, ATTACKER_IP, ua('secretsmanager.get-secret-value'));
  w.call({
    time: T.listSecrets, identity: legacy, source: 'secretsmanager', name: 'ListSecrets', ip: ATTACKER_IP, ua: ua('secretsmanager.list-secrets'),
    readOnly: true, request: null,
  });
  w.getSecret(T.readDbPassword, legacy, SECRETS.dbPassword, ATTACKER_IP, ua('secretsmanager.get-secret-value'), { byArn: true });
  w.getSecret(T.readNpmToken, legacy, SECRETS.npmToken, ATTACKER_IP, ua('secretsmanager.get-secret-value'), { byArn: true });
  w.getSecret(T.readStripeDenied, legacy, SECRETS.stripeKey, ATTACKER_IP, ua('secretsmanager.get-secret-value'), { byArn: true, error: deniedSecret(LEGACY_USER, SECRETS.stripeKey, 'identity') });
  w.call({
    time: T.createAccessKey, identity: legacy, source: 'iam', name: 'CreateAccessKey', ip: ATTACKER_IP, ua: ua('iam.create-access-key'), readOnly: false,
    request: { userName: LEGACY_USER.name },
    response: { accessKey: { accessKeyId: ATTACKER_ACCESS_KEY, status: 'Active', userName: LEGACY_USER.name, createDate: awsResponseDate(T.createAccessKey) } },
  });
  // From here on the attacker uses the key they just created.
  const persisted = iamUser(LEGACY_USER, ATTACKER_ACCESS_KEY);
  w.kms(T.kmsGetPublicKey, persisted, 'GetPublicKey', ATTACKER_IP, ua('kms.get-public-key'), { keyId: KMS_KEY.alias });
  for (const t of [T.kmsSign1, T.kmsSign2, T.kmsSign3]) {
    w.kms(t, persisted, 'Sign', ATTACKER_IP, ua('kms.sign'), { keyId: KMS_KEY.arn, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' });
  }

  // --- containment (Mei Chen, SecurityAdmin via IAM Identity Center, from the office) ------------
  // Her console session began with an Identity Center sign-in at 08:52:10.
  const admin = assumedRole(ROLES.securityAdmin, 'mchen@acme.example', 'ASIARZ4QW7XKSECADM4N', at('2025-10-07T08:52:10Z'), true);
  const consoleCall = (c: Omit<Call, 'identity' | 'ip' | 'ua' | 'console'>): void => {
    w.call({ ...c, identity: admin, ip: OFFICE_IP, ua: CONSOLE_UA, console: true });
  };
  consoleCall({
    time: T.rotateCosignSecret, source: 'secretsmanager', name: 'RotateSecret', readOnly: false,
    request: { secretId: SECRETS.cosignKey.name, clientRequestToken: rng.uuid(), rotateImmediately: true },
    response: { aRN: SECRETS.cosignKey.arn, name: SECRETS.cosignKey.name, versionId: rng.uuid() },
  });
  const rotator = assumedRole(ROLES.secretRotation, 'cosign-key-rotator', w.sessionKey(), plus(T.rotationPutValue, -2));
  w.call({
    time: T.rotationPutValue, identity: rotator, source: 'secretsmanager', name: 'PutSecretValue', ip: LAMBDA_IPS[0], ua: LAMBDA_UA, readOnly: false,
    request: { secretId: SECRETS.cosignKey.arn, clientRequestToken: rng.uuid(), versionStages: ['AWSPENDING'] },
    response: { aRN: SECRETS.cosignKey.arn, name: SECRETS.cosignKey.name, versionId: rng.uuid(), versionStages: ['AWSPENDING'] },
  });
  w.call({
    time: T.rotationStage, identity: rotator, source: 'secretsmanager', name: 'UpdateSecretVersionStage', ip: LAMBDA_IPS[0], ua: LAMBDA_UA, readOnly: false,
    request: { secretId: SECRETS.cosignKey.arn, versionStage: 'AWSCURRENT', moveToVersionId: rng.uuid(), removeFromVersionId: rng.uuid() },
    response: { aRN: SECRETS.cosignKey.arn, name: SECRETS.cosignKey.name },
  });
  consoleCall({
    time: T.lockCosignSecretPolicy, source: 'secretsmanager', name: 'PutResourcePolicy', readOnly: false,
    request: {
      secretId: SECRETS.cosignKey.arn,
      blockPublicPolicy: true,
      resourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': [ROLES.secretSync.arn, ROLES.secretRotation.arn] } },
        }],
      }, null, 2),
    },
    response: { arn: SECRETS.cosignKey.arn, name: SECRETS.cosignKey.name },
  });
  consoleCall({
    time: T.deactivateLegacyKey, source: 'iam', name: 'UpdateAccessKey', readOnly: false,
    request: { userName: LEGACY_USER.name, accessKeyId: LEGACY_ACCESS_KEY, status: 'Inactive' },
  });
  consoleCall({
    time: T.disableKmsKey, source: 'kms', name: 'DisableKey', readOnly: false, request: { keyId: KMS_KEY.id },
    resources: [{ type: 'AWS::KMS::Key', ARN: KMS_KEY.arn }],
  });
  for (const [t, s] of [[T.rotateDbPassword, SECRETS.dbPassword], [T.rotateNpmToken, SECRETS.npmToken]] as const) {
    consoleCall({
      time: t, source: 'secretsmanager', name: 'RotateSecret', readOnly: false,
      request: { secretId: s.name, clientRequestToken: rng.uuid(), rotateImmediately: true },
      response: { aRN: s.arn, name: s.name, versionId: rng.uuid() },
    });
  }

  // --- the attacker returns with the access key the responders missed ----------------------------
  w.getSecret(T.readCosignSecretDenied, persisted, SECRETS.cosignKey, ATTACKER_IP, ua('secretsmanager.get-secret-value'), {
    error: deniedSecret(LEGACY_USER, SECRETS.cosignKey, 'resource'),
  });
  for (const t of [T.kmsSignDenied1, T.kmsSignDenied2]) {
    w.kms(t, persisted, 'Sign', ATTACKER_IP, ua('kms.sign'), { keyId: KMS_KEY.arn, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' }, {
      error: { code: 'DisabledException', message: `${KMS_KEY.arn} is disabled.` },
    });
  }

  // --- and is finally locked out --------------------------------------------------------------------
  consoleCall({
    time: T.deactivateAttackerKey, source: 'iam', name: 'UpdateAccessKey', readOnly: false,
    request: { userName: LEGACY_USER.name, accessKeyId: ATTACKER_ACCESS_KEY, status: 'Inactive' },
  });
  consoleCall({ time: T.deleteAttackerKey, source: 'iam', name: 'DeleteAccessKey', readOnly: false, request: { userName: LEGACY_USER.name, accessKeyId: ATTACKER_ACCESS_KEY } });
  consoleCall({ time: T.deleteLegacyKey, source: 'iam', name: 'DeleteAccessKey', readOnly: false, request: { userName: LEGACY_USER.name, accessKeyId: LEGACY_ACCESS_KEY } });
  consoleCall({
    time: T.scheduleKeyDeletion, source: 'kms', name: 'ScheduleKeyDeletion', readOnly: false,
    request: { keyId: KMS_KEY.id, pendingWindowInDays: 30 },
    response: { keyId: KMS_KEY.arn, deletionDate: awsResponseDate(plus(T.scheduleKeyDeletion, 30 * 86_400)), keyState: 'PendingDeletion', pendingWindowInDays: 30 },
    resources: [{ type: 'AWS::KMS::Key', ARN: KMS_KEY.arn }],
  });

  const out = w.records.filter((x) => Date.parse(x.eventTime as string) <= DATA_END.getTime());
  return out.sort((a, b) => Date.parse(a.eventTime as string) - Date.parse(b.eventTime as string));
}

/**
 * Groups records into S3 delivery objects: one per five-minute window with activity, named by
 * the window's end, gzip of pretty-printed `{"Records":[…]}`.
 */
export function cloudTrailFiles(records: readonly CloudTrailRecord[], rng: Rng): Map<string, Buffer> {
  const windows = new Map<number, CloudTrailRecord[]>();
  for (const rec of records) {
    const t = Date.parse(rec.eventTime as string);
    const end = Math.floor(t / 300_000) * 300_000 + 300_000;
    if (!windows.has(end)) windows.set(end, []);
    windows.get(end)!.push(rec);
  }
  const files = new Map<string, Buffer>();
  for (const [end, recs] of [...windows].sort(([a], [b]) => a - b)) {
    const d = new Date(end);
    const ymd = d.toISOString().slice(0, 10).split('-');
    const stamp = `${ymd.join('')}T${d.toISOString().slice(11, 16).replace(':', '')}Z`;
    const name = `aws/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${ymd.join('/')}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${rng.chars(16)}.json.gz`;
    files.set(name, gzipSync(Buffer.from(JSON.stringify({ Records: recs }, null, 4)), { level: 9 }));
  }
  return files;
}
