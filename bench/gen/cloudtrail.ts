/**
 * Synthetic CloudTrail records, field-for-field like the real ones in ../shared/realdata/aws
 * (S3 delivery objects, AWS documentation examples, the GitHub OIDC records of cloud-snitch):
 * a busy account's mix of agent heartbeats, service-to-service KMS and STS calls, S3 and EC2
 * reads, with the rare events an investigation is about (KMS Sign, GetSecretValue, web-identity
 * role assumption, CreateAccessKey) and ~2% AccessDenied errors. About 1.3 KB per record, the
 * size SPEC.md measured on real exports.
 */
import type { Random } from '../random.js';

const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['us-east-1', 'us-east-1', 'us-east-1', 'us-west-2', 'eu-west-1'];
const ROLES = ['ecs-cluster-instance', 'lambda-exec', 'build-agent', 'secret-sync', 'data-pipeline', 'OrganizationAccountAccessRole'];
const USERS = ['alice', 'bob', 'chris', 'deploy-bot', 'terraform'];
const REPOS = ['acme/ledger', 'acme/app', 'acme/infra', 'acme/web'];
const SECRETS = ['release/cosign-key', 'prod/db-password', 'ci/npm-token', 'ci/docker-hub', 'prod/stripe-api-key'];
const KEY_IDS = ['1234abcd-12ab-34cd-56ef-1234567890ab', '0987dcba-09fe-87dc-65ba-ab0987654321', 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'];
const AGENTS = [
  'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/',
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/kms.sign',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/legacy',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
];
const CI_AGENT = 'aws-sdk-nodejs/2.1112.0 linux/v20.19.0 configure-aws-credentials-for-github-actions promise';
const TLS = [
  { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
  { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' },
];

type Rec = Record<string, unknown>;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function keyArn(acct: string, region: string, id: string): string {
  return `arn:aws:kms:${region}:${acct}:key/${id}`;
}

/** The world the records describe: who exists and what they touch. */
interface Ctx {
  r: Random;
  ms: number;
  acct: string;
  region: string;
}

function assumedRole(c: Ctx, role = c.r.pick(ROLES)): Rec {
  const session = role === 'ecs-cluster-instance' ? `i-0${c.r.hex(16)}` : `${role}-${c.r.hex(8)}`;
  const roleId = `AROA${c.r.upper(17)}`;
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${c.acct}:assumed-role/${role}/${session}`,
    accountId: c.acct,
    accessKeyId: `ASIA${c.r.upper(16)}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${c.acct}:role/${role}`, accountId: c.acct, userName: role },
      attributes: { creationDate: iso(c.ms - c.r.int(3_600_000)), mfaAuthenticated: 'false' },
      ...(role === 'ecs-cluster-instance' ? { ec2RoleDelivery: '2.0' } : {}),
    },
  };
}

function iamUser(c: Ctx): Rec {
  const user = c.r.pick(USERS);
  return {
    type: 'IAMUser', principalId: `AIDA${c.r.upper(17)}`, arn: `arn:aws:iam::${c.acct}:user/${user}`,
    accountId: c.acct, accessKeyId: `AKIA${c.r.upper(16)}`, userName: user,
  };
}

function service(name: string): Rec {
  return { type: 'AWSService', invokedBy: name };
}

function base(c: Ctx, identity: Rec, source: string, name: string, extra: Rec, readOnly = true): Rec {
  const host = `${source.split('.')[0]}.${c.region}.amazonaws.com`;
  const viaService = identity.type === 'AWSService';
  return {
    eventVersion: c.r.pick(['1.08', '1.09', '1.11']),
    userIdentity: identity,
    eventTime: iso(c.ms),
    eventSource: source,
    eventName: name,
    awsRegion: c.region,
    sourceIPAddress: viaService ? identity.invokedBy : c.r.ipv4(),
    userAgent: viaService ? identity.invokedBy : c.r.pick(AGENTS),
    requestParameters: null,
    responseElements: null,
    ...extra,
    requestID: c.r.uuid(),
    eventID: c.r.uuid(),
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: c.acct,
    eventCategory: 'Management',
    ...(viaService ? {} : { tlsDetails: { ...c.r.pick(TLS), clientProvidedHostHeader: host } }),
  };
}

const kinds: readonly (readonly [number, (c: Ctx) => Rec])[] = [
  [18, (c) => base(c, assumedRole(c, 'ecs-cluster-instance'), 'ssm.amazonaws.com', 'UpdateInstanceInformation', {
    requestParameters: {
      instanceId: `i-0${c.r.hex(16)}`, agentVersion: '3.3.1611.0', agentStatus: 'Active', platformType: 'Linux',
      platformName: 'Amazon Linux', platformVersion: '2', iPAddress: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      computerName: `ip-10-0-${c.r.int(255)}-${c.r.int(255)}.ec2.internal`, agentName: 'amazon-ssm-agent',
      availabilityZone: `${c.region}c`, availabilityZoneId: 'use1-az4', sSMConnectionChannel: 'ssmmessages',
    },
  }, false)],
  [10, (c) => base(c, assumedRole(c), 'ec2.amazonaws.com', c.r.pick(['DescribeInstances', 'DescribeSecurityGroups', 'DescribeVolumes']), {
    requestParameters: { maxResults: 1000, instancesSet: {}, filterSet: { items: [{ name: 'tag:Environment', valueSet: { items: [{ value: 'prod' }] } }] } },
  })],
  [8, (c) => {
    const bucket = `acme-${c.r.pick(['artifacts', 'logs', 'releases', 'backups'])}-${c.acct}`;
    return base(c, assumedRole(c), 's3.amazonaws.com', c.r.pick(['GetBucketAcl', 'GetBucketLocation', 'ListBuckets', 'GetBucketPolicy']), {
      requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, acl: '' },
      additionalEventData: {
        SignatureVersion: 'SigV4', CipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', bytesTransferredIn: 0,
        AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': c.r.alnum(76), bytesTransferredOut: 550 + c.r.int(400),
      },
      resources: [{ accountId: c.acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
    });
  }],
  [15, (c) => {
    const id = c.r.pick(KEY_IDS);
    const by = c.r.pick(['s3.amazonaws.com', 'secretsmanager.amazonaws.com', 'ssm.amazonaws.com', 'logs.amazonaws.com']);
    return base(c, service(by), 'kms.amazonaws.com', c.r.pick(['Decrypt', 'GenerateDataKey', 'Decrypt']), {
      requestParameters: {
        encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::acme-artifacts-${c.acct}/builds/${c.r.hex(12)}.tar.gz` },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      },
      resources: [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: keyArn(c.acct, c.region, id) }],
    });
  }],
  [12, (c) => {
    const role = c.r.pick(ROLES);
    const by = c.r.pick(['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com', 'ec2.amazonaws.com']);
    return base(c, service(by), 'sts.amazonaws.com', 'AssumeRole', {
      requestParameters: { roleArn: `arn:aws:iam::${c.acct}:role/${role}`, roleSessionName: `${role}-${c.r.hex(8)}`, durationSeconds: 3600 },
      responseElements: {
        credentials: { accessKeyId: `ASIA${c.r.upper(16)}`, sessionToken: '', expiration: 'Apr 16, 2025, 3:46:56 AM' },
        assumedRoleUser: { assumedRoleId: `AROA${c.r.upper(17)}:${role}`, arn: `arn:aws:sts::${c.acct}:assumed-role/${role}/${role}` },
      },
      resources: [{ accountId: c.acct, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${c.acct}:role/${role}` }],
    });
  }],
  [8, (c) => base(c, assumedRole(c), 'logs.amazonaws.com', c.r.pick(['CreateLogStream', 'DescribeLogGroups']), {
    requestParameters: { logGroupName: `/ecs/${c.r.pick(['api', 'worker', 'scheduler'])}`, logStreamName: `ecs/app/${c.r.hex(32)}` },
  }, false)],
  [4, (c) => base(c, assumedRole(c, 'build-agent'), 'ecr.amazonaws.com', 'GetAuthorizationToken', {
    requestParameters: { registryIds: [c.acct] },
  })],
  [1.5, (c) => {
    const id = c.r.pick(KEY_IDS);
    const keyId = c.r.weighted([[2, id], [1, 'alias/release-signing'], [1, keyArn(c.acct, c.region, id)]] as const);
    return base(c, assumedRole(c, 'build-agent'), 'kms.amazonaws.com', 'Sign', {
      userAgent: CI_AGENT,
      requestParameters: { keyId, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' },
      resources: [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: keyArn(c.acct, c.region, id) }],
    });
  }],
  [0.5, (c) => {
    const id = c.r.pick(KEY_IDS);
    return base(c, iamUser(c), 'kms.amazonaws.com', c.r.pick(['Verify', 'GetPublicKey', 'DescribeKey']), {
      requestParameters: { keyId: id },
      resources: [{ accountId: c.acct, type: 'AWS::KMS::Key', ARN: keyArn(c.acct, c.region, id) }],
    });
  }],
  [3, (c) => {
    const name = c.r.pick(SECRETS);
    const secretId = c.r.chance(0.5) ? name : `arn:aws:secretsmanager:${c.region}:${c.acct}:secret:${name}-${c.r.alnum(6)}`;
    return base(c, assumedRole(c, c.r.pick(['secret-sync', 'build-agent', 'lambda-exec'])), 'secretsmanager.amazonaws.com', 'GetSecretValue', {
      requestParameters: { secretId },
    });
  }],
  [1.5, (c) => {
    const repo = c.r.pick(REPOS);
    const ref = c.r.weighted([[4, 'refs/heads/main'], [1, `refs/tags/v1.${c.r.int(40)}.${c.r.int(10)}`], [0.2, `refs/pull/${c.r.int(900)}/merge`]] as const);
    const subject = `repo:${repo}:ref:${ref}`;
    const provider = `arn:aws:iam::${c.acct}:oidc-provider/token.actions.githubusercontent.com`;
    const role = `arn:aws:iam::${c.acct}:role/github-actions-release`;
    return base(c, { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${subject}`, userName: subject, identityProvider: provider },
      'sts.amazonaws.com', 'AssumeRoleWithWebIdentity', {
        userAgent: CI_AGENT,
        requestParameters: { roleArn: role, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
        responseElements: {
          credentials: { accessKeyId: `ASIA${c.r.upper(16)}`, sessionToken: '', expiration: 'Apr 16, 2025, 3:46:56 AM' },
          subjectFromWebIdentityToken: subject,
          assumedRoleUser: { assumedRoleId: `AROA${c.r.upper(17)}:GitHubActions`, arn: `arn:aws:sts::${c.acct}:assumed-role/github-actions-release/GitHubActions` },
          provider, audience: 'sts.amazonaws.com',
        },
        additionalEventData: { identityProviderConnectionVerificationMethod: 'IAMTrustStore', RequestDetails: { awsServingRegion: c.region, endpointType: 'regional' } },
        resources: [{ accountId: c.acct, type: 'AWS::IAM::Role', ARN: role }],
      });
  }],
  [2, (c) => base(c, iamUser(c), 'iam.amazonaws.com', c.r.pick(['ListUsers', 'GetUser', 'ListAccessKeys']), {
    awsRegion: 'us-east-1', requestParameters: { userName: c.r.pick(USERS) },
  })],
  [0.05, (c) => {
    const user = c.r.pick(USERS);
    return base(c, iamUser(c), 'iam.amazonaws.com', 'CreateAccessKey', {
      awsRegion: 'us-east-1',
      requestParameters: { userName: user },
      responseElements: { accessKey: { accessKeyId: `AKIA${c.r.upper(16)}`, status: 'Active', userName: user, createDate: 'Mar 6, 2025, 2:25:06 AM' } },
    }, false);
  }],
  [0.3, (c) => base(c, iamUser(c), 'signin.amazonaws.com', 'ConsoleLogin', {
    awsRegion: 'us-east-1',
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'Yes' },
    eventType: 'AwsConsoleSignIn',
  }, false)],
];

/** One CloudTrail record at time `ms`. */
export function cloudtrailRecord(r: Random, ms: number): Rec {
  const c: Ctx = { r, ms, acct: r.pick(ACCOUNTS), region: r.pick(REGIONS) };
  const rec = r.weighted(kinds)(c);
  if (r.chance(0.02)) {
    rec.errorCode = 'AccessDenied';
    rec.errorMessage = `User: ${((rec.userIdentity as Rec).arn as string | undefined) ?? 'unknown'} is not authorized to perform: ${String(rec.eventSource).split('.')[0]}:${String(rec.eventName)} because no identity-based policy allows the action`;
    rec.responseElements = null;
  }
  return rec;
}
