// A data plugin from a file URL: the shapes of POST /dataplugin/new/preview
// and /dataplugin/new, and the pure helpers of the "New plugin from a file"
// page (the page re-runs the preview on every change).

export interface GenField {
  column: string;
  path: string;
  type: string; // "" (as read), str, int, float, bool, list
  keep: boolean;
  null?: string[];
}

export interface GenCondition {
  column: string;
  op: string; // empty, not_empty, eq, ne, regex
  value?: string;
}

export interface GenOptions {
  name: string;
  format: string;
  delimiter?: string;
  skip_lines?: number;
  id: string;
  skip_empty_id: boolean;
  root: string;
  fields: GenField[];
  skip?: GenCondition[];
  group: boolean;
  adjacent?: boolean;
}

export interface GenColumn {
  name: string;
  type: string;
  empty: number;
  distinct: number;
  unique: boolean;
  examples?: string[];
}

export interface GenPlan {
  sample: { url: string; name: string; data_file: string; compression: string; bytes: number; lines: number; truncated: boolean; limit: string };
  inferred: { format: string; delimiter?: string; rows: number; columns: GenColumn[]; id_candidates: string[] | null };
  options: GenOptions;
  manifest: Record<string, unknown>;
  preview: {
    parser: Record<string, unknown>;
    columns: string[];
    rows: unknown[][];
    stats: { rows: number; docs: number; rejected: number; skipped: number; reject_samples: string[] };
    warnings: string[];
  };
}

export interface GenSaved {
  name: string;
  written: { dir: string; commit: string; changed: boolean };
  dump: { id: string; run_id: string };
}

export const TYPES: [string, string][] = [
  ["", "as read"],
  ["str", "text"],
  ["int", "integer"],
  ["float", "number"],
  ["bool", "yes/no"],
  ["list", "list"],
];

export const OPS: [string, string][] = [
  ["empty", "is empty"],
  ["not_empty", "is not empty"],
  ["eq", "equals"],
  ["ne", "differs from"],
  ["regex", "matches"],
];

/** idColumn is the column an _id template names alone, or "" for another template. */
export function idColumn(template: string): string {
  const m = /^\{([^{}]+)\}$/.exec(template);
  return m ? m[1] : "";
}

/**
 * reshaped says whether a change of options changes the columns themselves
 * (format, delimiter, lines skipped): the fields must then be inferred anew.
 */
export function reshaped(a: GenOptions, b: GenOptions): boolean {
  return a.format !== b.format || (a.delimiter ?? "") !== (b.delimiter ?? "") || (a.skip_lines ?? 0) !== (b.skip_lines ?? 0);
}

/** cellText writes a preview cell: text as it is, other values as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** typeName is how a type is shown. */
export function typeName(t: string): string {
  return TYPES.find(([v]) => v === t)?.[1] ?? t;
}
