/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { ApiProblem, api, type Experiment, type ExperimentInput, type ExperimentResults, type Market, type Replay } from "./api";

/**
 * A market's pricing experiments: define a switchback (a control on the market's curve against
 * a variant), see each one's results with their intervals drawn, stop it; and replay a recent
 * period through candidate settings against what was live.
 */
export function ExperimentsPanel({ market }: { market: Market }) {
  const [experiments, setExperiments] = useState<Experiment[] | null>(null);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    api
      .experiments(market.id)
      .then((list) => {
        setExperiments(list);
        setSelected((s) => s ?? list[0]?.id);
      })
      .catch((err: unknown) => setError(describe(err)));
  }, [market.id, reload]);

  return (
    <section class="experiments" aria-label="Experiments">
      <h2>Experiments</h2>
      {error && <p class="error">{error}</p>}
      {experiments === null && !error && <p class="empty">Loading experiments…</p>}
      {experiments && experiments.length === 0 && <p class="empty">No experiments in this market yet.</p>}
      {experiments && experiments.length > 0 && (
        <ul class="experiment-list" data-testid="experiment-list">
          {experiments.map((e) => (
            <li key={e.id}>
              <button type="button" class={selected === e.id ? "quiet active" : "quiet"} onClick={() => setSelected(e.id)}>
                <strong>{e.name}</strong> <code>{e.id}</code> <span class={`status ${e.status}`}>{e.status}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && experiments?.some((e) => e.id === selected) && (
        <Results
          key={`${selected}:${reload}`}
          experiment={experiments.find((e) => e.id === selected) as Experiment}
          onStopped={() => setReload((n) => n + 1)}
        />
      )}
      <NewExperiment
        market={market}
        onCreated={(id) => {
          setSelected(id);
          setReload((n) => n + 1);
        }}
      />
      <ReplayForm market={market} />
    </section>
  );
}

function describe(err: unknown): string {
  return err instanceof ApiProblem ? err.message : String(err);
}

const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(digits)}%`);
const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "–" : x.toFixed(digits));

function Results({ experiment, onStopped }: { experiment: Experiment; onStopped(): void }) {
  const [results, setResults] = useState<ExperimentResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .results(experiment.id)
      .then((r) => setResults(r as ExperimentResults))
      .catch((err: unknown) => setError(describe(err)));
  }, [experiment.id]);

  const stop = async () => {
    setBusy(true);
    try {
      await api.stopExperiment(experiment.id);
      onStopped();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="experiment-results" data-testid="experiment-results">
      <p class="meta">
        {experiment.mode} {experiment.design}, {experiment.windowMinutes}-minute windows ({experiment.burnInMinutes} min burn-in),
        units at resolution {experiment.unitResolution}; {new Date(experiment.from).toLocaleString()} –{" "}
        {new Date(experiment.to).toLocaleString()}
        {experiment.stopReason && <> · stopped: {experiment.stopReason}</>}
      </p>
      {(experiment.status === "running" || experiment.status === "scheduled") && (
        <button type="button" disabled={busy} onClick={stop}>
          Stop experiment
        </button>
      )}
      {error && <p class="error">{error}</p>}
      {!results && !error && <p class="empty">Computing results…</p>}
      {results && (
        <>
          <table class="breakdown" data-testid="experiment-variants">
            <thead>
              <tr>
                <th>variant</th>
                <th>unit-windows</th>
                <th>conversion</th>
                <th>multiplier</th>
                <th>revenue</th>
              </tr>
            </thead>
            <tbody>
              {results.variants.map((v) => (
                <tr key={v.id}>
                  <th>{v.id}</th>
                  <td>{v.unitWindows}</td>
                  <td>{pct(v.metrics.conversion)}</td>
                  <td>{num(v.metrics.multiplier, 2)}</td>
                  <td>{num(v.metrics.revenue, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>
            Effect on {results.primaryMetric} ({Math.round(results.level * 100)}% intervals)
          </h3>
          <EffectChart results={results} />
          {results.sampleRatio && (
            <p class={results.sampleRatio.mismatch ? "error" : "meta"} data-testid="experiment-srm">
              Sample ratio: χ² {results.sampleRatio.chiSquare.toFixed(2)}, p {results.sampleRatio.p.toFixed(3)}
              {results.sampleRatio.mismatch
                ? " — mismatch: do not trust the effects until it is explained"
                : " — as the weights promise"}
            </p>
          )}
          {results.guardrails.map((g) => (
            <p key={`${g.metric}:${g.variant}`} class={g.breached ? "error" : "meta"}>
              Guardrail {g.metric} ({g.variant}, worse if {g.worseIf} by more than {pct(g.tolerance, 0)}):{" "}
              {g.breached ? "breached" : "holding"}
            </p>
          ))}
          <details>
            <summary>Method and assumptions</summary>
            <p class="meta">{results.method.clusterRobust}</p>
            <p class="meta">{results.method.permutation}</p>
            <ul>
              {results.assumptions.map((a) => (
                <li key={a} class="meta">
                  {a}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </div>
  );
}

/** Each variant's effect as a point with its cluster-robust and permutation intervals, around zero. */
function EffectChart({ results }: { results: ExperimentResults }) {
  const effects = results.effects;
  if (effects.every((e) => e.estimate === null))
    return <p class="empty">No data yet: effects appear once readings and quotes reach history.</p>;
  const ends = effects.flatMap((e) => [
    ...(e.clusterRobust?.ci ?? []),
    ...(e.permutation?.ci.filter(Number.isFinite) ?? []),
    e.estimate ?? 0,
  ]);
  const lo = Math.min(0, ...ends);
  const hi = Math.max(0, ...ends);
  const span = hi - lo || 1;
  const width = 300;
  const x = (v: number) => 10 + ((v - lo) / span) * (width - 20);
  const rowHeight = 34;
  return (
    <svg
      class="effect-chart"
      viewBox={`0 0 ${width} ${effects.length * rowHeight + 20}`}
      role="img"
      aria-label="Effects with intervals"
      data-testid="effect-chart"
    >
      <line x1={x(0)} x2={x(0)} y1={0} y2={effects.length * rowHeight + 4} stroke="currentColor" stroke-dasharray="3 3" />
      {effects.map((e, i) => {
        const y = i * rowHeight + 14;
        const cr = e.clusterRobust?.ci;
        const perm = e.permutation?.ci;
        return (
          <g key={e.variant}>
            <text x={4} y={y - 4} font-size="9">
              {e.variant} vs {e.control}: {num(e.estimate)} (p {num(e.clusterRobust?.p)} / perm. {num(e.permutation?.p)})
            </text>
            {cr && <line x1={x(cr[0])} x2={x(cr[1])} y1={y + 4} y2={y + 4} stroke="#2563eb" stroke-width="3" />}
            {perm && Number.isFinite(perm[0]) && Number.isFinite(perm[1]) && (
              <line x1={x(perm[0])} x2={x(perm[1])} y1={y + 10} y2={y + 10} stroke="#f97316" stroke-width="3" />
            )}
            {e.estimate !== null && <circle cx={x(e.estimate)} cy={y + 7} r={3.5} fill="currentColor" />}
          </g>
        );
      })}
      <text x={4} y={effects.length * rowHeight + 16} font-size="8">
        blue: cluster-robust · orange: permutation · dashed: no effect
      </text>
    </svg>
  );
}

function NewExperiment({ market, onCreated }: { market: Market; onCreated(id: string): void }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("steeper curve");
  const [mode, setMode] = useState<"live" | "shadow">("shadow");
  const [sensitivity, setSensitivity] = useState(String(Math.min(10, market.surge.sensitivity * 2)));
  const [windowMinutes, setWindowMinutes] = useState("30");
  const [burnIn, setBurnIn] = useState("5");
  const [hours, setHours] = useState("24");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const now = Date.now();
    const body: ExperimentInput = {
      market: market.id,
      name,
      design: "switchback",
      windowMinutes: Number(windowMinutes),
      burnInMinutes: Number(burnIn),
      unitResolution: Math.max(0, market.resolution - 1),
      variants: [
        { id: "control", weight: 1 },
        { id: "treatment", weight: 1, surge: { sensitivity: Number(sensitivity) } },
      ],
      mode,
      from: new Date(now).toISOString(),
      to: new Date(now + Number(hours) * 3_600_000).toISOString(),
      primaryMetric: mode === "shadow" ? "multiplier" : "conversion",
      guardrails: [],
    };
    try {
      await api.putExperiment(id, body);
      onCreated(id);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="fields experiment-form" onSubmit={submit} data-testid="experiment-form">
      <h3>New switchback: the market's curve against a steeper or gentler one</h3>
      <label class="field">
        Id
        <input name="experiment-id" value={id} onInput={(e) => setId(e.currentTarget.value)} placeholder="steeper-curve" />
      </label>
      <label class="field">
        Name
        <input name="experiment-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        Mode
        <select name="experiment-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as "live" | "shadow")}>
          <option value="shadow">shadow (computed, not charged)</option>
          <option value="live">live (charged)</option>
        </select>
      </label>
      <label class="field">
        Treatment sensitivity
        <input
          name="experiment-sensitivity"
          inputMode="decimal"
          value={sensitivity}
          onInput={(e) => setSensitivity(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        Window (min)
        <input
          name="experiment-window"
          inputMode="numeric"
          value={windowMinutes}
          onInput={(e) => setWindowMinutes(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        Burn-in (min)
        <input name="experiment-burn-in" inputMode="numeric" value={burnIn} onInput={(e) => setBurnIn(e.currentTarget.value)} />
      </label>
      <label class="field">
        Hours
        <input name="experiment-hours" inputMode="numeric" value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy || id === ""}>
        Start
      </button>
      {error && (
        <p class="error" data-testid="experiment-error">
          {error}
        </p>
      )}
    </form>
  );
}

function ReplayForm({ market }: { market: Market }) {
  const [minutes, setMinutes] = useState("60");
  const [sensitivity, setSensitivity] = useState(String(market.surge.sensitivity));
  const [cap, setCap] = useState(String(market.surge.cap));
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const to = Date.now();
    try {
      setReplay(
        await api.replay(market.id, {
          from: new Date(to - Number(minutes) * 60_000).toISOString(),
          to: new Date(to).toISOString(),
          candidate: { sensitivity: Number(sensitivity), cap: Number(cap) },
          flapMinutes: 3,
        }),
      );
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const rows: Array<[string, Replay["live"]["recorded"]]> = replay
    ? [
        ["live (recorded)", replay.live.recorded],
        ["live settings, replayed", replay.live.replayed],
        ["candidate", replay.candidate.profile],
      ]
    : [];
  return (
    <form class="fields replay-form" onSubmit={run} data-testid="replay-form">
      <h3>Replay recorded events through other settings</h3>
      <label class="field">
        Last minutes
        <input name="replay-minutes" inputMode="numeric" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
      </label>
      <label class="field">
        Sensitivity
        <input
          name="replay-sensitivity"
          inputMode="decimal"
          value={sensitivity}
          onInput={(e) => setSensitivity(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        Cap
        <input name="replay-cap" inputMode="decimal" value={cap} onInput={(e) => setCap(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Replay
      </button>
      {error && <p class="error">{error}</p>}
      {replay && (
        <table class="breakdown" data-testid="replay-comparison">
          <thead>
            <tr>
              <th />
              <th>cell-min</th>
              <th>mean</th>
              <th>p90</th>
              <th>max</th>
              <th>at cap</th>
              <th>changes/h</th>
              <th>flaps/h</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, p]) => (
              <tr key={label}>
                <th>{label}</th>
                <td>{p.cellMinutes}</td>
                <td>{num(p.mean, 2)}</td>
                <td>{num(p.p90, 1)}</td>
                <td>{num(p.max, 1)}</td>
                <td>{pct(p.timeAtCap)}</td>
                <td>{num(p.changesPerHour, 1)}</td>
                <td>{num(p.flapsPerHour, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {replay && (
        <p class="meta">
          {replay.events} recorded events replayed (with {replay.warmUpSeconds} s of warm-up).
        </p>
      )}
    </form>
  );
}
