// The progress bar of `lethe simulate` (cli-progress): simulated date, events/s, violations so far.
import cliProgress from 'cli-progress';
import type { SimulationProgress } from './simulation.js';

export interface ProgressBar {
  update(progress: SimulationProgress): void;
  stop(): void;
}

/** A bar over the simulated span [start, end] on stderr; without a terminal it prints a line every 30 s. */
export function simulationProgressBar(start: string, end: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const from = Date.parse(start);
  const totalHours = Math.max(1, Math.round((Date.parse(end) - from) / 3_600_000));
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {date} | {eps} events/s | {violations} violations | {elapsed}',
      hideCursor: true,
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 30_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let last = { wallMs: 0, events: 0 };
  let eps = 0;
  const payload = (p: SimulationProgress | null) => ({
    date: p ? p.now.toISOString().slice(0, 10) : start.slice(0, 10),
    eps,
    violations: p?.violations ?? 0,
    elapsed: p ? `${Math.round(p.wallMs / 1000)} s` : '0 s',
  });
  bar.start(totalHours, 0, payload(null));
  return {
    update: (p) => {
      if (p.wallMs - last.wallMs >= 1000) {
        eps = Math.round(((p.events - last.events) * 1000) / (p.wallMs - last.wallMs));
        last = { wallMs: p.wallMs, events: p.events };
      }
      bar.update(Math.round((p.now.getTime() - from) / 3_600_000), payload(p));
    },
    stop: () => bar.stop(),
  };
}
