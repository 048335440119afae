import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoMarket, putMarket } from "../harness/fixtures";
import { type Client, type Platform, startPlatform } from "../harness/platform";
import { buildWorkers, ROOT } from "../harness/workers";

/**
 * Machine translation as a fallback, on the running platform. Every shipped catalogue is complete,
 * so these platforms run the real bundle with three messages taken out of it — as when English
 * gains a message before its translators catch up: Vietnamese and Arabic lack
 * `problem.market-unknown`, Spanish lacks `validation.type` (a select: never sent to a model).
 *
 * One platform has no `AI` binding (the deterministic fake drafts); the other binds `AI` to a
 * stand-in Worker that accepts only m2m100's documented request ({text, source_lang, target_lang})
 * and fails for Arabic, so the real adapter runs in workerd against it.
 */

const GAPPED = join(ROOT, "dist/test-gapped");
// Each entry with its comma, in the bundle as built (minified: entries are not lines of their own).
const TAKEN_OUT = [
  /"problem\.market-unknown":\s*"Kh\\xF4ng(?:[^"\\\n]|\\.)*",?/, // vi
  /"problem\.market-unknown":\s*"\\u0644\\u0627(?:[^"\\\n]|\\.)*",?/, // ar
  /"validation\.type":\s*"debe ser(?:[^"\\\n]|\\.)*",?/, // es
];

/** The bundle as built, with the three messages taken out of the edge worker's catalogues. */
function gappedBundles(): string {
  buildWorkers(GAPPED);
  const file = join(GAPPED, "api/index.js");
  let code = readFileSync(file, "utf8");
  for (const entry of TAKEN_OUT) {
    if (!entry.test(code)) throw new Error(`the bundle has no entry matching ${entry}`);
    code = code.replace(entry, "");
  }
  writeFileSync(file, code);
  return GAPPED;
}

