/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatMoney, knownCurrencies } from "../shared/pricing/money";
import { ApiProblem, api, type Market, type MarketInput } from "./api";

/**
 * The market editor: products, fares, surge and trip settings. The API validates (one schema,
 * on the server); a rejected save shows each error beside its field, by the error's dotted
 * path, and changes nothing: the market keeps its version and the map its data. The banner
 * lists every error by its field's name and takes the operator to it. The geofence is GeoJSON in
 * a text area (drawing shapes belongs in a GIS tool); its faults are listed beside it, each with
 * the ring and position it is about. A market that is done is archived (with a reason), then
 * deleted by an admin; its history stays.
 */

type Kind = "text" | "number" | "integer" | "money" | "boolean" | "currency";
interface FieldSpec {
  key: string;
  label: string;
  kind: Kind;
  /** A hint under the field; a function when it depends on other fields. */
  help?: string | ((values: Draft) => string);
  /** Left empty, the field is left out and the API applies its default. */
  optional?: boolean;
  /** Takes a whole row: names are long. */
  wide?: boolean;
}

const GENERAL: FieldSpec[] = [
  { key: "name", label: "Name", kind: "text", wide: true },
  { key: "currency", label: "Currency", kind: "currency" },
  { key: "locale", label: "Locale", kind: "text", help: "BCP 47, e.g. en-US" },
  { key: "timezone", label: "Time zone", kind: "text", help: "IANA, e.g. America/New_York" },
  { key: "resolution", label: "Cell resolution", kind: "integer", help: "H3, 5–10" },
  {
    key: "zoneResolution",
    label: "Zone resolution",
    kind: "integer",
    help: (values) => {
      const cells = Number(values.resolution);
      if (!Number.isInteger(cells)) return "1–3 levels below the cells' resolution";
      return `${cells - 3}–${cells - 1} for cells at ${cells} (empty: ${cells - 2})`;
    },
    optional: true,
  },
  { key: "quoteTtlSeconds", label: "Quote valid for (s)", kind: "integer", help: "30–900" },
];

const PRODUCT: FieldSpec[] = [
  { key: "name", label: "Name", kind: "text", wide: true },
  { key: "id", label: "Id", kind: "text" },
  { key: "baseFare", label: "Base fare", kind: "money" },
  { key: "perKm", label: "Per km", kind: "money" },
  { key: "perMinute", label: "Per minute", kind: "money" },
  { key: "minimumFare", label: "Minimum fare", kind: "money" },
  { key: "bookingFee", label: "Booking fee", kind: "money" },
];

const SURGE: FieldSpec[] = [
  { key: "enabled", label: "Surge enabled", kind: "boolean", help: "off: 1.0 everywhere" },
  { key: "cap", label: "Cap", kind: "number", help: "highest multiplier, 1–10" },
  { key: "targetRatio", label: "Target ratio", kind: "number", help: "demand per driver that counts as balanced" },
  { key: "priorWeight", label: "Prior weight", kind: "number", help: "pulls thin data toward balance" },
  { key: "minDemand", label: "Minimum demand", kind: "number", help: "pooled demand below this stays 1.0" },
  { key: "sensitivity", label: "Sensitivity", kind: "number", help: "how steeply the curve rises" },
  { key: "exponent", label: "Exponent", kind: "number", help: "curve shape, 1 is linear" },
  { key: "deadband", label: "Deadband", kind: "number", help: "excess ratio ignored" },
  { key: "searchWeight", label: "Search weight", kind: "number", help: "a search as a share of a request" },
  { key: "demandHalfLifeSeconds", label: "Demand half-life (s)", kind: "integer" },
  { key: "supplyWindowSeconds", label: "Supply window (s)", kind: "integer", help: "a driver counts this long" },
  { key: "smoothing", label: "Smoothing", kind: "number", help: "share of the way per update" },
  { key: "maxStepUp", label: "Max step up", kind: "number", help: "per update" },
  { key: "maxStepDown", label: "Max step down", kind: "number", help: "per update" },
  { key: "displayHysteresis", label: "Display hysteresis", kind: "number", help: "against flapping, 0–0.2" },
  { key: "neighbourRings", label: "Neighbour rings", kind: "integer", help: "0–3" },
  { key: "neighbourWeight", label: "Neighbour weight", kind: "number", help: "ring d weighs this^d" },
  { key: "updateIntervalMs", label: "Update interval (ms)", kind: "integer", help: "100–5000" },
];

