// TableHead is a table's header row: one column header per name, numeric
// columns (right-aligned) named in num.

export function TableHead({ cols, num = [] }: { cols: string[]; num?: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th key={c} scope="col" class={num.includes(c) ? "num" : undefined}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
