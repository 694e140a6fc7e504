import { dirname, join } from 'pathe';
import type { Clock, FileSystem, GitClient } from '../ports';
import { canonicalJson } from './canonicalJson';

/** The audit log, relative to the workspace root. */
export const AUDIT_LOG_FILE = '.mlc/audit.jsonl';

/** What the log records; `run` is appended by whoever finishes a pipeline run. */
export type AuditEntryType = 'run' | 'alert' | 'register' | 'promote' | 'gate' | 'deploy' | 'rollback' | 'undeploy';

/**
 * One line of `.mlc/audit.jsonl`. `hash` is the sha256 of the canonical JSON of every other field,
 * and `prevHash` the previous entry's `hash` (64 zeros for the first), so editing, removing or
 * reordering any entry breaks the chain at that entry.
 */
export interface AuditEntry {
  readonly seq: number;
  readonly type: AuditEntryType;
  /** `Name <email>` from git's user.name/user.email; `unknown` outside git. */
  readonly who: string;
  /** ISO 8601. */
  readonly when: string;
  readonly commit: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/** sha256 of UTF-8 text, lowercase hex: a port so the engine stays free of node:crypto. */
export type Sha256 = (text: string) => string;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditPorts {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly git: GitClient;
  readonly sha256: Sha256;
}

export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>, sha256: Sha256): string {
  const { seq, type, who, when, commit, data, prevHash } = entry;
  return sha256(canonicalJson({ seq, type, who, when, commit, data, prevHash }));
}

/** `Name <email>`, either part alone, or `unknown`. */
export function describeUser(user: string | undefined): string {
  return user === undefined || user.trim() === '' ? 'unknown' : user;
}

/**
 * Appends one entry after the log's last complete line. A torn last line (a writer that died
 * mid-append) is left in place: `verifyAuditLog` names it, and the new entry chains to the last
 * entry that parsed. Appends from two processes at the same instant are not serialised; the
 * second would repeat a seq, which verify reports.
 */
export async function appendAuditEntry(
  ports: AuditPorts,
  workspaceRoot: string,
  type: AuditEntryType,
  data: Readonly<Record<string, unknown>>,
): Promise<AuditEntry> {
  const path = join(workspaceRoot, AUDIT_LOG_FILE);
  const last = lastEntry(ports.fs, path);
  const git = await ports.git.state(workspaceRoot);
  const body = {
    seq: (last?.seq ?? 0) + 1,
    type,
    who: describeUser(git.user),
    when: new Date(ports.clock.now()).toISOString(),
    commit: git.commit ?? null,
    data,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const entry: AuditEntry = { ...body, hash: auditEntryHash(body, ports.sha256) };
  ports.fs.makeDirectory(dirname(path));
  const existing = ports.fs.stat(path);
  // A torn last line must not swallow the new entry: start it on a line of its own.
  const needsNewline = existing !== undefined && existing.size > 0 && !endsWithNewline(ports.fs, path, existing.size);
  ports.fs.appendFile(path, `${needsNewline ? '\n' : ''}${JSON.stringify(entry)}\n`);
  return entry;
}

function endsWithNewline(fs: FileSystem, path: string, size: number): boolean {
  return fs.readRange(path, size - 1, 1)[0] === 0x0a;
}

function lastEntry(fs: FileSystem, path: string): AuditEntry | undefined {
  const lines = readLines(fs, path);
  for (let index = lines.length - 1; index >= 0; index--) {
    const entry = parseEntry(lines[index]!);
    if (entry) return entry;
  }
  return undefined;
}

function readLines(fs: FileSystem, path: string): string[] {
  let text: string;
  try {
    text = fs.readText(path);
  } catch {
    return [];
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as AuditEntry).seq === 'number' &&
      typeof (value as AuditEntry).hash === 'string' &&
      typeof (value as AuditEntry).prevHash === 'string'
    ) {
      return value as AuditEntry;
    }
  } catch {
    // An unparsable line is reported by verify; readers skip it.
  }
  return undefined;
}

