/**
 * Run Details' Rerun: "same params" means the params the run recorded, and mlc reads params only
 * from the workspace's params files, so the recorded values are written back into those files
 * first, but only after the user has seen every change (file, key, value now -> recorded value)
 * and agreed. Without `vscode` so a test drives it with fakes; runPanels.ts supplies the modal
 * dialog, the atomic write and the terminal run.
 */
import type { ParamsRestorePlan } from '../../engine/params/planParamsRestore';
import type { ParamValue } from '../../engine/runs/model';

export interface RerunSteps {
  /** Asks the user (a modal); resolves true only when they chose to go on. */
  readonly confirm: (message: string, detail: string) => Promise<boolean>;
  readonly writeFile: (file: string, text: string) => void;
  readonly rerun: () => Promise<unknown>;
  /** Makes a params file's absolute path readable (workspace-relative). */
  readonly displayPath: (file: string) => string;
}

export type RerunOutcome = 'ran' | 'ranUnchanged' | 'declined';

const shown = (value: ParamValue) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The confirmation's text: one line per changed param under its file, then what cannot be restored. */
export function describeParamsRestore(
  plan: ParamsRestorePlan,
  displayPath: (file: string) => string,
): { readonly message: string; readonly detail: string } {
  const lines: string[] = [];
  for (const edit of plan.edits) {
    lines.push(`${displayPath(edit.file)}:`);
    for (const change of edit.changes)
      lines.push(`  ${change.key}: ${shown(change.current)} -> ${shown(change.recorded)}`);
  }
  if (plan.notRestorable.length > 0) {
    lines.push('Not restored (the rerun uses the current value):');
    for (const { key, reason } of plan.notRestorable) lines.push(`  ${key}: ${reason}`);
  }
  const count = plan.edits.reduce((total, edit) => total + edit.changes.length, 0);
  const message =
    count > 0
      ? `Rerun with the params this run recorded? ${count} value(s) in ${plan.edits.length} params file(s) will be changed back.`
      : 'Some params this run recorded cannot be restored. Rerun anyway?';
  return { message, detail: lines.join('\n') };
}

/**
 * Reruns with the recorded params: when the files already hold them, at once; otherwise after the
 * user agreed to the shown changes (declining writes nothing and runs nothing).
 */
export async function rerunWithRecordedParams(plan: ParamsRestorePlan, steps: RerunSteps): Promise<RerunOutcome> {
  if (plan.edits.length === 0 && plan.notRestorable.length === 0) {
    await steps.rerun();
    return 'ranUnchanged';
  }
  const { message, detail } = describeParamsRestore(plan, steps.displayPath);
  if (!(await steps.confirm(message, detail))) return 'declined';
  for (const edit of plan.edits) steps.writeFile(edit.file, edit.after);
  await steps.rerun();
  return plan.edits.length === 0 ? 'ranUnchanged' : 'ran';
}
