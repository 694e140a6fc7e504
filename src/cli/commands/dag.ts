import { relative } from 'node:path';
import { discoverPipelines } from '../../engine/pipeline/discoverPipelines';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import type { StageGraph } from '../../engine/pipeline/stageGraph';
import { parseCommandArgs } from '../argv';
import { LOCK_PROBLEM_CODES } from '../../engine/lock/checkLockFiles';
import { problemsJson, writePipelineProblems } from '../problemOutput';
import { terminalText, widestLength } from '../terminalText';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc dag [--json | --dot | --mermaid]

Shows the stage graph of every pipeline in the current folder and below it: each stage with the
stages it depends on, in the order they run.
  --json      print {"stages":[{"name","pipeline","cmd","deps","outs"}],"edges":[["from","to"]],
              "problems":[{"file","line","column","severity","code","message"}]}
  --dot       print Graphviz DOT (mlc dag --dot | dot -Tsvg > dag.svg)
  --mermaid   print a Mermaid flowchart (for Markdown)

Problems of the pipeline files are printed on stderr (and in the --json document).

Exit: 0 shown, 1 the stages form a cycle (the cycle is printed on stderr), 2 no pipeline file, a
pipeline with other errors (the graph shown lacks what could not be read) or bad usage.`;

export const command: CliCommand = {
  summary: 'Show the stage graph',
  usage,
  async run(args, context) {
    const format = parseFormat(args);
    const root = workspaceRoot(context);
    if (discoverPipelines(context.fs, root, { signal: context.signal }).length === 0) {
      context.logger.error(
        `no pipeline file (mlc.yaml, dvc.yaml or MLproject) in ${root} or below it; run mlc dag in the project folder.`,
      );
      return ExitCode.usage;
    }
    const workspace = loadWorkspace(context.fs, root, { signal: context.signal });
    // A lock file that cannot be read changes no edge of the graph: printed, but not a failure here.
    const errors = workspace.problems.filter(
      (problem) => problem.severity === 'error' && !LOCK_PROBLEM_CODES.has(problem.code),
    );
    writePipelineProblems(workspace.problems, context);
    const { graph } = workspace;
    const pipelineOf = (file: string) => relative(context.cwd, file);
    if (format === 'json') {
      const problems = problemsJson(workspace.problems, context.cwd);
      context.print(JSON.stringify({ ...toJson(graph, pipelineOf), problems }, null, 2));
    } else if (format === 'dot') context.print(toDot(graph));
    else if (format === 'mermaid') context.print(toMermaid(graph));
    else context.print(toText(graph));
    // A cycle is the check this command makes (exit 1); any other error means the graph shown
    // is missing what could not be read (exit 2, as unreadable input).
    if (errors.some((problem) => problem.code !== 'cycle')) return ExitCode.usage;
    return errors.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

type Format = 'json' | 'dot' | 'mermaid' | 'text';

function parseFormat(args: readonly string[]): Format {
  const { values } = parseCommandArgs(
    args,
    { json: { type: 'boolean' }, dot: { type: 'boolean' }, mermaid: { type: 'boolean' } },
    { allowPositionals: false },
  );
  const chosen = (['json', 'dot', 'mermaid'] as const).filter((name) => values[name] === true);
  if (chosen.length > 1)
    throw new UsageError(`choose one output format, not ${chosen.map((name) => `--${name}`).join(' and ')}.`);
  return chosen[0] ?? 'text';
}

export function toJson(graph: StageGraph, pipelineOf: (file: string) => string) {
  return {
    stages: graph.stages.map((stage) => ({
      name: graph.address(stage),
      pipeline: pipelineOf(stage.pipelineFile),
      cmd: stage.cmd,
      deps: stage.deps.map((dep) => dep.path),
      outs: stage.outs.map((output) => output.path),
    })),
    edges: graph.edges.map(([from, to]) => [from, to]),
  };
}

/** A DOT quoted string: backslash and quote escaped, control characters as visible escapes. */
function dotString(text: string): string {
  return `"${terminalText(text.replaceAll('\\', '\\\\').replaceAll('"', '\\"'))}"`;
}

/**
 * A Mermaid label: `#` starts an entity code, so it is one itself; quotes and angle brackets
 * (HTML in labels) become entity codes; control characters visible escapes.
 */
function mermaidLabel(text: string): string {
  const entities: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;' };
  return terminalText(text.replace(/[#"<>]/g, (character) => entities[character]!));
}

export function toDot(graph: StageGraph): string {
  const lines = ['digraph mlc {', '  rankdir=TB;', '  node [shape=box, style=rounded];'];
  for (const stage of graph.stages) lines.push(`  ${dotString(graph.address(stage))};`);
  for (const [from, to] of graph.edges) lines.push(`  ${dotString(from)} -> ${dotString(to)};`);
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid ids must be plain words, so stages get `s0`, `s1`… and their address as a quoted label. */
export function toMermaid(graph: StageGraph): string {
  const ids = new Map<string, string>();
  const lines = ['flowchart TD'];
  for (const [index, stage] of graph.stages.entries()) {
    const address = graph.address(stage);
    ids.set(address, `s${index}`);
    lines.push(`  s${index}["${mermaidLabel(address)}"]`);
  }
  for (const [from, to] of graph.edges) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
  return lines.join('\n');
}

/** Stages in the order they run, each with the stages it depends on; independent branches apart. */
export function toText(graph: StageGraph): string {
  const components = graph.components();
  if (components.length === 0) return 'No stages.';
  const lines: string[] = [];
  for (const [index, component] of components.entries()) {
    if (components.length > 1) lines.push(`${index > 0 ? '\n' : ''}Branch ${index + 1} of ${components.length}:`);
    const shown = component.map(terminalText);
    const width = widestLength(shown);
    for (const [position, address] of component.entries()) {
      const upstream = graph.dependencies(address);
      const name = shown[position]!;
      lines.push(
        upstream.length === 0 ? `  ${name}` : `  ${name.padEnd(width)}  <- ${terminalText(upstream.join(', '))}`,
      );
    }
  }
  const edgeCount = graph.edges.length;
  lines.push(
    '',
    `${graph.stages.length} stage${graph.stages.length === 1 ? '' : 's'}, ${edgeCount} dependenc${edgeCount === 1 ? 'y' : 'ies'}.`,
  );
  return lines.join('\n');
}
