import type { SqlDatabase } from './loadSqlJs';

/**
 * The tables and columns of one mlflow.db, discovered with PRAGMA table_info rather than assumed:
 * Alembic migrations added columns over the years (`deleted_time`, `storage_location`,
 * `workspace`, …) and three schema generations are in the wild (FORMATS.md 4).
 */
export class MlflowSqliteSchema {
  private constructor(private readonly tables: ReadonlyMap<string, ReadonlySet<string>>) {}

  static discover(database: SqlDatabase): MlflowSqliteSchema {
    const tables = new Map<string, Set<string>>();
    const names = database.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? [];
    for (const [name] of names) {
      if (typeof name !== 'string') continue;
      const columns = database.exec(`PRAGMA table_info(${quoteIdentifier(name)})`)[0];
      const nameIndex = columns?.columns.indexOf('name') ?? -1;
      tables.set(name, new Set((columns?.values ?? []).map((row) => String(row[nameIndex]))));
    }
    return new MlflowSqliteSchema(tables);
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    return this.tables.get(table)?.has(column) ?? false;
  }

  /** `column` when it exists, else `NULL AS column`, so one query fits every generation. */
  select(table: string, columns: readonly string[]): string {
    return columns
      .map((column) => (this.hasColumn(table, column) ? quoteIdentifier(column) : `NULL AS ${quoteIdentifier(column)}`))
      .join(', ');
  }

  /** `WHERE workspace = 'default'` for tables that gained the 2026 workspace column. */
  defaultWorkspaceFilter(table: string, prefix = 'WHERE'): string {
    return this.hasColumn(table, 'workspace') ? ` ${prefix} "workspace" = 'default'` : '';
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