const TRIP: FieldSpec[] = [
  { key: "detourFactor", label: "Detour factor", kind: "number", help: "road distance ÷ straight line" },
  { key: "speedKmh", label: "Average speed (km/h)", kind: "number" },
];

/** Form values by dotted path, as the API names them in its errors ("products.0.baseFare"). */
type Draft = Record<string, string | boolean>;

function draftOf(market: Market): { values: Draft; products: number } {
  const values: Draft = {};
  const put = (path: string, value: unknown) => {
    values[path] = typeof value === "boolean" ? value : value === undefined || value === null ? "" : String(value);
  };
  const record = market as unknown as Record<string, unknown>;
  for (const f of GENERAL) put(f.key, record[f.key]);
  market.products.forEach((p, i) => {
    for (const f of PRODUCT) put(`products.${i}.${f.key}`, (p as unknown as Record<string, unknown>)[f.key]);
  });
  for (const f of SURGE) put(`surge.${f.key}`, (market.surge as unknown as Record<string, unknown>)[f.key]);
  for (const f of TRIP) put(`trip.${f.key}`, (market.trip as unknown as Record<string, unknown>)[f.key]);
  return { values, products: market.products.length };
}

/**
 * Empty number fields go as null, so the API names the field instead of the console guessing a
 * value (optional ones are left out, for the API's default); anything else goes as typed and the
 * API judges it.
 */
function inputOf(values: Draft, products: number, geofence: unknown): MarketInput {
  const value = (path: string, spec: FieldSpec): unknown => {
    const v = values[path];
    if (spec.kind === "boolean") return v === true;
    if (spec.kind === "text" || spec.kind === "currency") return v;
    if (typeof v === "string" && v.trim() !== "") return Number(v);
    return spec.optional ? undefined : null;
  };
  const group = (prefix: string, specs: FieldSpec[]) =>
    Object.fromEntries(specs.map((f) => [f.key, value(`${prefix}${f.key}`, f)]));
  return {
    ...group("", GENERAL),
    geofence,
    products: Array.from({ length: products }, (_, i) => group(`products.${i}.`, PRODUCT)),
    surge: group("surge.", SURGE),
    trip: group("trip.", TRIP),
  } as unknown as MarketInput;
}

type Outcome =
  | { kind: "saved"; version: number }
  | { kind: "rejected"; detail: string; listed: Array<{ path: string; label: string; message: string }> }
  | { kind: "archived" | "deleted"; detail: string };

/** A field's name as the operator reads it, for any path the API may name. */
function labelOf(path: string): string {
  const [head, ...rest] = path.split(".");
  const spec = (list: FieldSpec[], key: string | undefined) => list.find((f) => f.key === key)?.label;
  if (head === "geofence") {
    const [, polygonOrRing, ringOrPosition, position] = rest;
    if (rest.length === 0) return "Geofence";
    const numbers = [polygonOrRing, ringOrPosition, position].filter((n) => n !== undefined).map((n) => Number(n) + 1);
    return `Geofence (${["ring", "position", "coordinate"]
      .slice(0, numbers.length)
      .map((w, i) => `${w} ${numbers[i]}`)
      .join(", ")})`;
  }
  if (head === "products" && rest.length >= 2) return `Product ${Number(rest[0]) + 1}: ${spec(PRODUCT, rest[1]) ?? rest[1]}`;
  if (head === "surge") return `Surge: ${spec(SURGE, rest[0]) ?? rest.join(".")}`;
  if (head === "trip") return `Trip: ${spec(TRIP, rest[0]) ?? rest.join(".")}`;
  return spec(GENERAL, head) ?? path;
}