export interface AuditLogRead {
  readonly entries: readonly AuditEntry[];
  /** 1-based line numbers of the lines that are not entries. */
  readonly unreadableLines: readonly number[];
}

/** Every entry in file order; lines that are not entries are counted, never thrown on. */
export function readAuditLog(fs: FileSystem, workspaceRoot: string): AuditLogRead {
  const entries: AuditEntry[] = [];
  const unreadableLines: number[] = [];
  readLines(fs, join(workspaceRoot, AUDIT_LOG_FILE)).forEach((line, index) => {
    const entry = parseEntry(line);
    if (entry) entries.push(entry);
    else unreadableLines.push(index + 1);
  });
  return { entries, unreadableLines };
}

export type AuditBreakKind = 'unreadable' | 'edited' | 'removed' | 'reordered' | 'broken';

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  /** The first place the chain breaks, with a sentence naming the entry. */
  readonly firstBreak?: {
    readonly line: number;
    readonly seq?: number;
    readonly kind: AuditBreakKind;
    readonly message: string;
  };
}

/**
 * Walks the chain from the first line: each entry's hash must match its content (else it was
 * edited), its prevHash the previous entry's hash and its seq the next number (a higher seq means
 * entries were removed before it, a lower one that entries were reordered). Removing entries from
 * the end leaves a valid shorter chain: only a copy of the last hash kept elsewhere (git) shows that.
 */
export function verifyAuditLog(fs: FileSystem, workspaceRoot: string, sha256: Sha256): AuditVerification {
  const lines = readLines(fs, join(workspaceRoot, AUDIT_LOG_FILE));
  const parsed = lines.map(parseEntry);
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const index of lines.keys()) {
    const lineNumber = index + 1;
    const entry = parsed[index];
    const fail = (kind: AuditBreakKind, message: string, seq?: number) => ({
      ok: false,
      entries: lines.length,
      firstBreak: { line: lineNumber, ...(seq !== undefined ? { seq } : {}), kind, message },
    });
    if (!entry) {
      const torn = lineNumber === lines.length ? ' (a torn last line: an append that did not finish)' : '';
      return fail('unreadable', `line ${lineNumber} is not an audit entry${torn}.`);
    }
    const { hash, ...body } = entry;
    if (auditEntryHash(body, sha256) !== hash) {
      return fail(
        'edited',
        `entry ${entry.seq} (line ${lineNumber}) was edited: its hash does not match its content.`,
        entry.seq,
      );
    }
    const expectedLater = parsed.slice(index + 1).some((later) => later?.seq === expectedSeq);
    if (entry.seq > expectedSeq && expectedLater) {
      return fail(
        'reordered',
        `entry ${entry.seq} (line ${lineNumber}) is out of order: entry ${expectedSeq} comes after it.`,
        entry.seq,
      );
    }
    if (entry.seq > expectedSeq) {
      const missing =
        entry.seq - expectedSeq === 1 ? `entry ${expectedSeq} was` : `entries ${expectedSeq}-${entry.seq - 1} were`;
      return fail('removed', `${missing} removed before entry ${entry.seq} (line ${lineNumber}).`, entry.seq);
    }
    if (entry.seq < expectedSeq) {
      return fail(
        'reordered',
        `entry ${entry.seq} (line ${lineNumber}) is out of order: entry ${expectedSeq} was expected there.`,
        entry.seq,
      );
    }
    if (entry.prevHash !== previousHash) {
      const before = expectedSeq === 1 ? 'the start of the log' : `entry ${expectedSeq - 1}`;
      return fail(
        'broken',
        `entry ${entry.seq} (line ${lineNumber}) does not chain to ${before}: one of them was rewritten.`,
        entry.seq,
      );
    }
    previousHash = hash;
    expectedSeq++;
  }
  return { ok: true, entries: lines.length };
}
