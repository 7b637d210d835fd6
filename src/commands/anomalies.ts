import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

const JSON_COLUMNS = ['rule', 'severity', 'ts', 'actor', 'summary', 'evidence', 'mitre', 'owasp_nhi', 'fingerprint'];
const TABLE_COLUMNS = ['ts', 'severity', 'rule', 'actor', 'summary', 'mitre', 'owasp_nhi'];

/** `sigtrail anomalies --key …`: findings with stable rule ids, evidence and framework mappings. */
export function anomaliesCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('anomalies').description('findings on the key: rule, severity, time, actor, summary, evidence, ATT&CK / OWASP-NHI'))
    .action(async (flags: CaseFlags) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const findings = await inv.findings();
      const columns = c.out.format === 'table' ? TABLE_COLUMNS : JSON_COLUMNS;
      c.out.rows(columns, findings as unknown as Row[], { title: 'Findings', empty: 'no findings' });
    });
}
