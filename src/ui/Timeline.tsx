import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { Timeline as TimelineData, TimelineStream } from '../pipeline/timeline';
import type { QueueItem } from '../state/queue';
import { useStore } from '../state/store';
import { formatScore, formatSeconds, scoreTicks, timeTicks } from './chart';

const STREAM_NAMES: Record<TimelineStream, string> = { joint: 'joint (RGB + flow)', rgb: 'RGB', flow: 'flow' };
const HEIGHT = 180;
const PAD = { left: 52, right: 12, top: 10, bottom: 30 };

/** Keeps the chart as wide as its box (pixel coordinates keep the labels readable at any width). */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(200, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

interface Point {
  cls: number;
  step: number;
}

/**
 * The top classes' scores at every feature step of one finished video, for the stream chosen. Hovering or moving
 * with the arrow keys (left/right: time, up/down: class) shows a point's class, time and score; a click, Enter or
 * Space shows the video's frame at that time.
 */
export function Timeline({ item, timeline }: { item: QueueItem; timeline: TimelineData }) {
  const streams = (['joint', 'rgb', 'flow'] as const).filter((s) => timeline.scores[s] !== undefined);
  const [stream, setStream] = useState<TimelineStream>(streams[0] ?? 'joint');
  const [active, setActive] = useState<Point | null>(null);
  const [ref, width] = useWidth();
  const frame = useStore((s) => s.frames[item.id]);
  const showFrame = useStore((s) => s.showFrame);
  const id = useId();
  const series = timeline.scores[stream] ?? [];
  const times = timeline.times;
  const steps = Math.min(times.length, series[0]?.length ?? 0);

  if (steps === 0 || streams.length === 0) return null;

  const max = Math.max(...series.flatMap((s) => s.slice(0, steps)));
  const yTicks = scoreTicks(max);
  const yTop = yTicks[yTicks.length - 1];
  const t0 = times[0];
  const t1 = times[steps - 1];
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * plotW : plotW / 2);
  const y = (v: number) => PAD.top + plotH - (v / yTop) * plotH;
  const xTicks = timeTicks(t0, t1, Math.max(2, Math.floor(plotW / 80)));

  const describe = (p: Point) => `${timeline.classes[p.cls].name}: ${formatScore(series[p.cls][p.step])} at ${formatSeconds(times[p.step])}`;
  const open = (p: Point) => {
    setActive(p);
    void showFrame(item.id, times[p.step]);
  };
  const onKey = (e: KeyboardEvent) => {
    const p = active ?? { cls: 0, step: 0 };
    const moves: Record<string, Point> = {
      ArrowRight: { ...p, step: Math.min(steps - 1, p.step + (active ? 1 : 0)) },
      ArrowLeft: { ...p, step: Math.max(0, p.step - (active ? 1 : 0)) },
      ArrowUp: { ...p, cls: Math.max(0, p.cls - (active ? 1 : 0)) },
      ArrowDown: { ...p, cls: Math.min(series.length - 1, p.cls + (active ? 1 : 0)) },
      Home: { ...p, step: 0 },
      End: { ...p, step: steps - 1 },
    };
    if (moves[e.key]) {
      e.preventDefault();
      setActive(moves[e.key]);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(p);
    }
  };

  return (
    <section className="timeline" data-testid="timeline" aria-labelledby={`${id}-title`}>
      <div className="timeline-head">
        <h4 id={`${id}-title`}>Scores over time</h4>
        <label>
          Stream{' '}
          <select
            value={stream}
            onChange={(e) => {
              setStream(e.target.value as TimelineStream);
              setActive(null);
            }}
            data-testid="timeline-stream"
          >
            {streams.map((s) => (
              <option key={s} value={s}>
                {STREAM_NAMES[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ul className="legend" aria-label="Classes shown">
        {timeline.classes.map((c, i) => (
          <li key={c.index}>
            <span className={`swatch series-${i + 1}`} aria-hidden="true" /> {c.name}
          </li>
        ))}
      </ul>
      <div
        ref={ref}
        className="chart"
        tabIndex={0}
        role="group"
        aria-label={`Scores of the top ${timeline.classes.length} classes over ${formatSeconds(t1)}, ${STREAM_NAMES[stream]} stream`}
        aria-describedby={`${id}-help`}
        onKeyDown={onKey}
        data-testid="timeline-chart"
      >
        <svg width={width} height={HEIGHT} aria-hidden="true" onMouseLeave={() => setActive(null)}>
          {yTicks.map((v) => (
            <g key={v} className="tick">
              <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v)} dy="0.32em" textAnchor="end">
                {formatScore(v)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={t} className="tick" x={x(t)} y={HEIGHT - 8} textAnchor="middle">
              {`${+t.toFixed(2)} s`}
            </text>
          ))}
          {series.map((s, c) => (
            <polyline
              key={c}
              className={`line series-${c + 1}`}
              points={s
                .slice(0, steps)
                .map((v, t) => `${x(times[t])},${y(v)}`)
                .join(' ')}
            />
          ))}
          {series.map((s, c) =>
            s
              .slice(0, steps)
              .map((v, t) => (
                <circle
                  key={`${c}-${t}`}
                  className={`point series-${c + 1}${active?.cls === c && active.step === t ? ' active' : ''}`}
                  cx={x(times[t])}
                  cy={y(v)}
                  r={active?.cls === c && active.step === t ? 6 : 4}
                  data-testid="timeline-point"
                  data-class={timeline.classes[c].name}
                  data-class-index={timeline.classes[c].index}
                  data-step={t}
                  data-time={times[t]}
                  data-score={v}
                  onMouseEnter={() => setActive({ cls: c, step: t })}
                  onClick={() => open({ cls: c, step: t })}
                />
              )),
          )}
        </svg>
      </div>
      <p id={`${id}-help`} className="dim hint">
        Hover a point, or focus the chart and use the arrow keys; click or press Enter to see the frame.
      </p>
      <p className="readout" aria-live="polite" data-testid="timeline-readout">
        {active ? describe(active) : '\u00a0'}
      </p>
      {frame ? (
        <figure className="frame" data-testid="timeline-frame-box">
          {frame.url ? <img src={frame.url} alt={`frame of ${item.name} at ${formatSeconds(frame.seconds)}`} data-testid="timeline-frame" /> : null}
          <figcaption>
            {frame.loading
              ? `Decoding the frame at ${formatSeconds(frame.seconds)}…`
              : frame.error
                ? frame.error
                : `${item.name} at ${formatSeconds(frame.seconds)}`}
          </figcaption>
        </figure>
      ) : null}
    </section>
  );
}
