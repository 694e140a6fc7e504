import { join, normalize, relative } from 'pathe';
import type { Pipeline, PlotDefinition, SourcePosition } from '../pipeline/model';
import { type Problem, problemAt } from '../problems';
import { PLOT_TEMPLATES, type PlotTemplate } from '../../protocol/plotViews';

/** Where one plot's values come from: a file, its y columns and its x column. */
export interface PlotSource {
  /** Workspace-relative; for a spec with `mayBeFolder`, possibly a folder of plot files. */
  readonly file: string;
  /** Undefined: DVC's default, the last column (field) of the file. */
  readonly y?: readonly string[];
  /** A column of the same file, a column of another file (joined by row index), or none (the row index, DVC's `step`). */
  readonly x?: string | { readonly file: string; readonly column: string };
}

/** One plot definition resolved to workspace paths and DVC's defaults. */
export interface PlotSpec {
  readonly id: string;
  readonly title: string;
  readonly template: PlotTemplate;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** CSV/TSV header row (DVC's default: true; without one the columns are named 0, 1, ...). */
  readonly header: boolean;
  readonly sources: readonly PlotSource[];
  /** The id is a path: a folder there expands into one plot per file, with these settings. */
  readonly mayBeFolder: boolean;
  /** The pipeline file that defines it and where. */
  readonly pipelineFile: string;
  readonly position: SourcePosition;
}

/**
 * Every plot of the pipelines, as `dvc plots show` collects them: the stages' `plots:` outputs
 * (paths relative to the stage's wdir) and the top-level `plots:` definitions (paths relative to
 * the pipeline file's folder: a path id, or a name with `y` mapping files to columns, `x` a column
 * or a map of files to columns). Pure: whether a path is a file or a folder is found when reading.
 */
export function resolvePlotSpecs(
  pipelines: readonly Pipeline[],
  workspaceRoot: string,
): { value: PlotSpec[]; problems: Problem[] } {
  const root = normalize(workspaceRoot);
  const toWorkspacePath = (base: string, path: string) => relative(root, join(base, path));
  const specs: PlotSpec[] = [];
  const problems: Problem[] = [];
  const templateOf = (written: string | undefined, file: string, position: SourcePosition): PlotTemplate => {
    if (written === undefined) return 'linear';
    if ((PLOT_TEMPLATES as readonly string[]).includes(written)) return written as PlotTemplate;
    problems.push(
      problemAt(
        file,
        position,
        'warning',
        'plotTemplateUnknown',
        `Template '${written}' is not one of DVC's built-in templates (${PLOT_TEMPLATES.join(', ')}); mlc draws it as 'linear'.`,
      ),
    );
    return 'linear';
  };
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages) {
      for (const out of stage.outs) {
        if (out.kind !== 'plot') continue;
        const file = toWorkspacePath(stage.wdir, out.path);
        const props = out.plot ?? {};
        specs.push({
          id: file,
          title: props.title ?? file,
          template: templateOf(props.template, stage.pipelineFile, out.position),
          ...(props.xLabel !== undefined ? { xLabel: props.xLabel } : {}),
          ...(props.yLabel !== undefined ? { yLabel: props.yLabel } : {}),
          header: props.header ?? true,
          sources: [{ file, ...yOf(props.y), ...(props.x !== undefined ? { x: props.x } : {}) }],
          mayBeFolder: true,
          pipelineFile: stage.pipelineFile,
          position: out.position,
        });
      }
    }
    for (const definition of pipeline.plots ?? []) {
      const template = templateOf(definition.template, pipeline.file, definition.position);
      const resolved = resolveDefinition(definition, (path) => toWorkspacePath(pipeline.root, path));
      if ('problem' in resolved) {
        problems.push(
          problemAt(pipeline.file, definition.position, 'error', 'plotDefinitionInvalid', resolved.problem),
        );
        continue;
      }
      specs.push({
        id: definition.id,
        title: definition.title ?? definition.id,
        template,
        ...(definition.xLabel !== undefined ? { xLabel: definition.xLabel } : {}),
        ...(definition.yLabel !== undefined ? { yLabel: definition.yLabel } : {}),
        header: true,
        sources: resolved.sources,
        mayBeFolder: resolved.mayBeFolder,
        pipelineFile: pipeline.file,
        position: definition.position,
      });
    }
  }
  return { value: specs, problems };
}

function yOf(y: string | readonly string[] | undefined): { y?: readonly string[] } {
  if (y === undefined) return {};
  return { y: typeof y === 'string' ? [y] : y };
}

function resolveDefinition(
  definition: PlotDefinition,
  toWorkspacePath: (path: string) => string,
): { sources: PlotSource[]; mayBeFolder: boolean } | { problem: string } {
  const xFiles =
    definition.x !== undefined && typeof definition.x !== 'string'
      ? Object.entries(definition.x).map(([file, column]) => ({ file: toWorkspacePath(file), column }))
      : [];
  // An x map with one file applies to every y file; with several, each y file takes its own.
  const xFor = (yFile: string): PlotSource['x'] | { problem: string } => {
    if (typeof definition.x === 'string') return definition.x;
    if (xFiles.length === 0) return undefined;
    const own = xFiles.find((entry) => entry.file === yFile);
    if (own) return own.column;
    if (xFiles.length === 1) return xFiles[0]!;
    return {
      problem: `The plot '${definition.id}' maps x to several files but not to ${yFile}; give x for every y file, or one x for all.`,
    };
  };
  const ySpec = definition.y;
  if (ySpec !== undefined && typeof ySpec !== 'string' && !Array.isArray(ySpec)) {
    const sources: PlotSource[] = [];
    for (const [file, columns] of Object.entries(ySpec as Readonly<Record<string, string | readonly string[]>>)) {
      const workspaceFile = toWorkspacePath(file);
      const x = xFor(workspaceFile);
      if (x !== undefined && typeof x === 'object' && 'problem' in x) return x;
      sources.push({ file: workspaceFile, ...yOf(columns), ...(x !== undefined ? { x } : {}) });
    }
    return { sources, mayBeFolder: false };
  }
  const file = toWorkspacePath(definition.id);
  const x = xFor(file);
  if (x !== undefined && typeof x === 'object' && 'problem' in x) return x;
  return {
    sources: [{ file, ...yOf(ySpec as string | readonly string[] | undefined), ...(x !== undefined ? { x } : {}) }],
    mayBeFolder: true,
  };
}
