/**
 * Options of the quick inputs that must not close when the focus moves: the steps of a multi-step
 * command (Register Model…: the run, then the model; Promote…: the alias, then a new one; Deploy
 * Model…: the target, then the version), as VS Code's own multi-step inputs (Git: Clone) do, and
 * every input opened from a webview (Run History's Note… and Tags…, the runs to compare). VS Code
 * closes a quick input on blur by default: a look at the Runs view or mlc.yaml, or a webview that
 * takes the focus back after the palette or its own button was used, would otherwise cancel the
 * command silently and lose what was typed. Escape still closes them.
 */
export const STAY_OPEN = { ignoreFocusOut: true } as const;
