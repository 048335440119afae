import { type SQL, sql } from "drizzle-orm";
import type { PoolDatabase } from "./client";
import { storableText } from "./text";

/**
 * Catalogue drafts in Postgres (`catalogue_drafts`): what machine translation drafted for keys a
 * language's catalogue lacks, and what admins made of it. One row per (language, key): a new
 * draft for changed English replaces the old one; a review changes the row it names.
 */

type Executor = Pick<PoolDatabase, "execute">;

export type DraftStatus = "machine" | "approved" | "rejected";

export interface DraftRow {
  language: string;
  key: string;
  english: string;
  text: string;
  status: DraftStatus;
  author: string;
  createdAt: Date;
  reviewedBy: string | null;
  reviewedAt: Date | null;
}

const COLUMNS = sql`language, key, english, text, status, author, created_at, reviewed_by, reviewed_at`;

export function draftRow(r: Record<string, unknown>): DraftRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    language: String(r.language),
    key: String(r.key),
    english: String(r.english),
    text: String(r.text),
    status: r.status as DraftStatus,
    author: String(r.author),
    createdAt: date(r.created_at) ?? new Date(0),
    reviewedBy: (r.reviewed_by as string | null) ?? null,
    reviewedAt: date(r.reviewed_at),
  };
}

/** Drafts of some languages (all when none named), optionally of one status: for the review list and for loading. */
export function draftsSql(languages: readonly string[], status?: DraftStatus): SQL {
  const where = [
    sql`language in (${sql.join(
      languages.map((l) => sql`${l}`),
      sql`, `,
    )})`,
  ];
  if (status) where.push(sql`status = ${status}`);
  return sql`select ${COLUMNS} from catalogue_drafts where ${sql.join(where, sql` and `)} order by language, key`;
}

/** A machine's draft for (language, key): replaces any earlier row (a draft of older English). */
export async function saveMachineDraft(
  db: Executor,
  d: { language: string; key: string; english: string; text: string; author: string; at: Date },
): Promise<void> {
  await db.execute(sql`insert into catalogue_drafts (${COLUMNS})
    values (${d.language}, ${d.key}, ${d.english}, ${storableText(d.text)}, 'machine', ${d.author}, ${d.at.toISOString()}, null, null)
    on conflict (language, key) do update set english = excluded.english, text = excluded.text, status = 'machine',
      author = excluded.author, created_at = excluded.created_at, reviewed_by = null, reviewed_at = null`);
}

/**
 * An admin's decision on (language, key): approve or reject the stored text, or write one
 * (`text`: stored as approved, made if no draft was there). Returns the row after, or undefined
 * when there was nothing to approve or reject.
 */
export async function reviewDraft(
  db: Executor,
  r: { language: string; key: string; english: string; status: "approved" | "rejected"; text?: string; by: string; at: Date },
): Promise<DraftRow | undefined> {
  const at = r.at.toISOString();
  const result =
    r.text === undefined
      ? await db.execute(sql`update catalogue_drafts set status = ${r.status}, reviewed_by = ${r.by}, reviewed_at = ${at}
          where language = ${r.language} and key = ${r.key} returning ${COLUMNS}`)
      : await db.execute(sql`insert into catalogue_drafts (${COLUMNS})
          values (${r.language}, ${r.key}, ${r.english}, ${storableText(r.text)}, ${r.status}, ${r.by}, ${at}, ${r.by}, ${at})
          on conflict (language, key) do update set english = excluded.english, text = excluded.text, status = excluded.status,
            author = excluded.author, reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at
          returning ${COLUMNS}`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  return row ? draftRow(row) : undefined;
}
