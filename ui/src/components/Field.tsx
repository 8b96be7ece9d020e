// Form fields whose label is exactly their name (label + for), with an
// optional hint tied by aria-describedby.

import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export interface TextFieldProps {
  label: string;
  value: string;
  onValue: (v: string) => void;
  type?: string;
  required?: boolean;
  hint?: ComponentChildren;
  placeholder?: string;
  list?: string;
  autoComplete?: string;
  readOnly?: boolean;
}

export function TextField({ label, value, onValue, type = "text", required, hint, placeholder, list, autoComplete, readOnly }: TextFieldProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        list={list}
        autoComplete={autoComplete}
        readOnly={readOnly}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      />
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function Checkbox({ label, checked, onChange, disabled }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <span class="check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </span>
  );
}
