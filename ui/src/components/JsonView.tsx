// JsonView shows a document as collapsible JSON: objects and lists are
// <details> (open to depth 2), so the keyboard and screen readers fold
// them natively.

import type { ComponentChildren } from "preact";

function Leaf({ value }: { value: unknown }) {
  const cls = value === null ? "json-null" : `json-${typeof value}`;
  return <span class={cls}>{JSON.stringify(value)}</span>;
}

function Node({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const label: ComponentChildren = name !== undefined ? <span class="json-key">{JSON.stringify(name)}: </span> : null;
  if (value === null || typeof value !== "object") {
    return (
      <div class="json-line">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const list = Array.isArray(value);
  const entries: [string | undefined, unknown][] = list ? (value as unknown[]).map((v) => [undefined, v]) : Object.entries(value as object);
  return (
    <details open={depth < 2} class="json-node">
      <summary>
        {label}
        {list ? `[${entries.length}]` : `{${entries.length}}`}
      </summary>
      <div class="json-children">
        {entries.map(([k, v]) => (
          <Node name={k} value={v} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}

export function JsonView({ value }: { value: unknown }) {
  return (
    <div class="json-view" data-testid="json-view">
      <Node value={value} depth={0} />
    </div>
  );
}
