import { basename } from 'pathe';
import type { FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import { checkStageParams } from './checkStageParams';
import { decodeUtf8 } from './decodeUtf8';
import type { Pipeline, PipelineKind } from './model';
import { OutputIndex } from './outputIndex';
import { emptyPipeline, parseDvcPipeline } from './parseDvcPipeline';
import { parseMlproject } from './parseMlproject';
import { buildStageGraph } from './stageGraph';
import { describeError } from '../engineError';

/** Files above this size are not parsed: no real pipeline file comes close. */
const maxPipelineBytes = 16 * 1024 * 1024;

export function pipelineKindOf(file: string): PipelineKind {
  const name = basename(file).toLowerCase();
  if (name === 'mlproject') return 'mlproject';
  if (name === 'mlc.yaml' || name === 'mlc.yml' || name.endsWith('.mlc.yaml')) return 'mlc';
  return 'dvc';
}

/**
 * Parses one pipeline file (or `text`, the unsaved contents of its editor) and checks it on its
 * own: syntax, schema, templates, stage names, outputs claimed twice, cycles, params. Never throws;
 * cross-file checks (missing dependencies, outputs claimed in two files) are loadWorkspace's.
 */
export function loadPipeline(fs: FileSystem, file: string, text?: string): { pipeline: Pipeline; problems: Problem[] } {
  const parsed = parsePipelineFile(fs, file, text);
  if (parsed.problems.some((problem) => problem.code === 'yamlSyntax' || problem.code === 'unreadableFile'))
    return parsed;
  const problems = [...parsed.problems];
  try {
    problems.push(...buildStageGraph([parsed.pipeline], parsed.pipeline.root).problems);
    problems.push(...checkStageParams(fs, parsed.pipeline.stages, new OutputIndex(parsed.pipeline.stages)));
  } catch (error) {
    problems.push(internalProblem(file, error));
  }
  return { pipeline: parsed.pipeline, problems: tidyProblems(problems) };
}

/** Syntax, schema and templates only (no checks that need other stages); used by loadWorkspace. */
export function parsePipelineFile(
  fs: FileSystem,
  file: string,
  text?: string,
): { pipeline: Pipeline; problems: Problem[] } {
  const kind = pipelineKindOf(file);
  let contents = text;
  const encodingProblems: Problem[] = [];
  if (contents === undefined) {
    try {
      const stat = fs.stat(file);
      if (stat && stat.size > maxPipelineBytes) {
        const message = `This file is ${Math.round(stat.size / 1048576)} MB; pipeline files over 16 MB are not read. Split it.`;
        return {
          pipeline: emptyPipeline(file, kind),
          problems: [problemAt(file, undefined, 'error', 'unreadableFile', message)],
        };
      }
      const decoded = decodeUtf8(fs.readFile(file), file);
      contents = decoded.text;
      encodingProblems.push(...decoded.problems);
    } catch (error) {
      const message = `Cannot read this file (${describeError(error)}); check that it exists and is readable.`;
      return {
        pipeline: emptyPipeline(file, kind),
        problems: [problemAt(file, undefined, 'error', 'unreadableFile', message)],
      };
    }
  }
  if (contents.length > maxPipelineBytes) {
    const message = `This text is over 16 MB; pipeline files that big are not read. Split it.`;
    return {
      pipeline: emptyPipeline(file, kind),
      problems: [problemAt(file, undefined, 'error', 'unreadableFile', message)],
    };
  }
  if (contents.includes('\u0000')) {
    const message = 'This file holds binary data (NUL bytes), not YAML; replace it with a text pipeline file.';
    return {
      pipeline: emptyPipeline(file, kind),
      problems: [problemAt(file, undefined, 'error', 'yamlSyntax', message)],
    };
  }
  try {
    const parsed = kind === 'mlproject' ? parseMlproject(file, contents) : parseDvcPipeline(fs, file, contents, kind);
    if (encodingProblems.length === 0) return { pipeline: parsed.pipeline, problems: tidyProblems(parsed.problems) };
    // A stage that holds an undecodable byte would run something else than was written: drop it
    // (with a U+FFFD written on purpose in the same file too: that file needs fixing anyway).
    const stages = parsed.pipeline.stages.filter((stage) => !JSON.stringify(stage).includes('\uFFFD'));
    return {
      pipeline: { ...parsed.pipeline, stages },
      problems: tidyProblems([...encodingProblems, ...parsed.problems]),
    };
  } catch (error) {
    return { pipeline: emptyPipeline(file, kind), problems: [internalProblem(file, error)] };
  }
}

function internalProblem(file: string, error: unknown): Problem {
  const message = `mlc could not read this file because of an internal error (${describeError(error)}); please report it.`;
  return problemAt(file, undefined, 'error', 'internalError', message);
}

/**
 * Drops exact duplicates (a foreach template reports the same problem for every generated stage)
 * and sorts by file, line and column, so editors and `mlc validate` show a stable list.
 */
export function tidyProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique: Problem[] = [];
  for (const problem of problems) {
    const key = `${problem.file}\u0000${problem.line}\u0000${problem.column}\u0000${problem.code}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(problem);
  }
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}
