import { parseCommandArgs } from '../argv';
import { readAuditLog, verifyAuditLog } from '../../engine/audit/auditLog';
import { sha256Text } from '../../node/deploy/sha256Text';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { formatTable } from '../tableOutput';

const usage = `Usage: mlc audit [--json] | mlc audit verify [--json]

mlc audit lists .mlc/audit.jsonl: every run, registration, promotion, gate result, deploy, rollback
and undeploy with who (git user), when and the commit. Each entry holds the hash of the one before.
mlc audit verify walks that chain and names the first entry that was edited, removed or reordered
(entries removed from the end leave a valid shorter chain: compare the last hash with git's copy).
  --json   mlc audit: {"entries":[{"seq","type","who","when","commit","data","prevHash","hash"}]}
           mlc audit verify: {"ok","entries","firstBreak":{"line","seq","kind","message"}|null}

Exit: 0 listed / the chain is intact, 1 the chain is broken, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Show or verify the hash-chained audit log',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    const [subcommand, ...extra] = positionals;
    if (extra.length > 0 || (subcommand !== undefined && subcommand !== 'verify')) {
      throw new UsageError(`unexpected argument '${extra[0] ?? subcommand}'; the only subcommand is verify.`);
    }
    if (subcommand === 'verify') {
      const result = verifyAuditLog(context.fs, workspaceRoot(context), sha256Text);
      if (values.json) context.print(JSON.stringify({ ...result, firstBreak: result.firstBreak ?? null }, null, 2));
      else if (result.ok)
        context.print(`The audit log is intact: ${result.entries} entries chain from the first to the last.`);
      else context.print(`The audit log is broken: ${result.firstBreak!.message}`);
      return result.ok ? ExitCode.ok : ExitCode.failed;
    }
    const { entries, unreadableLines } = readAuditLog(context.fs, workspaceRoot(context));
    if (unreadableLines.length > 0) {
      context.printDiagnostic(`mlc audit: lines ${unreadableLines.join(', ')} are not entries; run mlc audit verify.`);
    }
    if (values.json) {
      context.print(JSON.stringify({ entries }, null, 2));
    } else if (entries.length === 0) {
      context.print('The audit log is empty.');
    } else {
      context.print(
        formatTable(
          ['SEQ', 'WHEN', 'TYPE', 'WHO', 'COMMIT', 'DETAIL'],
          entries.map((entry) => [
            String(entry.seq),
            entry.when,
            entry.type,
            entry.who,
            entry.commit?.slice(0, 8) ?? '-',
            Object.entries(entry.data)
              .filter(([, value]) => typeof value !== 'object' || value === null)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(' '),
          ]),
        ),
      );
    }
    return ExitCode.ok;
  },
};
