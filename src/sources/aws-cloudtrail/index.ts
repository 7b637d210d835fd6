import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { MAPPING_SQL } from './map.js';

export const awsCloudtrail: SourceAdapter = {
  id: 'aws-cloudtrail',
  title: 'AWS CloudTrail',
  emits: ['aws.cloudtrail'],
  formats: [
    'S3 delivery objects {"Records":[…]} (.json, .json.gz)',
    'NDJSON records (also Logstash copies with @timestamp, Panther exports)',
    'CloudTrail Lake / lookup-events exports (CloudTrailEvent as a JSON string)',
  ],
  stageOptions: { unwrap: ['Records', 'Events'] },
  detect,
  async load(ctx) {
    await ctx.stage(this.stageOptions);
    await ctx.insertEvents(MAPPING_SQL, { perRecord: true, uidImpliesTime: true });
  },
};
