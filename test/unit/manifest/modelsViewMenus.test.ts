import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { TreeItemContext } from '../../../src/extension/ids';

const repoRoot = resolve(__dirname, '../../..');

interface MenuEntry {
  readonly command: string;
  readonly when?: string;
}

const menus = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { menus: Record<string, MenuEntry[]> };
  }
).contributes.menus;

/** Whether a `when` clause's viewItem tests (`viewItem == x`, `viewItem =~ /re/`) accept `contextValue`. */
function viewItemAccepts(when: string, contextValue: string): boolean {
  const equals = [...when.matchAll(/viewItem\s*==\s*([\w.-]+)/g)].map((match) => match[1]!);
  const patterns = [...when.matchAll(/viewItem\s*=~\s*\/(.+?)\/(\w*)/g)].map(
    (match) => new RegExp(match[1]!, match[2]),
  );
  if (equals.length === 0 && patterns.length === 0) return true;
  return equals.includes(contextValue) || patterns.some((pattern) => pattern.test(contextValue));
}

test("no item menu of the Models view (Promote…) is offered on MLflow's read-only entries", () => {
  const modelsViewItems = (menus['view/item/context'] ?? []).filter((entry) =>
    /view\s*==\s*mlc\.models\b/.test(entry.when ?? ''),
  );
  assert.ok(
    modelsViewItems.some((entry) => viewItemAccepts(entry.when!, TreeItemContext.modelVersion)),
    "mlc's own versions keep their menu",
  );
  for (const contextValue of [TreeItemContext.mlflowModel, TreeItemContext.mlflowModelVersion]) {
    for (const entry of modelsViewItems) {
      assert.equal(viewItemAccepts(entry.when!, contextValue), false, `${entry.command} would show on ${contextValue}`);
    }
  }
});
