// Editing an index mapping per field, as the hub does: "searchable" off is
// `index: false`; "search by default" on is `copy_to: ["all"]`.

import type { FieldInfo, Mapping } from "./types";

export const DEFAULT_SEARCH_FIELD = "all";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** fields lists the leaf fields of a mapping by dotted path, sorted. */
export function fields(mapping: Mapping | null | undefined): FieldInfo[] {
  const out: FieldInfo[] = [];
  const walk = (props: Obj, prefix: string) => {
    for (const [name, v] of Object.entries(props)) {
      if (!isObj(v)) continue;
      const path = prefix + name;
      if (isObj(v.properties)) {
        walk(v.properties, path + ".");
        continue;
      }
      const copyTo = Array.isArray(v.copy_to) ? v.copy_to : typeof v.copy_to === "string" ? [v.copy_to] : [];
      out.push({
        path,
        type: typeof v.type === "string" ? v.type : "object",
        searchable: v.index !== false && v.enabled !== false,
        searched_by_default: copyTo.includes(DEFAULT_SEARCH_FIELD),
      });
    }
  };
  if (mapping) walk(isObj(mapping.properties) ? mapping.properties : mapping, "");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** leaf returns a copy of the mapping and the (copied) leaf at path in it. */
function withLeaf(mapping: Mapping, path: string): [Mapping, Obj] {
  const root = structuredClone(mapping);
  let props: Obj = isObj(root.properties) ? root.properties : root;
  const names = path.split(".");
  let leaf: Obj | undefined;
  names.forEach((name, i) => {
    const f = props[name];
    if (!isObj(f)) throw new Error(`no field ${path} in the mapping`);
    if (i === names.length - 1) leaf = f;
    else if (isObj(f.properties)) props = f.properties;
    else throw new Error(`no field ${path} in the mapping`);
  });
  return [root, leaf!];
}

/** setSearchable returns the mapping with the field searchable or not. */
export function setSearchable(mapping: Mapping, path: string, on: boolean): Mapping {
  const [root, f] = withLeaf(mapping, path);
  if (on) delete f.index;
  else f.index = false;
  return root;
}

/** setSearchByDefault returns the mapping with the field copied to "all" or not. */
export function setSearchByDefault(mapping: Mapping, path: string, on: boolean): Mapping {
  const [root, f] = withLeaf(mapping, path);
  const copyTo = (Array.isArray(f.copy_to) ? f.copy_to : typeof f.copy_to === "string" ? [f.copy_to] : []).filter(
    (x) => x !== DEFAULT_SEARCH_FIELD,
  );
  if (on) copyTo.push(DEFAULT_SEARCH_FIELD);
  if (copyTo.length > 0) f.copy_to = copyTo;
  else delete f.copy_to;
  return root;
}
