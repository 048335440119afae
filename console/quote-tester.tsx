/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { formatMoney } from "../shared/pricing/money";
import { ApiProblem, api, type LatLng, type Market, type Quote } from "./api";
import { clock } from "./clock";
import { ExplanationList } from "./explanation";

/**
 * The quote tester: pickup and dropoff picked on the map, a product, and the quote the API
 * gives a rider for them, with its breakdown and the explanation of its multiplier.
 */

export type QuoteEnd = "pickup" | "dropoff";

export interface QuoteTesterProps {
  market: Market;
  pickup: LatLng | undefined;
  dropoff: LatLng | undefined;
  next: QuoteEnd;
  onChoose(end: QuoteEnd): void;
  onClear(): void;
}

export function QuoteTester({ market, pickup, dropoff, next, onChoose, onClear }: QuoteTesterProps) {
  const [product, setProduct] = useState(market.products[0]?.id ?? "");
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    if (!market.products.some((p) => p.id === product)) setProduct(market.products[0]?.id ?? "");
  }, [market, product]);

  useEffect(() => {
    setQuote(null);
    setError(null);
    if (!pickup || !dropoff || !product) return;
    let stale = false;
    setBusy(true);
    api
      .quote(pickup, dropoff, product)
      .then((q) => !stale && setQuote(q))
      .catch((err: unknown) => !stale && setError(err instanceof ApiProblem ? err.message : String(err)))
      .finally(() => !stale && setBusy(false));
    return () => {
      stale = true;
    };
  }, [pickup, dropoff, product, asked]);

  const money = (minor: number) => (quote ? formatMoney(minor, quote.currency, market.locale) : "");
  const place = (at: LatLng | undefined) => (at ? `${at.lat.toFixed(5)}, ${at.lng.toFixed(5)}` : "not set");

  return (
    <section class="quote-tester">
      <h2>Quote tester</h2>
      <p class="hint-text">Tap or click the map to place the {next}. Each click moves the point chosen below.</p>
      <fieldset class="ends">
        <legend class="visually-hidden">Point the next click places</legend>
        {(["pickup", "dropoff"] as const).map((end) => (
          <label key={end} class={`end ${end} ${next === end ? "active" : ""}`}>
            <input type="radio" name="quote-end" class="visually-hidden" checked={next === end} onChange={() => onChoose(end)} />
            <span class="end-mark">{end === "pickup" ? "P" : "D"}</span>
            <span>
              <strong>{end === "pickup" ? "Pickup" : "Dropoff"}</strong>
              <small data-testid={`quote-${end}`}>{place(end === "pickup" ? pickup : dropoff)}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="row">
        <label>
          Product
          <select value={product} onChange={(e) => setProduct(e.currentTarget.value)}>
            {market.products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!pickup || !dropoff || busy} onClick={() => setAsked((n) => n + 1)}>
          Quote again
        </button>
        <button type="button" class="quiet" disabled={!pickup && !dropoff} onClick={onClear}>
          Clear
        </button>
      </div>
      {busy && <p class="empty">Asking for a quote…</p>}
      {error && (
        <p class="error" data-testid="quote-error">
          {error}
        </p>
      )}
      {quote && (
        <div class="quote" data-testid="quote">
          <div class="total">
            <strong data-testid="quote-total">{quote.totalFormatted}</strong>
            <span data-testid="quote-multiplier" class={quote.multiplier > 1 ? "surging" : "calm"}>
              {quote.multiplier > 1 ? `${quote.multiplier.toFixed(1)}× surge` : "no surge"}
            </span>
          </div>
          <p class="meta">
            {(quote.distanceMeters / 1000).toFixed(1)} km · about {Math.round(quote.durationSeconds / 60)} min · valid until{" "}
            {clock(quote.expiresAt)}
          </p>
          <table class="breakdown">
            <tbody>
              <tr>
                <th>Base fare</th>
                <td>{money(quote.breakdown.base)}</td>
              </tr>
              <tr>
                <th>Distance</th>
                <td>{money(quote.breakdown.distance)}</td>
              </tr>
              <tr>
                <th>Time</th>
                <td>{money(quote.breakdown.time)}</td>
              </tr>
              <tr>
                <th>Subtotal</th>
                <td>{money(quote.breakdown.subtotal)}</td>
              </tr>
              <tr>
                <th>Surge ({quote.multiplier.toFixed(1)}×)</th>
                <td>{money(quote.breakdown.surcharge)}</td>
              </tr>
              <tr>
                <th>Booking fee</th>
                <td>{money(quote.breakdown.bookingFee)}</td>
              </tr>
              {quote.breakdown.minimumFareApplied && (
                <tr>
                  <th colSpan={2}>Minimum fare applied</th>
                </tr>
              )}
              <tr class="sum">
                <th>Total</th>
                <td>{money(quote.breakdown.total)}</td>
              </tr>
            </tbody>
          </table>
          <h3>Why {quote.multiplier.toFixed(1)}× at the pickup</h3>
          <ExplanationList explanation={quote.explanation} />
          <p class="meta">
            Quote <code>{quote.quoteId}</code>, signed; pickup cell <code>{quote.pickupCell}</code>.
          </p>
        </div>
      )}
    </section>
  );
}
