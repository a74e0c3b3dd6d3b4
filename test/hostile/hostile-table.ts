/** One printed line of the hostile-input table. */
export interface CaseRow {
  name: string;
  outcome: string;
  goodCallMs: number | string;
  committed: string;
}

/** The table, one line per case: `case | outcome | good call ms | committed`. */
export function formatTable(title: string, rows: CaseRow[]): string {
  const width = Math.max(4, ...rows.map((row) => row.name.length));
  const lines = rows.map((row) => `${row.name.padEnd(width)} | ${row.outcome} | ${row.goodCallMs} | ${row.committed}`);
  const passed = rows.filter((row) => row.outcome.startsWith('ok')).length;
  return [`${title}: ${passed} of ${rows.length} ok`, `${'case'.padEnd(width)} | outcome | good call ms | committed`, ...lines].join('\n');
}
