/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { formatMoney } from "../shared/pricing/money";
import { ApiProblem, api, type LatLng, type Market, type Quote } from "./api";
import { ExplanationList } from "./explanation";
import { useWords } from "./i18n";

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
  const { t, locale } = useWords();
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

  const money = (minor: number) => (quote ? formatMoney(minor, quote.currency, locale.tag) : "");
  const place = (at: LatLng | undefined) => (at ? `${at.lat.toFixed(5)}, ${at.lng.toFixed(5)}` : t("console.quote.not-set"));

  return (
    <section class="quote-tester">
      <h2>{t("console.tab.quote")}</h2>
      <p class="hint-text">{t("console.quote.hint", { end: next })}</p>
      <fieldset class="ends">
        <legend class="visually-hidden">Point the next click places</legend>
        {(["pickup", "dropoff"] as const).map((end) => (
          <label key={end} class={`end ${end} ${next === end ? "active" : ""}`}>
            <input type="radio" name="quote-end" class="visually-hidden" checked={next === end} onChange={() => onChoose(end)} />
            <span class="end-mark">{end === "pickup" ? "P" : "D"}</span>
            <span>
              <strong>{end === "pickup" ? t("console.quote.pickup") : t("console.quote.dropoff")}</strong>
              <small data-testid={`quote-${end}`}>{place(end === "pickup" ? pickup : dropoff)}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="row">
        <label>
          {t("console.quote.product")}
          <select value={product} onChange={(e) => setProduct(e.currentTarget.value)}>
            {market.products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!pickup || !dropoff || busy} onClick={() => setAsked((n) => n + 1)}>
          {t("console.quote.again")}
        </button>
        <button type="button" class="quiet" disabled={!pickup && !dropoff} onClick={onClear}>
          {t("console.quote.clear")}
        </button>
      </div>
      {busy && <p class="empty">{t("console.quote.asking")}</p>}
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
              {quote.multiplier > 1 ? t("console.quote.surge", { multiplier: quote.multiplier }) : t("console.quote.no-surge")}
            </span>
          </div>
          <p class="meta" data-testid="quote-meta">
            {t("console.quote.meta", {
              distance: quote.distanceFormatted,
              duration: quote.durationFormatted,
              time: quote.expiresAtFormatted,
            })}
          </p>
          <p class="sentence" data-testid="quote-sentence">
            {quote.explanationText}
          </p>
          <table class="breakdown">
            <tbody>
              <tr>
                <th>{t("console.quote.base")}</th>
                <td>{money(quote.breakdown.base)}</td>
              </tr>
              <tr>
                <th>{t("console.quote.distance")}</th>
                <td>{money(quote.breakdown.distance)}</td>
              </tr>
              <tr>
                <th>{t("console.quote.time")}</th>
                <td>{money(quote.breakdown.time)}</td>
              </tr>
              <tr>
                <th>{t("console.quote.subtotal")}</th>
                <td>{money(quote.breakdown.subtotal)}</td>
              </tr>
              <tr>
                <th>{t("console.quote.surcharge", { multiplier: quote.multiplier })}</th>
                <td>{money(quote.breakdown.surcharge)}</td>
              </tr>
              <tr>
                <th>{t("console.quote.booking")}</th>
                <td>{money(quote.breakdown.bookingFee)}</td>
              </tr>
              {quote.breakdown.minimumFareApplied && (
                <tr>
                  <th colSpan={2}>{t("console.quote.minimum")}</th>
                </tr>
              )}
              <tr class="sum">
                <th>{t("console.quote.total")}</th>
                <td>{money(quote.breakdown.total)}</td>
              </tr>
            </tbody>
          </table>
          <h3>{t("console.quote.why", { multiplier: quote.multiplier })}</h3>
          <ExplanationList explanation={quote.explanation} />
          <p class="meta">{t("console.quote.signed", { quote: quote.quoteId, cell: quote.pickupCell })}</p>
        </div>
      )}
    </section>
  );
}
