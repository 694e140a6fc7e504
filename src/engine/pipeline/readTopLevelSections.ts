import type { ArtifactConfig, PlotDefinition } from './model';
import { type MapTree, type Tree, treeToValue } from './parseYamlTree';
import { entryKey, type TreeReader } from './treeReader';
import { unboxPythonFloats } from '../params/formatPythonValue';

/** dvc.yaml's top-level `params`, `metrics`, `plots`, `artifacts` and `datasets` (already templated). */
export function readFileList(reader: TreeReader, node: Tree | undefined, what: string): string[] {
  return node ? reader.stringList(node, what).map((item) => item.value) : [];
}

const plotKeys = ['x', 'y', 'x_label', 'y_label', 'title', 'template'];

/** Top-level plots: a list of paths or `{id: definition}`; the editor schema also accepts a map. */
export function readPlotDefinitions(reader: TreeReader, node: Tree | undefined): PlotDefinition[] {
  if (!node) return [];
  const definitions: PlotDefinition[] = [];
  const readOne = (idNode: Tree, value: Tree | undefined) => {
    const id = reader.scalarText(idNode, 'A plot id');
    if (id === undefined) return;
    const definition: { -readonly [K in keyof PlotDefinition]: PlotDefinition[K] } = { id, position: idNode.position };
    if (value && !(value.kind === 'scalar' && value.value === null)) {
      const map = reader.map(value, `The plot '${id}'`);
      if (map) {
        reader.checkKeys(map, plotKeys, `the plot '${id}'`);
        for (const entry of map.entries) {
          const key = entryKey(entry);
          if (key === 'x') definition.x = readAxis(reader, entry.value, 'x') as PlotDefinition['x'];
          else if (key === 'y') definition.y = readAxis(reader, entry.value, 'y') as PlotDefinition['y'];
          else if (key === 'x_label') definition.xLabel = reader.scalarText(entry.value, key);
          else if (key === 'y_label') definition.yLabel = reader.scalarText(entry.value, key);
          else if (key === 'title' || key === 'template') definition[key] = reader.scalarText(entry.value, key);
        }
      }
    }
    definitions.push(definition);
  };
  if (node.kind === 'map') {
    for (const entry of node.entries) readOne(entry.key, entry.value);
    return definitions;
  }
  for (const item of reader.list(node, 'plots') ?? []) {
    if (item.kind === 'map') for (const entry of item.entries) readOne(entry.key, entry.value);
    else readOne(item, undefined);
  }
  return definitions;
}

function readAxis(reader: TreeReader, node: Tree, axis: string): unknown {
  if (node.kind === 'scalar') return reader.scalarText(node, axis);
  if (node.kind === 'seq') return reader.stringList(node, axis).map((item) => item.value);
  const result: Record<string, string | string[]> = {};
  for (const entry of node.entries) {
    const file = reader.string(entry.key, `A file in ${axis}`);
    const column =
      entry.value.kind === 'seq'
        ? reader.stringList(entry.value, axis).map((item) => item.value)
        : reader.scalarText(entry.value, axis);
    if (file !== undefined && column !== undefined) result[file] = column;
  }
  return result;
}

const artifactKeys = ['path', 'type', 'desc', 'labels', 'meta'];

export function readArtifacts(reader: TreeReader, node: Tree | undefined): ArtifactConfig[] {
  const map = node && reader.map(node, 'artifacts');
  if (!map) return [];
  const artifacts: ArtifactConfig[] = [];
  for (const entry of map.entries) {
    const name = reader.scalarText(entry.key, 'An artifact name');
    const body = reader.map(entry.value, `The artifact '${name ?? ''}'`);
    if (name === undefined || !body) continue;
    if (!/^[a-z0-9]([a-z0-9-/]*[a-z0-9])?$/.test(name)) {
      reader.report(
        entry.key,
        'warning',
        'invalidArtifactName',
        `Artifact names use lowercase letters, digits, - and /; '${name}' will be rejected by the model registry (gto).`,
      );
    }
    reader.checkKeys(body, artifactKeys, `the artifact '${name}'`);
    const read = (key: string) => body.entries.find((item) => entryKey(item) === key);
    const pathEntry = read('path');
    const path = pathEntry ? reader.string(pathEntry.value, 'path') : undefined;
    if (!pathEntry) {
      reader.report(entry.key, 'error', 'missingField', `The artifact '${name}' has no path; add the file it names.`);
    }
    const type = read('type');
    const desc = read('desc');
    const labels = read('labels');
    artifacts.push({
      name,
      path: path ?? '',
      ...(type ? { type: reader.string(type.value, 'type') } : {}),
      ...(desc ? { desc: reader.string(desc.value, 'desc') } : {}),
      ...(labels ? { labels: reader.stringList(labels.value, 'labels').map((item) => item.value) } : {}),
      position: entry.key.position,
    });
  }
  return artifacts;
}

export function readDatasets(reader: TreeReader, node: Tree | undefined): Array<Record<string, unknown>> {
  if (!node) return [];
  const datasets: Array<Record<string, unknown>> = [];
  for (const item of reader.list(node, 'datasets') ?? []) {
    const map: MapTree | undefined = reader.map(item, 'Each dataset');
    if (!map) continue;
    for (const required of ['name', 'type']) {
      if (!map.entries.some((entry) => entryKey(entry) === required)) {
        reader.report(item, 'error', 'missingField', `A dataset needs a ${required}; add it.`);
      }
    }
    datasets.push(unboxPythonFloats(treeToValue(map)) as Record<string, unknown>);
  }
  return datasets;
}
