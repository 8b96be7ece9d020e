// BarChart draws a bar chart with Chart.js, loaded on first use so that
// pages without charts do not carry it. The canvas is an image named by
// its label; the numbers are also in a table beside it, for screen readers
// and for copying.

import { useEffect, useRef, useState } from "preact/hooks";

export interface Series {
  label: string;
  values: number[];
  color?: string;
}

export interface BarChartProps {
  /** label names the chart (its accessible name and the table caption). */
  label: string;
  categories: string[];
  series: Series[];
  horizontal?: boolean;
  /** onPick is called with a category's index when its bar is clicked. */
  onPick?: (i: number) => void;
  testid?: string;
}

const COLORS = ["#2457c5", "#d98300", "#1f8a4c", "#c62f2f", "#7b4bc4"];

type ChartModule = typeof import("../lib/chartjs");
let chartModule: Promise<ChartModule> | undefined;

/** loadChart imports Chart.js (the parts bar charts use) once. */
function loadChart(): Promise<ChartModule> {
  chartModule ??= import("../lib/chartjs");
  return chartModule;
}

export function BarChart({ label, categories, series, horizontal, onPick, testid }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string>();
  const pick = useRef(onPick);
  pick.current = onPick;
  const key = JSON.stringify([categories, series, horizontal]);

  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let gone = false;
    loadChart().then(
      ({ Chart }) => {
        if (gone || !canvas.current) return;
        chart = new Chart(canvas.current, {
          type: "bar",
          data: {
            labels: categories,
            datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: s.color ?? COLORS[i % COLORS.length] })),
          },
          options: {
            indexAxis: horizontal ? "y" : "x",
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            plugins: { legend: { display: series.length > 1 } },
            onClick: (_e, els) => {
              if (els.length && pick.current) pick.current(els[0].index);
            },
          },
        });
        canvas.current.dataset.ready = "true";
      },
      (e: unknown) => setError(`the chart library did not load: ${(e as Error).message}`),
    );
    return () => {
      gone = true;
      chart?.destroy();
    };
  }, [key]);

  const height = horizontal ? Math.max(8, categories.length * 1.6 + 3) : 14;
  return (
    <figure class="chart" data-testid={testid}>
      <div class="chart-box" style={{ height: `${height}rem` }}>
        <canvas ref={canvas} role="img" aria-label={`${label}: ${categories.length} bars`} />
      </div>
      {error && <p class="error-text">{error}</p>}
      <details class="chart-data">
        <summary>Data of “{label}”</summary>
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">Value</th>
              {series.map((s) => (
                <th scope="col" class="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr>
                <th scope="row">{c}</th>
                {series.map((s) => (
                  <td class="num">{s.values[i]?.toLocaleString()}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
