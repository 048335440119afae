/** @jsxImportSource preact */

import { latLngToCell } from "h3-js";
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type Place, placeOfCell, placesInCell, searchPlaces } from "../shared/pricing/places";
import { AlertSettings } from "./alert-settings";
import { AlertStrip } from "./alerts";
import { ApiProblem, api, type LatLng, type Market } from "./api";
import { CellPanel } from "./cell-panel";
import { ExperimentsPanel } from "./experiments";
import { marketGeometry } from "./geometry";
import { LanguageSwitcher, useWords } from "./i18n";
import { KpiPanel } from "./kpis";
import { type LiveStatus, watchMarket } from "./live";
import { MarketEditor } from "./market-editor";
import { MarketMap } from "./market-map";
import { type QuoteEnd, QuoteTester } from "./quote-tester";
import { accessToken } from "./session";
import { SystemMode } from "./system-mode";

/**
 * The operator console: pick a market (kept in the URL's hash), watch its cells live, inspect
 * one, test quotes on it and edit its settings.
 */

type Tab = "cell" | "quote" | "kpis" | "market" | "experiments" | "alerts";
const TABS = ["cell", "quote", "kpis", "market", "experiments", "alerts"] as const satisfies readonly Tab[];

const marketInHash = () => decodeURIComponent(location.hash.replace(/^#\/?/, ""));

export function App() {
  const { t } = useWords();
  const [markets, setMarkets] = useState<Market[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [marketId, setMarketId] = useState(marketInHash());
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setLoadError(null);
    api
      .markets()
      .then(setMarkets)
      .catch((err: unknown) => setLoadError(err instanceof ApiProblem ? err.message : String(err)));
  }, [attempt]);

  useEffect(() => {
    const follow = () => setMarketId(marketInHash());
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);

  if (loadError)
    return (
      <Shell>
        <div class="notice error page-notice">
          <strong>{t("console.markets.failed")}</strong> {loadError}{" "}
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t("console.retry")}
          </button>
        </div>
      </Shell>
    );
  if (!markets) return <Shell>{<p class="empty page-notice">{t("console.markets.loading")}</p>}</Shell>;
  const held = tokenMarkets();
  if (markets.length === 0)
    return (
      <Shell>
        {held.includes("*") ? (
          <p class="empty page-notice">
            {t("console.markets.none")} <a href="/docs">/docs</a>
          </p>
        ) : (
          <p class="notice error page-notice" data-testid="no-access">
            {t("console.access.none", { markets: held.join(", ") || "–" })}
          </p>
        )}
      </Shell>
    );
  // A market this account may not watch (a link from a colleague, an old bookmark): say so, offer its own.
  if (marketId && !markets.some((m) => m.id === marketId))
    return (
      <Shell>
        <div class="notice error page-notice" data-testid="no-access">
          {t("console.access.market", { market: marketId })}{" "}
          {markets.map((m) => (
            <a key={m.id} href={`#/${m.id}`}>
              {m.name}
            </a>
          ))}
        </div>
      </Shell>
    );
  const market = markets.find((m) => m.id === marketId) ?? markets[0];
  if (!market) return null;
  return (
    <MarketConsole
      key={market.id}
      market={market}
      markets={markets}
      onSaved={(saved) => setMarkets(markets.map((m) => (m.id === saved.id ? saved : m)))}
    />
  );
}

/** The markets the session's token holds (its `mkts` claim; "*" for all), read from the token itself. */
function tokenMarkets(): string[] {
  try {
    const payload = JSON.parse(atob((accessToken() ?? "").split(".")[1]?.replace(/-/g, "+").replace(/_/g, "/") ?? "")) as {
      mkts?: string[];
    };
    return payload.mkts ?? [];
  } catch {
    return [];
  }
}

function Shell({
  children,
  controls,
  timeZone,
}: {
  children: ComponentChildren;
  controls?: ComponentChildren;
  timeZone?: string;
}) {
  const { t } = useWords();
  return (
    <div class="app">
      <header class="top">
        <div class="brand">
          <strong>Equilibrium</strong>
          <span>{t("console.tagline")}</span>
        </div>
        <div class="controls">
          {controls}
          <LanguageSwitcher />
          <SystemMode timeZone={timeZone} />
        </div>
      </header>
      {children}
    </div>
  );
}

function MarketConsole({ market, markets, onSaved }: { market: Market; markets: Market[]; onSaved(m: Market): void }) {
  const { t } = useWords();
  const geometry = useMemo(() => marketGeometry(market), [market]);
  const [multipliers, setMultipliers] = useState<ReadonlyMap<string, number>>(new Map());
  const [live, setLive] = useState<LiveStatus>({ state: "connecting" });
  const [tab, setTab] = useState<Tab>("cell");
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [pickup, setPickup] = useState<LatLng | undefined>(undefined);
  const [dropoff, setDropoff] = useState<LatLng | undefined>(undefined);
  const [nextEnd, setNextEnd] = useState<QuoteEnd>("pickup");
  const pending = useRef<{ reset: boolean; changes: Map<string, number> } | null>(null);

  useEffect(() => {
    let snapshotSeen = false;
    let frame = 0;
    // Changes arrive one message each: apply them once per frame, not once per message (a hidden
    // tab, which gets no frames, catches up in one go when shown). A snapshot replaces everything:
    // cells it does not list are back at 1.0.
    const queue = (changes: Array<{ cell: string; multiplier: number }>, reset = false) => {
      const batch = !pending.current || reset ? { reset, changes: new Map<string, number>() } : pending.current;
      for (const c of changes) batch.changes.set(c.cell, c.multiplier);
      pending.current = batch;
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        const next = pending.current;
        pending.current = null;
        if (next) setMultipliers((current) => new Map([...(next.reset ? [] : current), ...next.changes]));
      });
    };
    // The heatmap paints the map before the socket is up; the socket's snapshot then takes over.
    api
      .heatmap(market.id)
      .then((h) => !snapshotSeen && queue(h.cells))
      .catch(() => undefined);
    const stop = watchMarket(market.id, {
      status: setLive,
      message(m) {
        if (m.type === "snapshot") {
          snapshotSeen = true;
          queue(m.cells, true);
        } else if (m.type === "surge") queue([m]);
      },
    });
    return () => {
      stop();
      cancelAnimationFrame(frame);
      pending.current = null;
    };
  }, [market.id, market.version]);

  const pick = (at: LatLng, cell: string | undefined) => {
    if (tab === "quote") {
      if (nextEnd === "pickup") {
        setPickup(at);
        if (!dropoff) setNextEnd("dropoff");
      } else {
        setDropoff(at);
        if (!pickup) setNextEnd("pickup");
      }
      return;
    }
    if (!cell) return;
    setSelected(cell);
    setTab("cell");
  };

  const places = market.places ?? [];
  const placeByCell = useMemo(() => {
    const named = new Map<string, string>();
    for (const { cell } of geometry.cells) {
      const inside = placesInCell(places, cell, market.resolution);
      const name = inside.length > 0 ? inside.map((p) => p.name).join(" · ") : placeOfCell(places, cell, market.resolution)?.name;
      if (name) named.set(cell, name);
    }
    return named;
  }, [geometry, places, market.resolution]);
  const placeLabels = useMemo(
    () => places.map((p) => ({ id: p.id, name: p.name, kind: p.kind, at: geometry.project(p) })),
    [geometry, places],
  );
  const cap = market.surge.cap;
  const surging = [...multipliers].filter(([, m]) => m > 1);
  const hint = tab === "quote" ? t("console.map.hint.quote", { end: nextEnd }) : t("console.map.hint.cell");

  const marketSelect = (
    <label class="market-select">
      <span class="visually-hidden">{t("console.market")}</span>
      <select value={market.id} onChange={(e) => (location.hash = `/${e.currentTarget.value}`)}>
        {markets.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Shell
      timeZone={market.timezone}
      controls={
        <>
          {marketSelect}
          <LiveBadge status={live} />
        </>
      }
    >
      <main class="workspace">
        <section class="map-pane" aria-label={t("console.map.label")}>
          <div class="map-head">
            <span>{t("console.map.summary", { cells: market.cellCount, surging: surging.length, cap })}</span>
            <PlaceSearch
              places={places}
              onChoose={(place) => {
                setSelected(latLngToCell(place.lat, place.lng, market.resolution));
                setTab("cell");
              }}
            />
            <span class="muted">
              {market.currency} · {market.timezone}
            </span>
          </div>
          <AlertStrip marketId={market.id} />
          <MarketMap
            geometry={geometry}
            multipliers={multipliers}
            cap={cap}
            selected={selected}
            pickup={tab === "quote" ? pickup : undefined}
            dropoff={tab === "quote" ? dropoff : undefined}
            places={placeLabels}
            hint={hint}
            onPick={pick}
          />
        </section>
        <aside class="panel">
          <div class="tabs" role="tablist">
            {TABS.map((id) => (
              <button key={id} type="button" role="tab" aria-selected={tab === id} data-tab={id} onClick={() => setTab(id)}>
                {t(`console.tab.${id}`)}
              </button>
            ))}
          </div>
          {/* Panels stay mounted so that switching tabs keeps an unsaved edit or a quote. */}
          <div class="panel-body" role="tabpanel" hidden={tab !== "cell"}>
            <CellPanel
              cell={selected}
              centre={selected ? geometry.pointOf(selected) : undefined}
              liveMultiplier={selected ? (multipliers.get(selected) ?? 1) : 1}
              surging={surging}
              timeZone={market.timezone}
              placeOf={(cell) => placeByCell.get(cell)}
              onSelect={setSelected}
            />
          </div>
          <div class="panel-body" role="tabpanel" hidden={tab !== "quote"}>
            <QuoteTester
              market={market}
              pickup={pickup}
              dropoff={dropoff}
              next={nextEnd}
              onChoose={setNextEnd}
              onClear={() => {
                setPickup(undefined);
                setDropoff(undefined);
                setNextEnd("pickup");
              }}
            />
          </div>
          {tab === "kpis" && (
            <div class="panel-body" role="tabpanel">
              <KpiPanel market={market} />
            </div>
          )}
          <div class="panel-body" role="tabpanel" hidden={tab !== "market"}>
            <MarketEditor market={market} onSaved={onSaved} />
          </div>
          {tab === "experiments" && (
            <div class="panel-body" role="tabpanel">
              <ExperimentsPanel market={market} />
            </div>
          )}
          {tab === "alerts" && (
            <div class="panel-body" role="tabpanel">
              <AlertSettings market={market} cell={selected} />
            </div>
          )}
        </aside>
      </main>
    </Shell>
  );
}

