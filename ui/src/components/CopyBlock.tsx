// CopyBlock shows a snippet with a button that copies it.

import { useState } from "preact/hooks";

export function CopyBlock({ label, text, testid }: { label: string; text: string; testid?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div class="copy-block">
      <div class="copy-head">
        <span class="small muted">{label}</span>
        <button type="button" onClick={copy} aria-label={`Copy ${label}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre class="snippet" data-testid={testid}>
        {text}
      </pre>
    </div>
  );
}
