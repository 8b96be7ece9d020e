// A data plugin from a file URL: the shapes of POST /dataplugin/new/preview
// and /dataplugin/new, and the pure helpers of the "New plugin from a file"
// page (the page re-runs the preview on every change).

import type { components } from "./api.gen";

type Schemas = components["schemas"];

// The shapes are the hub API's (its OpenAPI document, generated into api.gen.ts).
export type GenField = Schemas["GenField"];
export type GenCondition = Schemas["GenCondition"];
export type GenOptions = Schemas["GenOptions"];
export type GenColumn = Schemas["GenColumn"];
export type GenPlan = Schemas["GenPlan"];
export type GenSaved = Schemas["GenSaved"];

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
