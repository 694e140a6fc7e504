import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

export type SqlJs = initSqlJs.SqlJsStatic;
export type SqlDatabase = initSqlJs.Database;

/** A typed, expected failure: the sql.js wasm binary is not where mlc looked. */
export class SqlWasmNotFoundError extends Error {
  readonly code = 'sqlWasmNotFound';
  constructor(readonly searched: readonly string[]) {
    super(`sql-wasm.wasm not found (looked in ${searched.join(', ')})`);
  }
}

/**
 * Where sql.js's wasm is: the explicit path if given, else next to the bundle (`dist/sql-wasm.wasm`,
 * copied by scripts/build.mjs; workers live one folder down in `dist/workers/`), then the
 * package itself when running from sources.
 */
export function locateSqlWasm(explicitPath?: string): { path?: string; searched: string[] } {
  // An explicit path is authoritative: silently using another copy would hide a wrong setting.
  if (explicitPath)
    return existsSync(explicitPath) ? { path: explicitPath, searched: [explicitPath] } : { searched: [explicitPath] };
  const candidates: string[] = [];
  if (typeof __dirname === 'string') {
    candidates.push(join(__dirname, 'sql-wasm.wasm'), join(__dirname, '..', 'sql-wasm.wasm'));
  }
  try {
    candidates.push(require.resolve('sql.js/dist/sql-wasm.wasm'));
  } catch {
    // Not resolvable from a bundle without node_modules: the bundle locations above apply.
  }
  const path = candidates.find((candidate) => existsSync(candidate));
  return path ? { path, searched: candidates } : { searched: candidates };
}

const loaded = new Map<string, Promise<SqlJs>>();

/**
 * Initialises sql.js once per wasm path, lazily: nothing is loaded until the first MLflow
 * database is read. Rejects with SqlWasmNotFoundError when the wasm is missing.
 */
export function loadSqlJs(explicitWasmPath?: string): Promise<SqlJs> {
  const { path, searched } = locateSqlWasm(explicitWasmPath);
  if (!path) return Promise.reject(new SqlWasmNotFoundError(searched));
  let pending = loaded.get(path);
  if (!pending) {
    const wasmBinary = readFileSync(path);
    const binary = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength);
    pending = initSqlJs({ wasmBinary: binary as ArrayBuffer });
    // A failed initialisation is not cached, so a fixed installation works without a restart.
    pending.catch(() => loaded.delete(path));
    loaded.set(path, pending);
  }
  return pending;
}
