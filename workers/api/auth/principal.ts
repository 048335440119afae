import type { TokenIdentity } from "../../../shared/platform/revocation";

/** Who is calling, once authenticated: the same shape whatever proved it. */
export const ROLES = ["rider", "driver", "operator", "admin", "service"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export interface Principal {
  subject: string;
  roles: Role[];
  /** Markets this principal may act on; "*" for all. */
  markets: string[];
  /** Route ids a scoped service key may call; undefined for any its roles allow. */
  routes: string[] | undefined;
  via: "token" | "cloudflare-access";
  /** The caller's saved locale (a user's, or what a partner's back end said of its rider): the token's `lcl`. */
  locale?: string;
  /**
   * The credential that proved it: what revocation matches and when a live socket must close.
   * Absent only for principals made in code (tests of pure parts).
   */
  credential?: TokenIdentity;
}

/** Whether a principal may act on a market. */
export function allowsMarket(p: Principal | undefined, market: string): boolean {
  return p !== undefined && (p.markets.includes("*") || p.markets.includes(market));
}