const geofenceText = (market: Market) => JSON.stringify(market.geofence, null, 1);

export function MarketEditor({ market, onSaved }: { market: Market; onSaved(market: Market): void }) {
  const [draft, setDraft] = useState(() => draftOf(market));
  const [geofence, setGeofence] = useState(() => geofenceText(market));
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState("");

  // Another market, or this one saved: start again from what the API holds.
  useEffect(() => {
    setDraft(draftOf(market));
    setGeofence(geofenceText(market));
    setErrors(new Map());
  }, [market.id, market.version]);

  const refused = (err: unknown) => {
    const problem = err instanceof ApiProblem ? err : undefined;
    const list = problem?.errors ?? [];
    const byPath = new Map<string, string>();
    for (const { path, message } of list) byPath.set(path, byPath.has(path) ? `${byPath.get(path)}; ${message}` : message);
    setErrors(byPath);
    setOutcome({
      kind: "rejected",
      detail: problem?.detail ?? String(err),
      listed: [...byPath].map(([path, message]) => ({ path, label: labelOf(path), message })),
    });
    // Bring the first marked field into view: on a phone it may be far below the button.
    requestAnimationFrame(() =>
      document.querySelector(".market-editor [aria-invalid=true]")?.scrollIntoView({ block: "center" }),
    );
  };

  const archive = async () => {
    setBusy(true);
    try {
      const archived = await api.archiveMarket(market.id, reason);
      setOutcome({ kind: "archived", detail: `Archived: ${market.name} is no longer priced; its history stays.` });
      onSaved(archived);
    } catch (err) {
      refused(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      const { versionsKept } = await api.deleteMarket(market.id);
      setOutcome({ kind: "deleted", detail: `Deleted: ${versionsKept} versions and every row of its history stay.` });
    } catch (err) {
      refused(err);
    } finally {
      setBusy(false);
    }
  };

  const set = (path: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, values: { ...d.values, [path]: value } }));
    setOutcome(null);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    let shape: unknown;
    try {
      shape = JSON.parse(geofence);
    } catch (err) {
      setBusy(false);
      const message = `is not JSON: ${(err as Error).message}`;
      setErrors(new Map([["geofence", message]]));
      setOutcome({
        kind: "rejected",
        detail: "The geofence is not JSON.",
        listed: [{ path: "geofence", label: "Geofence", message }],
      });
      return;
    }
    try {
      const saved = await api.putMarket(market.id, inputOf(draft.values, draft.products, shape));
      setErrors(new Map());
      setOutcome({ kind: "saved", version: saved.version });
      onSaved(saved);
    } catch (err) {
      refused(err);
    } finally {
      setBusy(false);
    }
  };

  const addProduct = () => {
    const i = draft.products;
    const values = { ...draft.values };
    for (const f of PRODUCT) values[`products.${i}.${f.key}`] = "";
    setDraft({ values, products: i + 1 });
  };
  const removeProduct = (index: number) => {
    const values: Draft = {};
    for (const [path, v] of Object.entries(draft.values)) {
      const m = /^products\.(\d+)\.(.+)$/.exec(path);
      if (!m) values[path] = v;
      else if (Number(m[1]) < index) values[path] = v;
      else if (Number(m[1]) > index) values[`products.${Number(m[1]) - 1}.${m[2]}`] = v;
    }
    setDraft({ values, products: draft.products - 1 });
    setErrors(new Map());
  };

  const geofenceErrors = [...errors].filter(([path]) => path === "geofence" || path.startsWith("geofence."));
  const currency = String(draft.values.currency ?? market.currency);
  const field = (path: string, spec: FieldSpec) => (
    <Field
      key={path}
      path={path}
      spec={spec}
      value={draft.values[path] ?? ""}
      error={errors.get(path)}
      currency={currency}
      locale={String(draft.values.locale ?? market.locale)}
      values={draft.values}
      onInput={set}
    />
  );

  return (
    <form class="market-editor" onSubmit={save} noValidate>
      <h2>Market {market.id}</h2>
      <p class="meta">
        Version {market.version} · {market.cellCount} cells in {market.zoneCount} zones · money in minor units of{" "}
        {market.currency}
      </p>
      {market.archivedAt && (
        <div class="notice" role="status" data-testid="market-archived">
          Archived {new Date(market.archivedAt).toLocaleString()}: no longer priced. Save it to restore it.
        </div>
      )}
      {outcome?.kind === "rejected" && (
        <div class="notice error" role="alert" data-testid="editor-rejected">
          <strong>Not saved: nothing was changed.</strong>{" "}
          {outcome.listed.length > 1
            ? `${outcome.listed.length} problems, each marked at its field:`
            : outcome.listed.length === 1
              ? "One problem, marked at its field:"
              : outcome.detail}
          {outcome.listed.length > 0 && (
            <ul>
              {outcome.listed.map(({ path, label, message }) => (
                <li key={path}>
                  <a
                    href={`#f-${fieldId(path)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      const target =
                        document.getElementById(`f-${fieldId(path)}`) ??
                        document.getElementById(`f-${fieldId(path.split(".")[0] ?? path)}`);
                      target?.scrollIntoView({ block: "center" });
                      target?.focus();
                    }}
                  >
                    {label}
                  </a>
                  : {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {outcome?.kind === "saved" && (
        <div class="notice ok" role="status" data-testid="editor-saved">
          Saved: version {outcome.version}.
        </div>
      )}
      {(outcome?.kind === "archived" || outcome?.kind === "deleted") && (
        <div class="notice ok" role="status" data-testid={`editor-${outcome.kind}`}>
          {outcome.detail}
        </div>
      )}
      <Section title="General">{GENERAL.map((f) => field(f.key, f))}</Section>
      <Section title="Products" error={errors.get("products")}>
        {Array.from({ length: draft.products }, (_, i) => (
          <fieldset class="product" key={i}>
            <legend>
              {String(draft.values[`products.${i}.name`] || `Product ${i + 1}`)}
              <button type="button" class="quiet small" disabled={draft.products <= 1} onClick={() => removeProduct(i)}>
                Remove
              </button>
            </legend>
            {PRODUCT.map((f) => field(`products.${i}.${f.key}`, f))}
          </fieldset>
        ))}
        <button type="button" class="quiet" onClick={addProduct}>
          Add a product
        </button>
      </Section>
      <Section title="Surge" error={errors.get("surge")}>
        {SURGE.map((f) => field(`surge.${f.key}`, f))}
      </Section>
      <Section title="Trip estimate" error={errors.get("trip")}>
        {TRIP.map((f) => field(`trip.${f.key}`, f))}
      </Section>
      <Section title="Geofence">
        <div class={`field wide geofence ${geofenceErrors.length > 0 ? "invalid" : ""}`} data-path="geofence">
          <label for="f-geofence">GeoJSON Polygon or MultiPolygon, positions [longitude, latitude]</label>
          <textarea
            id="f-geofence"
            name="geofence"
            rows={8}
            spellcheck={false}
            value={geofence}
            aria-invalid={geofenceErrors.length > 0}
            aria-describedby={geofenceErrors.length > 0 ? "f-geofence-error" : undefined}
            onInput={(e) => {
              setGeofence(e.currentTarget.value);
              setOutcome(null);
            }}
          />
          <small>
            Paste from a GIS tool (geojson.io, QGIS). Rings may run either way round; they are stored as RFC 7946 turns them.
          </small>
          {geofenceErrors.length > 0 && (
            <ul class="field-error" id="f-geofence-error" data-error-for="geofence">
              {geofenceErrors.map(([path, message]) => (
                <li key={path}>
                  {labelOf(path)}: {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </Section>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save market"}
        </button>
        <button
          type="button"
          class="quiet"
          disabled={busy}
          onClick={() => {
            setDraft(draftOf(market));
            setErrors(new Map());
            setOutcome(null);
          }}
        >
          Revert
        </button>
      </div>
      <Section title={market.archivedAt ? "Delete" : "Archive"}>
        {market.archivedAt ? (
          <div class="field wide">
            <p>Deleting removes its configuration for good (an admin's task); its versions and history stay.</p>
            <button type="button" class="danger" disabled={busy || outcome?.kind === "deleted"} onClick={remove}>
              Delete market {market.id}
            </button>
          </div>
        ) : (
          <div class="field wide">
            <label for="f-archive-reason">Why it stops (kept in the audit log)</label>
            <input id="f-archive-reason" type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <small>Archived, it is no longer priced and its area is free; its history stays, and saving it restores it.</small>
            <button type="button" class="quiet" disabled={busy || reason.trim() === ""} onClick={archive}>
              Archive market
            </button>
          </div>
        )}
      </Section>
    </form>
  );
}

function Section({ title, error, children }: { title: string; error?: string | undefined; children: ComponentChildren }) {
  return (
    <fieldset class="section">
      <legend>{title}</legend>
      {error && <p class="field-error">{error}</p>}
      <div class="fields">{children}</div>
    </fieldset>
  );
}

interface FieldProps {
  path: string;
  spec: FieldSpec;
  value: string | boolean;
  error: string | undefined;
  currency: string;
  locale: string;
  /** Every field's value, for hints that depend on others. */
  values: Draft;
  onInput(path: string, value: string | boolean): void;
}

/** A field's element id after its path ("products.0.baseFare" → "products-0-baseFare"). */
const fieldId = (path: string) => path.replaceAll(".", "-");

function Field({ path, spec, value, error, currency, locale, values, onInput }: FieldProps) {
  const id = `f-${fieldId(path)}`;
  const describedBy = error ? `${id}-error` : undefined;
  const note =
    spec.kind === "money"
      ? moneyNote(String(value), currency, locale)
      : typeof spec.help === "function"
        ? spec.help(values)
        : spec.help;
  let control: ComponentChildren;
  if (spec.kind === "boolean") {
    control = (
      <input
        id={id}
        name={path}
        type="checkbox"
        checked={value === true}
        onChange={(e) => onInput(path, e.currentTarget.checked)}
      />
    );
  } else if (spec.kind === "currency") {
    control = (
      <select
        id={id}
        name={path}
        value={String(value)}
        aria-invalid={!!error}
        onChange={(e) => onInput(path, e.currentTarget.value)}
      >
        {knownCurrencies().map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === "text") {
    control = (
      <input
        id={id}
        name={path}
        type="text"
        value={String(value)}
        aria-invalid={!!error}
        aria-describedby={describedBy}
        onInput={(e) => onInput(path, e.currentTarget.value)}
      />
    );
  } else {
    control = (
      <input
        id={id}
        name={path}
        type="number"
        step={spec.kind === "number" ? "any" : "1"}
        inputMode={spec.kind === "number" ? "decimal" : "numeric"}
        value={String(value)}
        aria-invalid={!!error}
        aria-describedby={describedBy}
        onInput={(e) => onInput(path, e.currentTarget.value)}
      />
    );
  }
  return (
    <div class={`field ${spec.kind} ${spec.wide ? "wide" : ""} ${error ? "invalid" : ""}`} data-path={path}>
      <label for={id}>{spec.label}</label>
      {control}
      {note && <small>{note}</small>}
      {error && (
        <p class="field-error" id={describedBy} data-error-for={path}>
          {error}
        </p>
      )}
    </div>
  );
}

function moneyNote(value: string, currency: string, locale: string): string | undefined {
  const minor = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(minor)) return undefined;
  try {
    return `= ${formatMoney(minor, currency, locale)}`;
  } catch {
    return undefined;
  }
}
