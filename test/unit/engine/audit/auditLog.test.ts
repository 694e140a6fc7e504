import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUDIT_LOG_FILE,
  appendAuditEntry,
  GENESIS_HASH,
  readAuditLog,
  verifyAuditLog,
} from '../../../../src/engine/audit/auditLog';
import { canonicalJson } from '../../../../src/engine/audit/canonicalJson';
import { sha256Text } from '../../../../src/node/deploy/sha256Text';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const root = '/ws';
const logPath = `${root}/${AUDIT_LOG_FILE}`;

async function logWithEntries(count: number) {
  const fs = createMemoryFileSystem();
  let now = Date.UTC(2026, 0, 1);
  const ports = {
    fs,
    clock: { now: () => (now += 1000) },
    git: { state: () => Promise.resolve({ commit: 'abc123', dirty: false, user: 'Ada <ada@example.org>' }) },
    sha256: sha256Text,
  };
  for (let index = 1; index <= count; index++) await appendAuditEntry(ports, root, 'deploy', { version: index });
  return { fs, ports };
}

function lines(fs: ReturnType<typeof createMemoryFileSystem>): string[] {
  return fs.readText(logPath).trimEnd().split('\n');
}

function writeLines(fs: ReturnType<typeof createMemoryFileSystem>, text: readonly string[]) {
  fs.writeFileAtomic(logPath, `${text.join('\n')}\n`);
}

test('entries chain: seq from 1, prevHash is the previous hash, hash covers every other field', async () => {
  const { fs } = await logWithEntries(3);
  const { entries, unreadableLines } = readAuditLog(fs, root);
  assert.deepEqual(unreadableLines, []);
  assert.deepEqual(
    entries.map((entry) => entry.seq),
    [1, 2, 3],
  );
  assert.equal(entries[0]!.prevHash, GENESIS_HASH);
  assert.equal(entries[1]!.prevHash, entries[0]!.hash);
  assert.equal(entries[0]!.who, 'Ada <ada@example.org>');
  assert.equal(entries[0]!.commit, 'abc123');
  const { hash, ...body } = entries[2]!;
  assert.equal(hash, sha256Text(canonicalJson(body)));
  assert.deepEqual(verifyAuditLog(fs, root, sha256Text), { ok: true, entries: 3 });
});

test('an edited entry is named by seq and line', async () => {
  const { fs } = await logWithEntries(4);
  const text = lines(fs);
  text[1] = text[1]!.replace('"version":2', '"version":7');
  writeLines(fs, text);
  const result = verifyAuditLog(fs, root, sha256Text);
  assert.equal(result.ok, false);
  assert.deepEqual(
    { kind: result.firstBreak?.kind, seq: result.firstBreak?.seq, line: result.firstBreak?.line },
    { kind: 'edited', seq: 2, line: 2 },
  );
  assert.match(result.firstBreak!.message, /entry 2 \(line 2\) was edited/);
});

test('a removed entry is named: the seq that is missing and where', async () => {
  const { fs } = await logWithEntries(4);
  const text = lines(fs);
  text.splice(1, 1);
  writeLines(fs, text);
  const result = verifyAuditLog(fs, root, sha256Text);
  assert.equal(result.firstBreak?.kind, 'removed');
  assert.match(result.firstBreak!.message, /entry 2 was removed before entry 3 \(line 2\)/);
});

test('reordered entries are named as out of order', async () => {
  const { fs } = await logWithEntries(4);
  const text = lines(fs);
  [text[1], text[2]] = [text[2]!, text[1]!];
  writeLines(fs, text);
  const result = verifyAuditLog(fs, root, sha256Text);
  assert.equal(result.firstBreak?.kind, 'reordered');
  assert.equal(result.firstBreak?.seq, 3);
  assert.equal(result.firstBreak?.line, 2);
});

test('an entry rewritten with a fresh hash still breaks the chain at the next entry', async () => {
  const { fs } = await logWithEntries(3);
  const entries = readAuditLog(fs, root).entries.map((entry) => ({ ...entry }));
  const { hash: _old, ...body } = { ...entries[1]!, data: { version: 99 } };
  const forged = { ...body, hash: sha256Text(canonicalJson(body)) };
  writeLines(fs, [JSON.stringify(entries[0]), JSON.stringify(forged), JSON.stringify(entries[2])]);
  const result = verifyAuditLog(fs, root, sha256Text);
  assert.equal(result.firstBreak?.kind, 'broken');
  assert.equal(result.firstBreak?.seq, 3);
});

test('a torn last line is reported by verify, and the next append chains to the last good entry', async () => {
  const { fs, ports } = await logWithEntries(2);
  fs.appendFile(logPath, '{"seq":3,"ty');
  assert.equal(verifyAuditLog(fs, root, sha256Text).firstBreak?.kind, 'unreadable');
  const appended = await appendAuditEntry(ports, root, 'rollback', {});
  assert.equal(appended.seq, 3);
  assert.equal(appended.prevHash, readAuditLog(fs, root).entries[1]!.hash);
  assert.deepEqual(readAuditLog(fs, root).unreadableLines, [3]);
});

test('canonical JSON sorts keys at every level and drops undefined fields', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 2, y: 1 }], c: undefined } }),
    '{"a":{"d":[1,{"y":1,"z":2}]},"b":1}',
  );
});