/** m2m100 as Workers AI documents it; anything else is refused, and Arabic is "unavailable". */
const FAKE_AI = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class FakeAi extends WorkerEntrypoint {
  async run(model, inputs) {
    const fields = Object.keys(inputs).sort().join(",");
    if (model !== "@cf/meta/m2m100-1.2b" || fields !== "source_lang,target_lang,text" || inputs.source_lang !== "en")
      throw new Error("not a translation request: " + model + " " + fields);
    if (inputs.target_lang === "ar") throw new Error("model unavailable");
    return { translated_text: "(" + inputs.target_lang + ") " + inputs.text };
  }
}
export default { fetch: () => new Response("a stand-in for Workers AI") };
`;

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: unknown[];
}
interface LocaleEntry {
  language: string;
  completeness: number;
  missing: string[];
  machineTranslated: string[];
  reviewedDrafts: string[];
}

let bundles: string;
let p: Platform;
let withAi: Platform;

beforeAll(async () => {
  bundles = gappedBundles();
  [p, withAi] = await Promise.all([
    startPlatform({ bundles }),
    startPlatform({ bundles, services: { AI: { name: "fake-ai", entrypoint: "FakeAi", script: FAKE_AI } } }),
  ]);
  await putMarket(p, "nyc", demoMarket("nyc-manhattan"));
  await putMarket(p, "hcm", demoMarket("hcmc-central"));
});
afterAll(async () => {
  await Promise.all([p?.dispose(), withAi?.dispose()]);
});

async function unknownMarket(client: Client, language: string) {
  const res = await client.fetch("/v1/markets/atlantis", { headers: { "accept-language": language } });
  return {
    status: res.status,
    language: res.headers.get("content-language"),
    machine: res.headers.get("equilibrium-machine-translated"),
    body: (await res.json()) as Problem,
  };
}

async function locales(platform: Platform): Promise<Record<string, LocaleEntry>> {
  const body = (await (await platform.fetch("/v1/locales")).json()) as { locales: LocaleEntry[] };
  return Object.fromEntries(body.locales.map((l) => [l.language, l]));
}

describe("a message a catalogue lacks", () => {
  test("before any draft: said in English, not marked, and listed as missing", async () => {
    const res = await unknownMarket(p.as("rider"), "vi-VN");
    expect([res.status, res.language, res.machine, res.body.code]).toEqual([404, "vi-VN", null, "market-unknown"]);
    expect(res.body.detail).toBe('There is no market "atlantis".');
    const vi = (await locales(p)).vi;
    expect(vi?.missing).toEqual(["problem.market-unknown"]);
    expect(vi?.machineTranslated).toEqual([]);
    expect(vi?.completeness).toBeLessThan(1);
  });

  test("only an admin runs the drafting job; the fake's drafts are then said, and marked as a machine's", async () => {
    const refused = await p.as("operator").json<Problem>("/v1/admin/translations/draft", {});
    expect([refused.status, refused.body.code]).toEqual([403, "role-forbidden"]);
    const run = await p.as("admin").json<Record<string, number>>("/v1/admin/translations/draft", {});
    expect(run.status).toBe(200);
    expect(run.body).toEqual({ drafted: 2, failed: 0, unusable: 0, keptInEnglish: 1, remaining: 0 });
    // Listed as a machine's at once, before any request in the language has read them.
    expect((await locales(p)).vi?.machineTranslated).toEqual(["problem.market-unknown"]);

    const vi = await unknownMarket(p.as("rider"), "vi-VN");
    expect([vi.status, vi.language, vi.machine]).toEqual([404, "vi-VN", "problem.market-unknown"]);
    expect(vi.body.detail).toBe('[vi] There is no market "atlantis".');
    // A complete message in the same language is the catalogue's own, and unmarked.
    const own = await p.as("rider").fetch("/v1/nowhere", { headers: { "accept-language": "vi" } });
    expect(own.headers.get("equilibrium-machine-translated")).toBeNull();
    expect(((await own.json()) as Problem).detail).toStartWith("Không có đường dẫn");
    // Spanish's missing select message was never sent to a model: English says it.
    const es = (await locales(p)).es;
    expect([es?.missing, es?.machineTranslated]).toEqual([["validation.type"], []]);
    // A second run finds nothing left to draft.
    const again = await p.as("admin").json<Record<string, number>>("/v1/admin/translations/draft", { languages: ["vi"] });
    expect(again.body).toMatchObject({ drafted: 0, remaining: 0 });
  });

  test("the review list is an admin's: the drafts with the English they translate", async () => {
    expect((await p.as("operator").fetch("/v1/admin/translations")).status).toBe(403);
    const res = await p.as("admin").fetch("/v1/admin/translations?language=vi");
    expect(res.status).toBe(200);
    const { drafts } = (await res.json()) as { drafts: Array<Record<string, unknown>> };
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      language: "vi",
      key: "problem.market-unknown",
      english: 'There is no market "{market}".',
      text: '[vi] There is no market "{market}".',
      status: "machine",
      author: "fake",
      current: true,
    });
    const bad = await p.as("admin").fetch("/v1/admin/translations?language=en");
    expect([bad.status, bad.headers.get("content-type")]).toEqual([422, "application/problem+json"]);
  });

  test("review: bad input is a 4xx problem that changes nothing; an operator is refused", async () => {
    const admin = p.as("admin");
    const review = (path: string, body: unknown, who: Client = admin) =>
      who.json<Problem>(`/v1/admin/translations/${path}`, body).then((r) => [r.status, r.body.code]);
    expect(await review("vi/problem.market-unknown", { decision: "approve" }, p.as("operator"))).toEqual([403, "role-forbidden"]);
    expect(await review("vi/problem.market-unknown", { decision: "edit", text: "Không có “{marketId}”." })).toEqual([
      422,
      "translation-draft-invalid",
    ]);
    expect(await review("vi/problem.market-unknown", { decision: "edit", text: "Không có “{market”." })).toEqual([
      422,
      "translation-draft-invalid",
    ]);
    expect(await review("vi/problem.market-unknown", { decision: "publish" })).toEqual([422, "invalid-body"]);
    expect(await review("vi/problem.market-unknown", "{")).toEqual([400, "malformed-json"]);
    expect(await review("en/problem.market-unknown", { decision: "approve" })).toEqual([422, "invalid-path"]);
    expect(await review("vi/problem.no-such-thing", { decision: "approve" })).toEqual([404, "translation-key-unknown"]);
    expect(await review("vi/problem.no-route", { decision: "approve" })).toEqual([409, "translation-not-missing"]);
    expect(await review("es/validation.type", { decision: "approve" })).toEqual([404, "translation-draft-unknown"]);
    const invalid = await admin.json<Problem>("/v1/admin/translations/vi/problem.market-unknown", {
      decision: "edit",
      text: "Không có “{marketId}”.",
    });
    expect(invalid.headers.get("content-type")).toBe("application/problem+json");
    expect(invalid.body.detail).toContain("{market}");
    // Nothing changed: the machine's draft is still the one said.
    const vi = await unknownMarket(p.as("rider"), "vi-VN");
    expect([vi.body.detail, vi.machine]).toEqual(['[vi] There is no market "atlantis".', "problem.market-unknown"]);
  });

  test("an admin's text replaces the machine's at once, unmarked, and the decision is audited", async () => {
    const edited = await p
      .as("admin", { subject: "admin-lan" })
      .json<Record<string, unknown>>("/v1/admin/translations/vi/problem.market-unknown", {
        decision: "edit",
        text: "Không có thị trường “{market}” (đã duyệt).",
      });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: "approved", author: "admin-lan", reviewedBy: "admin-lan" });
    const vi = await unknownMarket(p.as("rider"), "vi-VN");
    expect([vi.body.detail, vi.machine]).toEqual(["Không có thị trường “atlantis” (đã duyệt).", null]);
    const listed = (await locales(p)).vi;
    expect([listed?.machineTranslated, listed?.reviewedDrafts]).toEqual([[], ["problem.market-unknown"]]);
    // Rejected: never said again (English instead), and not drafted again for the same English.
    const rejected = await p.as("admin").json<Record<string, unknown>>("/v1/admin/translations/ar/problem.market-unknown", {
      decision: "reject",
    });
    expect(rejected.body).toMatchObject({ status: "rejected" });
    expect((await unknownMarket(p.as("rider"), "ar-EG")).body.detail).toBe('There is no market "atlantis".');
    const again = await p.as("admin").json<Record<string, number>>("/v1/admin/translations/draft", { languages: ["ar"] });
    expect(again.body.drafted).toBe(0);

    const audit = await p.as("admin").fetch("/v1/admin/audit?limit=50");
    const { entries } = (await audit.json()) as { entries: Array<{ action: string; target: string; actor: string }> };
    const actions = entries.filter((e) => e.action.startsWith("translation")).map((e) => [e.action, e.target, e.actor]);
    expect(actions).toContainEqual(["translation.edit", "vi:problem.market-unknown", "admin-lan"]);
    expect(actions).toContainEqual(["translation.reject", "ar:problem.market-unknown", "test-admin"]);
    expect(actions.some(([a]) => a === "translations.draft")).toBe(true);
    // Refused reviews left no entry.
    expect(actions.filter(([a]) => a === "translation.approve")).toEqual([]);
  });
});

describe("the real adapter against a stand-in for Workers AI", () => {
  test("drafts come from m2m100's documented request; a failing model drafts nothing and no request notices", async () => {
    await putMarket(withAi, "nyc", demoMarket("nyc-manhattan"));
    const rider = withAi.as("rider");
    // Requests in the failing language while the job runs: each answered as before, never a 5xx.
    const [run, ...during] = await Promise.all([
      withAi.as("admin").json<Record<string, number>>("/v1/admin/translations/draft", {}),
      ...Array.from({ length: 10 }, () => unknownMarket(rider, "ar-EG")),
    ]);
    expect(run?.status).toBe(200);
    expect(run?.body).toEqual({ drafted: 1, failed: 1, unusable: 0, keptInEnglish: 1, remaining: 1 });
    const after = await unknownMarket(rider, "ar-EG");
    for (const res of [...during, after] as Array<Awaited<ReturnType<typeof unknownMarket>>>) {
      expect([res.status, res.language, res.machine, res.body.code]).toEqual([404, "ar-EG", null, "market-unknown"]);
      expect(res.body.detail).toBe('There is no market "atlantis".');
    }
    // The stand-in answered Vietnamese only because the request had m2m100's shape.
    const vi = await unknownMarket(rider, "vi");
    expect([vi.body.detail, vi.machine]).toEqual(['(vi) There is no market "atlantis".', "problem.market-unknown"]);
    const listed = await withAi.as("admin").fetch("/v1/admin/translations?language=vi");
    const { drafts } = (await listed.json()) as { drafts: Array<{ author: string }> };
    expect(drafts.map((d) => d.author)).toEqual(["@cf/meta/m2m100-1.2b"]);
  });
});