function LiveBadge({ status }: { status: LiveStatus }) {
  const { t } = useWords();
  const text =
    status.state === "live"
      ? t("console.live.live")
      : status.state === "connecting"
        ? t("console.live.connecting")
        : status.state === "refused"
          ? t("console.live.refused")
          : t("console.live.reconnecting");
  const title =
    status.state === "waiting"
      ? t("console.live.lost", { attempt: status.attempt })
      : status.state === "refused"
        ? status.reason
        : t("console.live.feed");
  return (
    <span class={`live ${status.state}`} title={title} data-testid="live-status">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** Search the market's places by name (accents and case aside); choosing one selects its cell. */
function PlaceSearch({ places, onChoose }: { places: readonly Place[]; onChoose(place: Place): void }) {
  const { t } = useWords();
  const [query, setQuery] = useState("");
  const found = searchPlaces(places, query).slice(0, 8);
  if (places.length === 0) return null;
  return (
    <div class="place-search">
      <input
        type="search"
        placeholder={t("console.places.search")}
        aria-label={t("console.places.search")}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      {query.trim() !== "" && (
        <ul class="place-results" data-testid="place-results">
          {found.length === 0 && <li class="muted">{t("console.places.none")}</li>}
          {found.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class="quiet small"
                onClick={() => {
                  setQuery("");
                  onChoose(p);
                }}
              >
                {p.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
