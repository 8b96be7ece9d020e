// Progress of a command or activity from its last heartbeat: a bar (when
// the total is known) and "12,345 / 100,000 docs · 8,100/s · ETA 11 s".

import { percent, progressText } from "../lib/format";
import type { Progress } from "../lib/types";

export function ProgressView({ progress, label }: { progress?: Progress; label?: string }) {
  if (!progress) return null;
  const pct = percent(progress);
  const text = progressText(progress);
  const name = label ?? (progress.step ? `Progress of ${progress.step}` : "Progress");
  return (
    <div class="progress">
      {pct !== undefined ? (
        <div
          class="bar"
          role="progressbar"
          aria-label={name}
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done ?? 0}
          aria-valuetext={`${Math.floor(pct)}%`}
        >
          <div class="fill" style={{ width: `${pct}%` }} />
        </div>
      ) : (
        <div class="bar indeterminate" role="progressbar" aria-label={name} aria-valuetext={text}>
          <div class="fill" />
        </div>
      )}
      <span class="progress-text" data-testid="progress-text">
        {progress.step ? <span class="step">{progress.step}</span> : null}
        {pct !== undefined ? <span class="pct">{Math.floor(pct)}%</span> : null}
        <span>{text}</span>
      </span>
    </div>
  );
}
