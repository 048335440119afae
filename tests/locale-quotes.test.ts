import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { demandEvents, demoMarket, eventually, putMarket, supplyEvents } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";

/**
 * The same ride in Ho Chi Minh City, quoted on the running platform (workerd's own ICU, not
 * Bun's) to a rider reading Vietnamese, one reading American English and one reading Egyptian
 * Arabic, while Bến Thành market is busy: one price, in đồng with no decimals, written three
 * ways, each with a sentence saying why in the rider's language; Arabic in Arabic-Indic digits
 * and right-to-left script. The times are on Ho Chi Minh City's clock whoever asks.
 */

let p: Platform;
let rider: Client;
const benThanh = { lat: 10.7725, lng: 106.698 };
const dropoff = { lat: 10.787, lng: 106.705 };

interface Quote {
  multiplier: number;
  total: number;
  totalFormatted: string;
  distanceFormatted: string;
  durationFormatted: string;
  expiresAt: string;
  expiresAtFormatted: string;
  explanationText: string;
}

beforeAll(async () => {
  p = await startPlatform();
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
  rider = p.as("rider", { markets: ["hcm"] });
  // Two drivers and forty requests at the market: the multiplier climbs.
  await p.as("service").json("/v1/events/supply", { events: supplyEvents(benThanh, 2) });
  await p.as("service").json("/v1/events/demand", { events: demandEvents(benThanh, 40) });
  await eventually(
    async () => {
      const res = await rider.fetch(`/v1/surge?lat=${benThanh.lat}&lng=${benThanh.lng}`);
      const reading = (await res.json()) as { multiplier: number };
      return reading.multiplier >= 1.5 ? reading : undefined;
    },
    20_000,
    200,
  );
});
afterAll(async () => {
  await p.dispose();
});

type Answer = { language: string | null; quote: Quote };

async function quoteIn(tag: string): Promise<Answer> {
  const res = await rider.fetch("/v1/quotes", {
    method: "POST",
    headers: { "content-type": "application/json", "accept-language": tag },
    body: JSON.stringify({ pickup: benThanh, dropoff, product: "car" }),
  });
  expect(res.status).toBe(201);
  return { language: res.headers.get("content-language"), quote: (await res.json()) as Quote };
}

/** The number a formatted amount writes, whatever its digits and separators. */
function amountOf(text: string): number {
  const western = text.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
  return Number(western.replace(/[^0-9]/g, ""));
}

/** The writing direction of a text's first letter with a strong direction (enough for these scripts). */
function firstStrongDirection(text: string): "rtl" | "ltr" | undefined {
  for (const ch of text) {
    if (/[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/.test(ch)) return "rtl";
    if (/\p{L}/u.test(ch)) return "ltr";
  }
  return undefined;
}

describe("one ride, three languages", () => {
  test("Vietnamese, English and Arabic riders see the same price, each written their way", async () => {
    // Quoted back to back: the zone's multiplier holds within a tick; retry if one fell between.
    const [vi, en, ar] = await eventually(async () => {
      const three: Answer[] = [await quoteIn("vi-VN"), await quoteIn("en-US"), await quoteIn("ar-EG")];
      return new Set(three.map((q) => q.quote.total)).size === 1 ? (three as [Answer, Answer, Answer]) : undefined;
    }, 10_000);
    expect([vi.language, en.language, ar.language]).toEqual(["vi-VN", "en-US", "ar-EG"]);
    const total = vi.quote.total;
    expect(vi.quote.multiplier).toBeGreaterThan(1);

    // Đồng have no minor unit: a whole number of them, grouped by dots in Vietnamese.
    expect(vi.quote.totalFormatted).toMatch(/^\d{1,3}(\.\d{3})+\u00a0₫$/);
    expect(en.quote.totalFormatted).toMatch(/^₫\d{1,3}(,\d{3})+$/);
    // Arabic-Indic digits only, no Western ones, no decimals.
    expect(ar.quote.totalFormatted).toMatch(/[٠-٩]/);
    expect(ar.quote.totalFormatted).not.toMatch(/[0-9]/);
    for (const q of [vi, en, ar]) expect(amountOf(q.quote.totalFormatted)).toBe(total);

    // Why, in each rider's language: demand against drivers, with the locale's digits.
    expect(vi.quote.explanationText).toStartWith("Giá ");
    expect(vi.quote.explanationText).toContain("tài xế");
    expect(en.quote.explanationText).toStartWith("Prices ");
    expect(en.quote.explanationText).toContain("the drivers available");
    expect(firstStrongDirection(ar.quote.explanationText)).toBe("rtl");
    expect(ar.quote.explanationText).toMatch(/[٠-٩]/);
    expect(ar.quote.explanationText).not.toMatch(/[0-9]/);
    expect(firstStrongDirection(vi.quote.explanationText)).toBe("ltr");
    if (process.env.SHOW_QUOTES) console.log(JSON.stringify([vi.quote, en.quote, ar.quote], null, 1));

    // Distance: kilometres in Vietnam and Egypt, miles for an American reader.
    expect(vi.quote.distanceFormatted).toMatch(/^\d+(,\d)? km$/);
    expect(en.quote.distanceFormatted).toMatch(/^\d+(\.\d)? mi$/);
    expect(ar.quote.distanceFormatted).toMatch(/^[٠-٩]+(٫[٠-٩])? كم$/);
    expect(vi.quote.durationFormatted).toMatch(/^\d+ phút$/);
    expect(en.quote.durationFormatted).toMatch(/^\d+ min$/);
  });

  test("the quote's expiry is on Ho Chi Minh City's clock, whoever reads it", async () => {
    const { quote } = await quoteIn("en-US");
    const local = new Date(Date.parse(quote.expiresAt) + 7 * 3_600_000); // Asia/Ho_Chi_Minh is UTC+7, no daylight saving
    const hour12 = local.getUTCHours() % 12 || 12;
    const minutes = String(local.getUTCMinutes()).padStart(2, "0");
    // workerd's ICU puts a plain or a narrow no-break space before AM/PM, depending on its CLDR.
    const meridiem = local.getUTCHours() < 12 ? "AM" : "PM";
    expect(quote.expiresAtFormatted.replace("\u202f", " ")).toBe(`${hour12}:${minutes} ${meridiem} GMT+7`);
  });

  test("a reading explains itself in the market's language when the rider names none", async () => {
    const res = await rider.fetch(`/v1/surge?lat=${benThanh.lat}&lng=${benThanh.lng}`);
    expect(res.headers.get("content-language")).toBe("vi-VN");
    const reading = (await res.json()) as { explanationText: string; computedAtFormatted: string };
    expect(reading.explanationText).toStartWith("Giá ");
    expect(reading.computedAtFormatted).toMatch(/^\d{1,2}:\d{2} GMT\+7$/);
  });
});
