/**
 * The Equilibrium API's paths, generated from its OpenAPI document by `npm run client:generate`
 * (scripts/openapi.ts). Do not edit: change the routes' schemas and generate again.
 */
export interface paths {
  "/health/live": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The worker answers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Alive */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {string} */
              status: "ok";
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/health/ready": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Readiness: the last known system mode, or (?deep, operators) each dependency probed now
     * @description Without `deep`: a cheap public answer from the system mode this isolate last saw; nothing is probed. With `deep` (any value; operators and admins, rate limited): Postgres, Redis, the queue, the directory and the zones are called now, each with its status and latency; the zones check also names the zone objects that fail now (reported by the edge's breakers), which leave the platform degraded, not unready.
     *
     *     **Who may call:** with `?deep`: operator, admin; otherwise: anyone.
     */
    get: {
      parameters: {
        query?: {
          /** @description probe every dependency now (operators, admins) */
          deep?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Ready */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {string} */
              status: "ready" | "degraded" | "not ready";
              mode: string;
              /** @description only with ?deep (operators and admins) */
              checks?: {
                [key: string]: {
                  /** @enum {string} */
                  status: "ok" | "failing";
                  latencyMs: number;
                  error?: string;
                  /** @description zones only: the zone objects failing now, by name (<market>:<zone>) */
                  failing?: string[];
                  /** @description zones only: the share of every market's zones that fail */
                  failingShare?: number;
                };
              };
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Not ready */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {string} */
              status: "ready" | "degraded" | "not ready";
              mode: string;
              /** @description only with ?deep (operators and admins) */
              checks?: {
                [key: string]: {
                  /** @enum {string} */
                  status: "ok" | "failing";
                  latencyMs: number;
                  error?: string;
                  /** @description zones only: the zone objects failing now, by name (<market>:<zone>) */
                  failing?: string[];
                  /** @description zones only: the share of every market's zones that fail */
                  failingShare?: number;
                };
              };
            };
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a market
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The market */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              version: number;
              cellCount: number;
              zoneCount: number;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    /**
     * Create or replace a market
     * @description **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
            currency: string;
            timezone: string;
            locale: string;
            geofence:
              | {
                  /** @enum {string} */
                  type: "Polygon";
                  coordinates: number[][][];
                }
              | {
                  /** @enum {string} */
                  type: "MultiPolygon";
                  coordinates: number[][][][];
                };
            /**
             * @description H3 resolution of pricing cells
             * @default 8
             */
            resolution?: number;
            /** @description H3 resolution of zones (one Durable Object each); 1–3 coarser than cells, default 2 */
            zoneResolution?: number;
            products: {
              id: string;
              name: string;
              /** @description in the currency's minor units */
              baseFare: number;
              /** @description minor units per kilometre */
              perKm: number;
              /** @description minor units per minute */
              perMinute: number;
              minimumFare: number;
              bookingFee: number;
            }[];
            /**
             * @default {
             *       "enabled": true,
             *       "cap": 3,
             *       "targetRatio": 1,
             *       "priorWeight": 2,
             *       "minDemand": 3,
             *       "sensitivity": 0.6,
             *       "exponent": 1,
             *       "deadband": 0.1,
             *       "searchWeight": 0.3,
             *       "demandHalfLifeSeconds": 180,
             *       "supplyWindowSeconds": 60,
             *       "smoothing": 0.5,
             *       "maxStepUp": 0.3,
             *       "maxStepDown": 0.1,
             *       "displayHysteresis": 0.02,
             *       "neighbourRings": 1,
             *       "neighbourWeight": 0.5,
             *       "updateIntervalMs": 200,
             *       "predictive": {
             *         "mode": "off",
             *         "horizonMinutes": 30,
             *         "weight": 0.5
             *       }
             *     }
             */
            surge?: {
              /** @default true */
              enabled?: boolean;
              /** @default 3 */
              cap?: number;
              /** @default 1 */
              targetRatio?: number;
              /** @default 2 */
              priorWeight?: number;
              /** @default 3 */
              minDemand?: number;
              /** @default 0.6 */
              sensitivity?: number;
              /** @default 1 */
              exponent?: number;
              /** @default 0.1 */
              deadband?: number;
              /** @default 0.3 */
              searchWeight?: number;
              /** @default 180 */
              demandHalfLifeSeconds?: number;
              /** @default 60 */
              supplyWindowSeconds?: number;
              /** @default 0.5 */
              smoothing?: number;
              /** @default 0.3 */
              maxStepUp?: number;
              /** @default 0.1 */
              maxStepDown?: number;
              /** @default 0.02 */
              displayHysteresis?: number;
              /** @default 1 */
              neighbourRings?: number;
              /** @default 0.5 */
              neighbourWeight?: number;
              /** @default 200 */
              updateIntervalMs?: number;
              /**
               * @default {
               *       "mode": "off",
               *       "horizonMinutes": 30,
               *       "weight": 0.5
               *     }
               */
              predictive?: {
                /**
                 * @default off
                 * @enum {string}
                 */
                mode?: "off" | "shadow" | "on";
                /** @default 30 */
                horizonMinutes?: number;
                /** @default 0.5 */
                weight?: number;
              };
            };
            /**
             * @default {
             *       "detourFactor": 1.3,
             *       "speedKmh": 25
             *     }
             */
            trip?: {
              /** @default 1.3 */
              detourFactor?: number;
              /** @default 25 */
              speedKmh?: number;
            };
            /** @default 300 */
            quoteTtlSeconds?: number;
            /**
             * @description named venues, stations, districts and landmarks: the map, search and riders' sentences use them
             * @default []
             */
            places?: {
              id: string;
              name: string;
              /** @enum {string} */
              kind: "venue" | "station" | "district" | "landmark";
              lat: number;
              lng: number;
              /**
               * @description how far from its point a place still names where you are
               * @default 400
               */
              radiusM?: number;
            }[];
          };
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              version: number;
              cellCount: number;
              zoneCount: number;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              version: number;
              cellCount: number;
              zoneCount: number;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Nothing by that id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The geofence overlaps another market's area (sharing a border is fine) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Invalid, or too large: a geofence is measured before its cells are computed (at most 50,000 cells) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The configuration store (Postgres) is unreachable; nothing changed */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    post?: never;
    /**
     * Delete an archived market's configuration (its versions and history stay)
     * @description Only an archived market may be deleted (archive it first). Its events, minutes, quotes and rollups stay in history under its id, and every version of its configuration in market_versions; the id may be used again.
     *
     *     **Who may call:** admin. The token's markets must include the market it names.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Deleted */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {boolean} */
              deleted: true;
              id: string;
              versionsKept: number;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Nothing by that id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The market is active: archive it first */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The configuration store (Postgres) is unreachable; nothing changed */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List markets
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The markets the caller may act on (every market for a token of all markets) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              markets: ({
                id: string;
                version: number;
                cellCount: number;
                zoneCount: number;
              } & {
                [key: string]: unknown;
              })[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/heatmap": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Every active cell of a market with its multiplier
     * @description **Who may call:** driver, operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Active cells */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              resolution: number;
              computedAt: string;
              cells: {
                cell: string;
                multiplier: number;
                supply: number;
                demand: number;
                seq: number;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among driver, operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/archive": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Archive a market: no longer priced or located, its area free, its history kept
     * @description Events and quotes in its area are then refused as outside every market, and its live feeds stop changing. It stays listed with `archivedAt`; PUT it again to restore it (its area must still be free). Archiving again changes nothing.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description why, for the audit log */
            reason: string;
          };
        };
      };
      responses: {
        /** @description The archived market */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              version: number;
              cellCount: number;
              zoneCount: number;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Nothing by that id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The configuration store (Postgres) is unreachable; nothing changed */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/alerts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A market's alerts now: cells held at the cap, degraded or emergency mode, history backlog, guardrail stops
     * @description **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The alerts, most severe first (none: all is well) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              at: string;
              cells: {
                total: number;
                atCap: number;
              };
              alerts: {
                /** @enum {string} */
                kind: "cap" | "degraded" | "emergency" | "backlog" | "guardrail" | "history-unreachable";
                /** @enum {string} */
                severity: "warning" | "critical";
                /** @description the alert in the answer's language */
                text: string;
                params: {
                  [key: string]: string | number;
                };
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Nothing by that id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/events/supply": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ingest a batch of supply events
     * @description At most 1000 events. Each event is validated on its own: the response counts accepted, duplicate (eventId seen before; nothing changes) and rejected events, with each rejection's index and reason. A batch with no acceptable event is a 422.
     *
     *     **Who may call:** driver, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            events: {
              eventId: string;
              driverId: string;
              lat: number;
              lng: number;
              /** @enum {string} */
              status: "available" | "busy" | "offline";
              /** @description ISO 8601 date-time with offset, or epoch milliseconds */
              at: string | number;
            }[];
          };
        };
      };
      responses: {
        /** @description Accepted (see counts) */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              accepted: number;
              duplicate: number;
              rejected: number;
              rejections: {
                index: number;
                reason: string;
                retryable?: boolean;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among driver, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 ingest requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/events/demand": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ingest a batch of demand events
     * @description At most 1000 events. Each event is validated on its own: the response counts accepted, duplicate (eventId seen before; nothing changes) and rejected events, with each rejection's index and reason. A batch with no acceptable event is a 422.
     *
     *     **Who may call:** rider, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            events: {
              eventId: string;
              riderId?: string;
              lat: number;
              lng: number;
              /** @enum {string} */
              kind: "search" | "request";
              /** @description ISO 8601 date-time with offset, or epoch milliseconds */
              at: string | number;
            }[];
          };
        };
      };
      responses: {
        /** @description Accepted (see counts) */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              accepted: number;
              duplicate: number;
              rejected: number;
              rejections: {
                index: number;
                reason: string;
                retryable?: boolean;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 ingest requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/surge": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The multiplier at a point, with what made it
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query?: {
          lat?: number | null;
          lng?: number | null;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The cell's reading */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              cell: string;
              zone: string;
              market: string;
              multiplier: number;
              supply: number;
              demand: number;
              seq: number;
              computedAt: string;
              /** @description computedAt on the market's clock, in the answer's language (Content-Language) */
              computedAtFormatted: string;
              explanation: {
                supply: number;
                demand: number;
                pooled: {
                  supply: number;
                  demand: number;
                  cells: number;
                };
                ratio: number;
                curve: number;
                cap: number;
                /** @enum {string|null} */
                capApplied: "market" | "emergency" | null;
                target: number;
                previous: number;
                smoothed: number;
                stepLimited: boolean;
                thinData: boolean;
                shown: number;
                /** @description the forecast's part: present when the market's surge.predictive is on or shadow and the cell has a forecast */
                forecast?: {
                  /**
                   * @description on: the forecast priced; shadow: it only says what it would have shown
                   * @enum {string}
                   */
                  mode: "shadow" | "on";
                  modelId: string;
                  horizonMinutes: number;
                  /** @description demand the forecast expects in the cell over the horizon */
                  expected: number;
                  /** @description that rate as the decaying demand a zone counts */
                  expectedLevel: number;
                  weight: number;
                  /** @description live demand raised by weight × the gap to expectedLevel (never lowered) */
                  demandUsed: number;
                  reactiveTarget: number;
                  predictiveTarget: number;
                  /** @description the multiplier with the forecast (in shadow: what it would have been) */
                  predictiveShown: number;
                  predictiveSmoothed: number;
                  /** @description the multiplier live demand alone gave */
                  reactiveShown: number;
                };
                /** @description the experiment arm that priced (or watched) the cell, when it is in one */
                experiment?: {
                  id: string;
                  /** @enum {string} */
                  mode: "live" | "shadow";
                  unit: string;
                  window: number;
                  /** @description the variant drawn for the unit and window (in shadow, the one a live run would charge) */
                  variant: string;
                  /** @description shadow mode: each variant's multiplier, computed and not charged */
                  shadow?: {
                    [key: string]: number;
                  };
                };
              };
              /** @description the price in one sentence for riders, in the answer's language */
              explanationText: string;
              degraded: {
                /** @enum {string} */
                reason: "zone-unavailable";
                /**
                 * @description the last multiplier seen for the cell, or 1.0 when none is recent
                 * @enum {string}
                 */
                basis: "last-known" | "default";
                ageSeconds: number | null;
              } | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description No market covers the point */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/surge/history": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Recent multiplier, supply and demand of a cell
     * @description Points every few seconds (and at every change) over the last minutes, kept by the zone. Older history is in analytics.
     *
     *     **Who may call:** operator, admin, service.
     */
    get: {
      parameters: {
        query: {
          /** @description an H3 pricing cell */
          cell: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Recent points, oldest first */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              cell: string;
              market: string;
              points: {
                at: string;
                multiplier: number;
                supply: number;
                demand: number;
              }[];
            };
          };
        };
        /** @description A problem (RFC 9457) */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/quotes": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * An upfront, signed price for a trip
     * @description Fare = (base + per km + per minute) × the multiplier shown at pickup + booking fee, at least the minimum fare, in the market currency's minor units. The token is an ES256 JWS; present it to /v1/quotes/verify (or check it against /.well-known/jwks.json) to honour the price until it expires.
     *
     *     **Who may call:** rider, service, operator, admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            pickup: {
              lat: number;
              lng: number;
            };
            dropoff: {
              lat: number;
              lng: number;
            };
            /** @description one of the pickup market's product ids, as GET /v1/markets/{marketId} lists them (the demo markets: standard and xl in nyc-manhattan, bike and car in hcmc-central); another is a 422 naming those offered */
            product: string;
          };
        };
      };
      responses: {
        /** @description The quote */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              quoteId: string;
              /** @description compact JWS (ES256) holding the quote; present it to honour the price */
              token: string;
              market: string;
              product: string;
              currency: string;
              multiplier: number;
              /** @description in the currency's minor units */
              total: number;
              /** @description the total in the market's currency, written in the answer's language */
              totalFormatted: string;
              breakdown: {
                base: number;
                distance: number;
                time: number;
                subtotal: number;
                surcharge: number;
                bookingFee: number;
                minimumFareApplied: boolean;
                total: number;
              };
              distanceMeters: number;
              /** @description in the answer's language and its region's road unit (km or mi) */
              distanceFormatted: string;
              durationSeconds: number;
              durationFormatted: string;
              pickupCell: string;
              issuedAt: string;
              expiresAt: string;
              /** @description expiresAt on the market's clock with its zone's abbreviation */
              expiresAtFormatted: string;
              explanation: {
                supply: number;
                demand: number;
                pooled: {
                  supply: number;
                  demand: number;
                  cells: number;
                };
                ratio: number;
                curve: number;
                cap: number;
                /** @enum {string|null} */
                capApplied: "market" | "emergency" | null;
                target: number;
                previous: number;
                smoothed: number;
                stepLimited: boolean;
                thinData: boolean;
                shown: number;
                /** @description the forecast's part: present when the market's surge.predictive is on or shadow and the cell has a forecast */
                forecast?: {
                  /**
                   * @description on: the forecast priced; shadow: it only says what it would have shown
                   * @enum {string}
                   */
                  mode: "shadow" | "on";
                  modelId: string;
                  horizonMinutes: number;
                  /** @description demand the forecast expects in the cell over the horizon */
                  expected: number;
                  /** @description that rate as the decaying demand a zone counts */
                  expectedLevel: number;
                  weight: number;
                  /** @description live demand raised by weight × the gap to expectedLevel (never lowered) */
                  demandUsed: number;
                  reactiveTarget: number;
                  predictiveTarget: number;
                  /** @description the multiplier with the forecast (in shadow: what it would have been) */
                  predictiveShown: number;
                  predictiveSmoothed: number;
                  /** @description the multiplier live demand alone gave */
                  reactiveShown: number;
                };
                /** @description the experiment arm that priced (or watched) the cell, when it is in one */
                experiment?: {
                  id: string;
                  /** @enum {string} */
                  mode: "live" | "shadow";
                  unit: string;
                  window: number;
                  /** @description the variant drawn for the unit and window (in shadow, the one a live run would charge) */
                  variant: string;
                  /** @description shadow mode: each variant's multiplier, computed and not charged */
                  shadow?: {
                    [key: string]: number;
                  };
                };
              };
              /** @description why this price, in one sentence for riders, in the answer's language */
              explanationText: string;
              degraded: {
                /** @enum {string} */
                reason: "zone-unavailable";
                /**
                 * @description the last multiplier seen for the cell, or 1.0 when none is recent
                 * @enum {string}
                 */
                basis: "last-known" | "default";
                ageSeconds: number | null;
              } | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, service, operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 600 quotes requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The platform is stopping (Retry-After), or its signing key is not configured */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/quotes/verify": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Check a quote token before honouring it
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            token: string;
          };
        };
      };
      responses: {
        /** @description The quote is genuine and current */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {boolean} */
              valid: true;
              quoteId: string;
              market: string;
              product: string;
              currency: string;
              multiplier: number;
              total: number;
              expiresAt: string;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Not valid; `reason` is malformed, signature, expired or foreign */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 600 quotes requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/live": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * WebSocket of multiplier changes
     * @description Upgrade to a WebSocket. Choose cells or a market by query, or later with `{"type":"subscribe","cells":[...]}`. Each change: `{"type":"surge","cell","multiplier","at","seq"}` with a per-cell sequence number (a gap means a missed change). A text `ping` is answered `pong` without waking the server. A whole market (no `cells`) is for drivers, operators, admins and services, as the heatmap. Messages: at most 5 per second (bursts of 10) and 4 KB each, else an error and close code 1008. When the token expires or is revoked the socket closes with 4001. A refused subscription is a problem+json answer to the upgrade; a browser (it sends Origin, and cannot read that answer) gets the socket instead, one `{"type":"error","status","code","detail"}` message and a close with code 4000 + status (4401, 4403, 4404…) whose reason is the detail.
     *
     *     **Who may call:** with `?cells`: rider, driver, operator, admin, service; otherwise: driver, operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: {
          /** @description subscribe to every cell of a market */
          market?: string;
          /** @description comma-separated H3 cells (at most 64) */
          cells?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Switching protocols */
        101: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description A problem (RFC 9457) */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        426: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/kpis": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * KPIs per time bucket: multipliers, supply, demand, quotes, conversion, revenue at surge and at 1.0
     * @description Metrics: avgMultiplier, peakMultiplier, avgSupply, avgDemand, ratio, quotes, verified, conversion, revenueAtSurge, revenueAtOne. Multiplier, supply and demand average over active cell-minutes; revenue counts verified quotes. Hours and days are UTC unless `timezone` names another clock (`market`: the market's). format=csv exports.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query: {
          /** @description start, inclusive */
          from: string;
          /** @description end, exclusive */
          to: string;
          bucket?: "minute" | "hour" | "day";
          /** @description the clock of hour and day buckets: UTC (the default), an IANA zone, or market for the market's own */
          timezone?: string;
          zone?: string;
          cell?: string;
          format?: "json" | "csv";
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Rows, one per bucket */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              columns: string[];
              rows: {
                [key: string]: string | number | null;
              }[];
            };
            "text/csv": string;
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/heatmap/at": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The map of a market as it was at a past minute
     * @description **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query: {
          at: string;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Cells active that minute */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              columns: string[];
              rows: {
                [key: string]: string | number | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/analytics/reports": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A custom report: whitelisted dimensions, metrics and filters over a time range
     * @description **Who may call:** operator, admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /**
             * Format: date-time
             * @description start, inclusive
             */
            from: string;
            /**
             * Format: date-time
             * @description end, exclusive
             */
            to: string;
            market: string;
            /** @default [] */
            dimensions?: ("zone" | "cell" | "minute" | "hour" | "day")[];
            metrics: (
              | "avgMultiplier"
              | "peakMultiplier"
              | "avgSupply"
              | "avgDemand"
              | "ratio"
              | "activeCellMinutes"
              | "quotes"
              | "verified"
              | "conversion"
              | "revenueAtSurge"
              | "revenueAtOne"
            )[];
            /** @default {} */
            filters?: {
              zone?: string;
              cell?: string;
              product?: string;
            };
            /**
             * @default json
             * @enum {string}
             */
            format?: "json" | "csv";
          };
        };
      };
      responses: {
        /** @description The report */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              columns: string[];
              rows: {
                [key: string]: string | number | null;
              }[];
            };
            "text/csv": string;
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/history/import": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Import demand history (JSON rows or text/csv): idempotent per (cell, at)
     * @description At most 10000 rows per request. CSV: a header naming cell,at,searches,requests,supply (any order), one row per line.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          "application/json": {
            /** @description rows like ["cell","at","searches","requests","supply"] */
            rows: unknown[];
          };
          "text/csv": string;
        };
      };
      responses: {
        /** @description Counts of what was stored */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description rows valid and stored (inserted, updated or unchanged) */
              accepted: number;
              inserted: number;
              /** @description rows whose (cell, at) was known with other counts: replaced */
              updated: number;
              /** @description rows already stored exactly so: importing again changes nothing */
              unchanged: number;
              rejected: number;
              rejections: {
                index: number;
                reason: string;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/forecasts/train": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Fit and backtest every model now on the market's history; promote one only if it beats seasonal naive
     * @description Reads the last `weeks` (default 8) of history, holds out the final two, and scores each model by WAPE at 15, 30 and 60 minutes in a rolling-origin backtest. A cron does this hourly.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          "application/json": {
            weeks?: number;
          };
        };
      };
      responses: {
        /** @description The live model after training */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description the live model after this training */
              modelId: string;
              kind: string;
              trainedAt: string;
              intervalMinutes: number;
              backtest: {
                horizons: {
                  [key: string]: {
                    wape: number;
                    seasonalNaiveWape: number;
                    dispersion: number;
                  };
                };
              };
              /** @description a model beat seasonal naive at every horizon and serves; false: seasonal naive serves */
              promoted: boolean;
              /** @description every model this training fitted, with its backtest */
              models: {
                modelId: string;
                marketId: string;
                version: number;
                kind: string;
                trainedAt: string;
                intervalMinutes: number;
                dataFrom: string;
                dataTo: string;
                /** @description the held-out weeks start here: the backtest's rolling origins */
                heldOutFrom: string;
                params: {
                  [key: string]: number;
                };
                backtest: {
                  /** @description by horizon in minutes: "15", "30", "60" */
                  horizons: {
                    [key: string]: {
                      wape: number;
                      seasonalNaiveWape: number;
                      dispersion: number;
                    };
                  };
                  meanWape: number;
                  units: number;
                };
                beatsSeasonalNaive: boolean;
                live: boolean;
              }[];
              /** @description zones the forecasts were pushed to */
              zones: number;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Not enough history (at least 3 weeks) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/models": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Every model version of the market with its backtest, and which one is live
     * @description **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Newest first */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              live: string | null;
              models: {
                modelId: string;
                marketId: string;
                version: number;
                kind: string;
                trainedAt: string;
                intervalMinutes: number;
                dataFrom: string;
                dataTo: string;
                /** @description the held-out weeks start here: the backtest's rolling origins */
                heldOutFrom: string;
                params: {
                  [key: string]: number;
                };
                backtest: {
                  /** @description by horizon in minutes: "15", "30", "60" */
                  horizons: {
                    [key: string]: {
                      wape: number;
                      seasonalNaiveWape: number;
                      dispersion: number;
                    };
                  };
                  meanWape: number;
                  units: number;
                };
                beatsSeasonalNaive: boolean;
                live: boolean;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/forecast": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The live model's forecast per cell (or for the market) over the next minutes, with an 80 % band
     * @description **Who may call:** operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: {
          /** @description comma-separated H3 cells of the market (at most 100) */
          cells?: string;
          /** @description market: one series, the sum of every cell */
          level?: "cell" | "market";
          /** @description minutes ahead */
          horizon?: number;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Series */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              modelId: string | null;
              generatedAt: string | null;
              intervalMinutes: number;
              series: {
                cell: string;
                points: {
                  at: string;
                  demand: number;
                  low: number;
                  high: number;
                  supply?: number;
                }[];
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/hotspots": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Cells ranked by expected shortage of drivers over the next 15–60 minutes (for driver apps)
     * @description **Who may call:** driver, operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: {
          /** @description minutes ahead */
          horizon?: number;
          limit?: number;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Cells, most short first (only those short of drivers) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              modelId: string | null;
              generatedAt: string | null;
              horizonMinutes: number;
              cells: {
                cell: string;
                lat: number;
                lng: number;
                /** @description demand expected in the cell over the horizon */
                expectedDemand: number;
                /** @description available drivers expected */
                expectedSupply: number;
                /** @description drivers short: expected demand (as the zone counts it) per target ratio, less supply */
                shortage: number;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among driver, operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/forecast/cells": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Every cell's expected demand and drivers short over the next 15 to 60 minutes (the console's forecast layer)
     * @description Every cell the live model forecasts, short of drivers or not; shortages as `GET …/hotspots` ranks them. A market without a trained model has none.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: {
          /** @description minutes ahead */
          horizon?: number;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Cells, in no order */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              modelId: string | null;
              /** @description when the live model was trained */
              generatedAt: string | null;
              horizonMinutes: number;
              cells: {
                cell: string;
                /** @description demand expected in the cell over the horizon */
                expectedDemand: number;
                /** @description drivers short, as `GET …/hotspots` ranks them; 0 where none are */
                shortage: number;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/forecast/actuals": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A cell's forecast beside the demand that came, per interval, over the last hours and the hours ahead
     * @description Before `aheadFrom` the forecast is the live model's backtest, each made `backtestHorizonMinutes` ahead with only what was known then (as its WAPE was scored); from it, the forecasts the model made when it was trained. Actual demand is imported history plus the demand events accepted, in the forecasts' units.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query: {
          /** @description an H3 cell of the market */
          cell: string;
          /** @description hours of the past to compare */
          hours?: number;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Points, oldest first */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              cell: string;
              modelId: string | null;
              /** @description when the live model was trained */
              generatedAt: string | null;
              intervalMinutes: number;
              /** @description the end of the data the live model learnt from: from here, the forecasts it made then; before, its backtest */
              aheadFrom: string | null;
              /** @description how far ahead each backtest forecast (before `aheadFrom`) was made */
              backtestHorizonMinutes: number;
              /** @description Σ|actual − forecast| / Σ actual over the intervals that have both; null when no demand came */
              wape: number | null;
              points: {
                /** @description the interval's start */
                at: string;
                /** @description demand that came (requests and weighted searches); null until the interval ends */
                actual: number | null;
                forecast: number | null;
                /** @description the forecast's 80 % band */
                low: number | null;
                high: number | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/calendar/{entryId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One known happening
     * @description **Who may call:** operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
          entryId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The entry */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              entryId: string;
              market: string;
              name: string;
              kind: string;
              from: string;
              to: string;
              updatedAt: string;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    /**
     * Register or replace a known happening (a concert, a match, a holiday)
     * @description **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
          entryId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
            /**
             * @default other
             * @enum {string}
             */
            kind?: "concert" | "match" | "conference" | "holiday" | "other";
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            lat?: number;
            lng?: number;
            radiusKm?: number;
            cells?: string[];
            expectedAttendance?: number;
          };
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              entryId: string;
              market: string;
              name: string;
              kind: string;
              from: string;
              to: string;
              updatedAt: string;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              entryId: string;
              market: string;
              name: string;
              kind: string;
              from: string;
              to: string;
              updatedAt: string;
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/calendar": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The market's known happenings, earliest first (from/to narrow them to those overlapping)
     * @description **Who may call:** operator, admin, service. The token's markets must include the market it names.
     */
    get: {
      parameters: {
        query?: {
          from?: string;
          to?: string;
        };
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Entries */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              entries: ({
                entryId: string;
                market: string;
                name: string;
                kind: string;
                from: string;
                to: string;
                updatedAt: string;
              } & {
                [key: string]: unknown;
              })[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, service, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/experiments/{experimentId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An experiment and where it is in its life
     * @description **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          experimentId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The experiment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              market: string;
              name: string;
              /** @enum {string} */
              design: "switchback" | "rider";
              windowMinutes: number;
              burnInMinutes: number;
              unitResolution: number;
              variants: {
                id: string;
                /** @description relative share of units; weights need not sum to 1 */
                weight: number;
                /** @description the surge settings this variant changes; absent: the market's */
                surge?: {
                  enabled?: boolean;
                  /** @description never above the market's cap: a higher one is clamped to it */
                  cap?: number;
                  targetRatio?: number;
                  priorWeight?: number;
                  minDemand?: number;
                  sensitivity?: number;
                  exponent?: number;
                  deadband?: number;
                  smoothing?: number;
                  maxStepUp?: number;
                  maxStepDown?: number;
                  displayHysteresis?: number;
                  neighbourWeight?: number;
                };
              }[];
              /** @enum {string} */
              mode: "shadow" | "live";
              from: string;
              to: string;
              /** @enum {string} */
              primaryMetric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
              guardrails: {
                /** @enum {string} */
                metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                /**
                 * @description the direction in which this metric is harmed
                 * @enum {string}
                 */
                worseIf: "lower" | "higher";
                /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
                tolerance: number;
              }[];
              /** @enum {string} */
              status: "scheduled" | "running" | "ended" | "stopped";
              createdAt: string;
              updatedAt: string;
              stoppedAt: string | null;
              stopReason: string | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    /**
     * Define a pricing experiment (or change one that has not started)
     * @description A switchback randomises each unit (an H3 cell at `unitResolution`) in each `windowMinutes` window afresh, by a keyed hash; the first `burnInMinutes` of every window are left out of the results. Live: the drawn variant's surge settings price the unit's cells (never above the market's cap or an operator's). Shadow: every variant is priced beside the market's multiplier and recorded; the market's is charged. One experiment at a time per market.
     *
     *     **Who may call:** operator, admin.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          experimentId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            market: string;
            name: string;
            /**
             * @description switchback: each (unit cell × time window) drawn afresh; rider: each rider keeps one variant (only for what does not touch shared supply, so no surge settings)
             * @enum {string}
             */
            design: "switchback" | "rider";
            /** @default 30 */
            windowMinutes?: number;
            /**
             * @description dropped at the start of each window (carryover)
             * @default 5
             */
            burnInMinutes?: number;
            /**
             * @description H3 resolution of a switchback unit: the market's pricing cells or coarser
             * @default 6
             */
            unitResolution?: number;
            /** @description the first variant is the control the others are compared with */
            variants: {
              id: string;
              /** @description relative share of units; weights need not sum to 1 */
              weight: number;
              /** @description the surge settings this variant changes; absent: the market's */
              surge?: {
                enabled?: boolean;
                /** @description never above the market's cap: a higher one is clamped to it */
                cap?: number;
                targetRatio?: number;
                priorWeight?: number;
                minDemand?: number;
                sensitivity?: number;
                exponent?: number;
                deadband?: number;
                smoothing?: number;
                maxStepUp?: number;
                maxStepDown?: number;
                displayHysteresis?: number;
                neighbourWeight?: number;
              };
            }[];
            /**
             * @description shadow: every variant computed and recorded, the market's charged
             * @enum {string}
             */
            mode: "shadow" | "live";
            /**
             * Format: date-time
             * @description start, rounded down to the minute; windows count from it
             */
            from: string;
            /**
             * Format: date-time
             * @description end, exclusive
             */
            to: string;
            /**
             * @default conversion
             * @enum {string}
             */
            primaryMetric?: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
            /** @default [] */
            guardrails?: {
              /** @enum {string} */
              metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
              /**
               * @description the direction in which this metric is harmed
               * @enum {string}
               */
              worseIf: "lower" | "higher";
              /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
              tolerance: number;
            }[];
          };
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              market: string;
              name: string;
              /** @enum {string} */
              design: "switchback" | "rider";
              windowMinutes: number;
              burnInMinutes: number;
              unitResolution: number;
              variants: {
                id: string;
                /** @description relative share of units; weights need not sum to 1 */
                weight: number;
                /** @description the surge settings this variant changes; absent: the market's */
                surge?: {
                  enabled?: boolean;
                  /** @description never above the market's cap: a higher one is clamped to it */
                  cap?: number;
                  targetRatio?: number;
                  priorWeight?: number;
                  minDemand?: number;
                  sensitivity?: number;
                  exponent?: number;
                  deadband?: number;
                  smoothing?: number;
                  maxStepUp?: number;
                  maxStepDown?: number;
                  displayHysteresis?: number;
                  neighbourWeight?: number;
                };
              }[];
              /** @enum {string} */
              mode: "shadow" | "live";
              from: string;
              to: string;
              /** @enum {string} */
              primaryMetric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
              guardrails: {
                /** @enum {string} */
                metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                /**
                 * @description the direction in which this metric is harmed
                 * @enum {string}
                 */
                worseIf: "lower" | "higher";
                /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
                tolerance: number;
              }[];
              /** @enum {string} */
              status: "scheduled" | "running" | "ended" | "stopped";
              createdAt: string;
              updatedAt: string;
              stoppedAt: string | null;
              stopReason: string | null;
            };
          };
        };
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              market: string;
              name: string;
              /** @enum {string} */
              design: "switchback" | "rider";
              windowMinutes: number;
              burnInMinutes: number;
              unitResolution: number;
              variants: {
                id: string;
                /** @description relative share of units; weights need not sum to 1 */
                weight: number;
                /** @description the surge settings this variant changes; absent: the market's */
                surge?: {
                  enabled?: boolean;
                  /** @description never above the market's cap: a higher one is clamped to it */
                  cap?: number;
                  targetRatio?: number;
                  priorWeight?: number;
                  minDemand?: number;
                  sensitivity?: number;
                  exponent?: number;
                  deadband?: number;
                  smoothing?: number;
                  maxStepUp?: number;
                  maxStepDown?: number;
                  displayHysteresis?: number;
                  neighbourWeight?: number;
                };
              }[];
              /** @enum {string} */
              mode: "shadow" | "live";
              from: string;
              to: string;
              /** @enum {string} */
              primaryMetric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
              guardrails: {
                /** @enum {string} */
                metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                /**
                 * @description the direction in which this metric is harmed
                 * @enum {string}
                 */
                worseIf: "lower" | "higher";
                /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
                tolerance: number;
              }[];
              /** @enum {string} */
              status: "scheduled" | "running" | "ended" | "stopped";
              createdAt: string;
              updatedAt: string;
              stoppedAt: string | null;
              stopReason: string | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description It has started (stop it and define another), or overlaps another of the market */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/experiments": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The experiments of a market, newest first
     * @description **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query: {
          market: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Experiments */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              experiments: {
                id: string;
                market: string;
                name: string;
                /** @enum {string} */
                design: "switchback" | "rider";
                windowMinutes: number;
                burnInMinutes: number;
                unitResolution: number;
                variants: {
                  id: string;
                  /** @description relative share of units; weights need not sum to 1 */
                  weight: number;
                  /** @description the surge settings this variant changes; absent: the market's */
                  surge?: {
                    enabled?: boolean;
                    /** @description never above the market's cap: a higher one is clamped to it */
                    cap?: number;
                    targetRatio?: number;
                    priorWeight?: number;
                    minDemand?: number;
                    sensitivity?: number;
                    exponent?: number;
                    deadband?: number;
                    smoothing?: number;
                    maxStepUp?: number;
                    maxStepDown?: number;
                    displayHysteresis?: number;
                    neighbourWeight?: number;
                  };
                }[];
                /** @enum {string} */
                mode: "shadow" | "live";
                from: string;
                to: string;
                /** @enum {string} */
                primaryMetric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                guardrails: {
                  /** @enum {string} */
                  metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                  /**
                   * @description the direction in which this metric is harmed
                   * @enum {string}
                   */
                  worseIf: "lower" | "higher";
                  /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
                  tolerance: number;
                }[];
                /** @enum {string} */
                status: "scheduled" | "running" | "ended" | "stopped";
                createdAt: string;
                updatedAt: string;
                stoppedAt: string | null;
                stopReason: string | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/experiments/{experimentId}/assignment": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Which unit, window and variant a place and time (or a rider) are in: deterministic
     * @description **Who may call:** operator, admin, service.
     */
    get: {
      parameters: {
        query?: {
          lat?: number | null;
          lng?: number | null;
          /** @description default: now */
          at?: string;
          /** @description the rider, for the rider design */
          rider?: string;
        };
        header?: never;
        path: {
          experimentId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The assignment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              experiment: string;
              /** @description the H3 cell at the unit resolution (switchback) or the rider (rider design) */
              unit: string;
              window: {
                index: number;
                start: string;
                end: string;
                /** @description true during the window's burn-in, which the analysis drops */
                burnIn: boolean;
              };
              variant: string;
              /** @enum {string} */
              mode: "shadow" | "live";
              /** @description whether the experiment is in force at that time (within its span and not stopped) */
              active: boolean;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/experiments/{experimentId}/stop": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Stop an experiment now: every cell goes back to the market's settings
     * @description **Who may call:** operator, admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          experimentId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Stopped (or already stopped) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              market: string;
              name: string;
              /** @enum {string} */
              design: "switchback" | "rider";
              windowMinutes: number;
              burnInMinutes: number;
              unitResolution: number;
              variants: {
                id: string;
                /** @description relative share of units; weights need not sum to 1 */
                weight: number;
                /** @description the surge settings this variant changes; absent: the market's */
                surge?: {
                  enabled?: boolean;
                  /** @description never above the market's cap: a higher one is clamped to it */
                  cap?: number;
                  targetRatio?: number;
                  priorWeight?: number;
                  minDemand?: number;
                  sensitivity?: number;
                  exponent?: number;
                  deadband?: number;
                  smoothing?: number;
                  maxStepUp?: number;
                  maxStepDown?: number;
                  displayHysteresis?: number;
                  neighbourWeight?: number;
                };
              }[];
              /** @enum {string} */
              mode: "shadow" | "live";
              from: string;
              to: string;
              /** @enum {string} */
              primaryMetric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
              guardrails: {
                /** @enum {string} */
                metric: "conversion" | "revenue" | "revenueAtOne" | "quotes" | "completion" | "multiplier";
                /**
                 * @description the direction in which this metric is harmed
                 * @enum {string}
                 */
                worseIf: "lower" | "higher";
                /** @description relative change allowed on the worse side (0.05: 5%); breached when a variant is surely worse than that */
                tolerance: number;
              }[];
              /** @enum {string} */
              status: "scheduled" | "running" | "ended" | "stopped";
              createdAt: string;
              updatedAt: string;
              stoppedAt: string | null;
              stopReason: string | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/experiments/{experimentId}/results": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Results from history: per variant, the effect with intervals and p-values, sample-ratio check, guardrails
     * @description Computed from Postgres per unit and window after the burn-in. A live experiment whose guardrail is surely breached is stopped by this call (and by the job every 5 minutes), with a failure event.
     *
     *     **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          experimentId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The results */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              experiment: string;
              market: string;
              /** @enum {string} */
              status: "scheduled" | "running" | "ended" | "stopped";
              stopReason: string | null;
              /** @enum {string} */
              mode: "shadow" | "live";
              /** @enum {string} */
              design: "switchback" | "rider";
              primaryMetric: string;
              level: number;
              unitWindows: number;
              variants: {
                id: string;
                weight: number;
                unitWindows: number;
                units: number;
                metrics: {
                  [key: string]: number | null;
                };
                totals: {
                  [key: string]: number;
                };
              }[];
              effects: {
                variant: string;
                control: string;
                metric: string;
                controlValue: number | null;
                variantValue: number | null;
                estimate: number | null;
                relative: number | null;
                clusterRobust: {
                  se: number;
                  df: number;
                  ci: [number, number];
                  p: number;
                  clusters: number;
                  observations: number;
                  relativeCi: [number, number] | null;
                } | null;
                permutation: {
                  p: number;
                  ci: [number, number];
                  permutations: number;
                  exact: boolean;
                } | null;
              }[];
              sampleRatio: {
                chiSquare: number;
                df: number;
                p: number;
                mismatch: boolean;
                threshold: number;
                counts: {
                  [key: string]: number;
                };
              } | null;
              guardrails: {
                metric: string;
                /** @enum {string} */
                worseIf: "lower" | "higher";
                tolerance: number;
                variant: string;
                relativeCi: [number, number] | null;
                breached: boolean;
              }[];
              method: {
                clusterRobust: string;
                permutation: string;
                metrics: {
                  [key: string]: string;
                };
              };
              assumptions: string[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/markets/{marketId}/replay": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run a period's recorded events again through candidate surge settings and compare with what was live
     * @description Multiplier distribution, time at the cap, changes and flaps per active cell-hour, for the candidate, for the market's current settings replayed, and as recorded. Nothing is charged or changed.
     *
     *     **Who may call:** operator, admin. The token's markets must include the market it names.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          marketId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            /** @description settings changed from the market's current ones; absent fields are the market's */
            candidate: {
              enabled?: boolean;
              /** @description never above the market's cap: a higher one is clamped to it */
              cap?: number;
              targetRatio?: number;
              priorWeight?: number;
              minDemand?: number;
              sensitivity?: number;
              exponent?: number;
              deadband?: number;
              smoothing?: number;
              maxStepUp?: number;
              maxStepDown?: number;
              displayHysteresis?: number;
              neighbourWeight?: number;
              searchWeight?: number;
              demandHalfLifeSeconds?: number;
              supplyWindowSeconds?: number;
              neighbourRings?: number;
              updateIntervalMs?: number;
            };
            /**
             * @description a change undone within this long counts as a flap
             * @default 3
             */
            flapMinutes?: number;
          };
        };
      };
      responses: {
        /** @description The comparison */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              market: string;
              from: string;
              to: string;
              /** @description recorded events replayed (the warm-up before `from` included) */
              events: number;
              warmUpSeconds: number;
              candidate: {
                settings: {
                  [key: string]: unknown;
                };
                profile: {
                  cellMinutes: number;
                  mean: number | null;
                  p50: number | null;
                  p90: number | null;
                  p99: number | null;
                  max: number | null;
                  distribution: {
                    multiplier: number;
                    cellMinutes: number;
                    share: number;
                  }[];
                  timeAtCap: number;
                  changesPerHour: number;
                  flapsPerHour: number;
                  flaps: number;
                };
                ticks: number;
                changes: number;
              };
              live: {
                /** @description what the zones showed and history kept (surge_minutes) */
                recorded: {
                  cellMinutes: number;
                  mean: number | null;
                  p50: number | null;
                  p90: number | null;
                  p99: number | null;
                  max: number | null;
                  distribution: {
                    multiplier: number;
                    cellMinutes: number;
                    share: number;
                  }[];
                  timeAtCap: number;
                  changesPerHour: number;
                  flapsPerHour: number;
                  flaps: number;
                };
                /** @description the market's current settings through the same replay: how faithful replay is */
                replayed: {
                  cellMinutes: number;
                  mean: number | null;
                  p50: number | null;
                  p90: number | null;
                  p99: number | null;
                  max: number | null;
                  distribution: {
                    multiplier: number;
                    cellMinutes: number;
                    share: number;
                  }[];
                  timeAtCap: number;
                  changesPerHour: number;
                  flapsPerHour: number;
                  flaps: number;
                };
              };
              assumptions: string[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin, or its markets do not include this one */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description Invalid, or more recorded events than one replay reads */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/dead-letters": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * History messages that kept failing and are parked
     * @description **Who may call:** admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Count and age */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              count: number;
              oldest: string | null;
              reasons: {
                reason: string;
                count: number;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/dead-letters/replay": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send every parked message back to the history queue
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description How many went */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              replayed: number;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/api-keys": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List API keys (never their secrets)
     * @description **Who may call:** admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Keys */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              keys: {
                id: string;
                name: string;
                roles: string[];
                markets: string[];
                routes: string[] | null;
                createdBy: string;
                createdAt: string;
                revokedAt: string | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    /**
     * Create an API key (its secret is shown once, in this response)
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
            /**
             * @default [
             *       "service"
             *     ]
             */
            roles?: ("service" | "rider" | "driver")[];
            markets: string[];
            /** @description route ids (see the access table); omitted = every route its roles allow */
            routes?: string[];
          };
        };
      };
      responses: {
        /** @description The key, with its secret */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              name: string;
              roles: string[];
              markets: string[];
              routes: string[] | null;
              createdBy: string;
              createdAt: string;
              revokedAt: string | null;
              key: string;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/api-keys/{keyId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke an API key (its access tokens, and those it delegated, stop working at once)
     * @description **Who may call:** admin.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          keyId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Revoked */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {boolean} */
              revoked: true;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/users": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add an operator or admin (the TOTP secret is shown once, to enrol an authenticator)
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** Format: email */
            email: string;
            roles: ("operator" | "admin")[];
            markets: string[];
            /** @description omit for single sign-on only */
            password?: string;
            /** @description the language their answers use when a request names none */
            locale?: string;
          };
        };
      };
      responses: {
        /** @description The user and their second factor */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              id: string;
              email: string;
              totp: {
                secret: string;
                uri: string;
              } | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/users/{userId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Disable a user: no more sign-ins, and every token and open socket of theirs stops working
     * @description **Who may call:** admin.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Disabled */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {boolean} */
              disabled: true;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/audit": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Operators' and admins' actions, newest first
     * @description **Who may call:** admin.
     */
    get: {
      parameters: {
        query?: {
          market?: string;
          actor?: string;
          action?: string;
          from?: string;
          to?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Entries */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              entries: {
                id: string;
                at: string;
                actor: string;
                roles: string[];
                action: string;
                target: string;
                market: string | null;
                requestId: string | null;
                detail: {
                  [key: string]: unknown;
                };
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/auth/token": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Exchange credentials for an access token
     * @description Grants: api_key, password (+ totp for operators and admins), refresh_token, id_token (OpenID Connect), cloudflare_access (Cf-Access-Jwt-Assertion header), delegate (a service token minting rider/driver tokens).
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json":
            | {
                /** @enum {string} */
                grant_type: "api_key";
                api_key: string;
              }
            | {
                /** @enum {string} */
                grant_type: "password";
                /** Format: email */
                email: string;
                password: string;
                totp?: string;
              }
            | {
                /** @enum {string} */
                grant_type: "refresh_token";
                refresh_token: string;
              }
            | {
                /** @enum {string} */
                grant_type: "id_token";
                id_token: string;
              }
            | {
                /** @enum {string} */
                grant_type: "cloudflare_access";
              }
            | {
                /** @enum {string} */
                grant_type: "delegate";
                subject: string;
                /** @enum {string} */
                role: "rider" | "driver";
                markets?: string[];
                /** @description the rider's or driver's own locale, as the partner keeps it */
                locale?: string;
              };
        };
      };
      responses: {
        /** @description Tokens */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              access_token: string;
              /** @enum {string} */
              token_type: "Bearer";
              expires_in: number;
              refresh_token?: string;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 20 auth requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/auth/revoke": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Sign out: revoke a refresh token (its whole sign-in) or an access token
     * @description With `refresh_token`: every refresh and access token of that sign-in stops working, open sockets included. With `access_token`: that token. Unknown tokens are answered the same (RFC 7009).
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            refresh_token?: string;
            access_token?: string;
          };
        };
      };
      responses: {
        /** @description Revoked (or already not usable) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {boolean} */
              revoked: true;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 20 auth requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The system's mode, each dependency's health, the live overrides
     * @description **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The mode */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/probe": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Probe every dependency now (the cron trigger does it every minute)
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Probe results and the resulting mode */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/overrides": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Declare an emergency: cap multipliers in a market (or some cells) for a while
     * @description **Who may call:** operator, admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            market: string;
            /** @description omit for the whole market */
            cells?: string[];
            /** @description the highest multiplier shown and charged meanwhile; 1.0 stops surge */
            cap: number;
            minutes: number;
            reason: string;
          };
        };
      };
      responses: {
        /** @description The override */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/overrides/{overrideId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Lift an override before it expires
     * @description **Who may call:** operator, admin.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          overrideId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Lifted */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/backlog": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * History accepted and not yet confirmed in Postgres, across every outbox
     * @description **Who may call:** admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The backlog */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description history rows accepted and not yet confirmed in Postgres */
              pending: number;
              bytes: number;
              oldestAgeMs: number | null;
              /** @description sent to the history queue, waiting for the writer's confirmation */
              inFlight: number;
              /** @enum {string} */
              status: "ok" | "backed-up" | "full";
              draining: boolean;
              /** @description objects that did not answer (their rows are not counted) */
              unreachable: number;
              hosts: {
                name: string;
                pending: number;
                oldestAgeMs: number | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/drain": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Stop taking writes and send every outbox's history now (a local stop); draining ends when the platform restarts
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: {
        content: {
          "application/json": {
            /** @default true */
            draining?: boolean;
          };
        };
      };
      responses: {
        /** @description Draining, and the backlog when asked */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description history rows accepted and not yet confirmed in Postgres */
              pending: number;
              bytes: number;
              oldestAgeMs: number | null;
              /** @description sent to the history queue, waiting for the writer's confirmation */
              inFlight: number;
              /** @enum {string} */
              status: "ok" | "backed-up" | "full";
              draining: boolean;
              /** @description objects that did not answer (their rows are not counted) */
              unreachable: number;
              hosts: {
                name: string;
                pending: number;
                oldestAgeMs: number | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/system/report": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Performance and failure report: per mode, request rate, error rate, latency percentiles; the failure log
     * @description **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query: {
          from: string;
          to: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The report */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/chaos/zone": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Fault injection (resilience tests only): make the zone at a point fail for a while
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            lat: number;
            lng: number;
            seconds: number;
          };
        };
      };
      responses: {
        /** @description The zone fails */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/subscriptions": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your subscriptions, newest first (of one market with ?market=)
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query?: {
          market?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Your subscriptions (never a webhook's secret) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              subscriptions: components["schemas"]["NotificationSubscription"][];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    /**
     * Subscribe to hear of a market: a price crossing a threshold in an area, hotspots, a mode change, an emergency, a backlog, a guardrail stop
     * @description Riders and drivers subscribe for themselves; operators and partners' back ends for their markets (whole-market topics are theirs). A webhook's answer carries its signing secret, once.
     *
     *     **Who may call:** rider, driver, operator, admin, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @enum {string} */
            topic:
              | "surge.above"
              | "surge.below"
              | "hotspots"
              | "system.mode"
              | "system.emergency"
              | "system.backlog"
              | "experiment.guardrail";
            market: string;
            lat?: number;
            lng?: number;
            radiusKm?: number;
            cells?: string[];
            /** @description surge topics: the multiplier to cross (below: from ≥ threshold to under it; above: from under to ≥) */
            threshold?: number;
            /** @enum {string} */
            channel: "webhook" | "webpush" | "fcm" | "apns" | "email" | "sms";
            /** @description a webhook URL, a PushSubscription, an FCM or APNs token, an email address or an E.164 number */
            target:
              | string
              | {
                  /** Format: uri */
                  endpoint: string;
                  keys: {
                    p256dh: string;
                    auth: string;
                  };
                };
            /** @description the language of the messages; by default the caller's, else the market's */
            locale?: string;
            /** @description the recipient's; the market's by default */
            timeZone?: string;
            /** @description nothing is sent between from and to in the recipient's time zone; what arrives waits for the end, in one message */
            quietHours?: {
              from: string;
              to: string;
            };
            /** Format: date-time */
            expiresAt?: string;
            /**
             * @description gather what happens within this many minutes of the first notice into one message (0: send at once)
             * @default 0
             */
            digestMinutes?: number;
            /**
             * @description at most count messages per minutes to this recipient; more wait and go as one digest
             * @default {
             *       "count": 10,
             *       "minutes": 60
             *     }
             */
            limit?: {
              count: number;
              minutes: number;
            };
          };
        };
      };
      responses: {
        /** @description Subscribed */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["NotificationSubscriptionCreated"];
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/subscriptions/{subscriptionId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One of your subscriptions (its state: active, or disabled with the reason)
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          subscriptionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The subscription */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["NotificationSubscription"];
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /**
     * Unsubscribe: nothing more is sent, and what waited is cancelled
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          subscriptionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Deleted */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["NotificationSubscription"];
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/subscriptions/{subscriptionId}/replay": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send again what was parked (the dead letters of this subscription), enabling a disabled target
     * @description For after the target is fixed: a webhook back up, a new token. Parked deliveries go now, in order.
     *
     *     **Who may call:** rider, driver, operator, admin, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          subscriptionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Replayed */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              replayed: number;
              enabled: boolean;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The input does not match the schema: every field at fault is in `errors` */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/deliveries": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The delivery log of one of your subscriptions, newest first
     * @description **Who may call:** rider, driver, operator, admin, service.
     */
    get: {
      parameters: {
        query: {
          subscription: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Deliveries */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              subscription: string;
              deliveries: components["schemas"]["NotificationDelivery"][];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among rider, driver, operator, admin, service */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/vapid-public-key": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The VAPID public key browsers subscribe to Web Push with (applicationServerKey) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The key */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              publicKey: string;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/notifications/mailbox": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * On a developer's machine only: every message the providers' stand-ins received, newest first
     * @description The dev command points every channel's provider at a local mailbox (bridges/mailbox.ts); this reads it. Where no mailbox is configured (production), a 404.
     *
     *     **Who may call:** operator, admin.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The mailbox */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              messages: components["schemas"]["MailboxMessage"][];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among operator, admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/locales": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Supported locales, with each catalogue's completeness
     * @description The locale of an answer is negotiated in this order: ?locale=, Accept-Language, the caller's saved locale, the market's default, then English; Content-Language says which won. A message a catalogue lacks is said by its draft (machine-translated, or reviewed by an admin) where there is one, else in English.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Every catalogue */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              default: string;
              locales: {
                /** @description a BCP 47 language: any tag of it may be asked for (vi, vi-VN) */
                language: string;
                /** @description the language's own name for itself */
                name: string;
                /** @enum {string} */
                direction: "ltr" | "rtl";
                /** @description messages English has */
                messages: number;
                translated: number;
                /** @description translated / messages, 0–1 */
                completeness: number;
                /** @description keys its catalogue lacks: said by a draft where there is one, else in English */
                missing: string[];
                /** @description missing keys said by a machine's draft no one has reviewed yet (answers that use one name it in Equilibrium-Machine-Translated) */
                machineTranslated: string[];
                /** @description missing keys said by a draft an admin approved or wrote */
                reviewedDrafts: string[];
              }[];
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/translations": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Drafts of messages the catalogues lack, for review
     * @description **Who may call:** admin.
     */
    get: {
      parameters: {
        query?: {
          /** @description a language drafts are made for (English is the reference) */
          language?: "vi" | "es" | "ar";
          status?: "machine" | "approved" | "rejected";
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The drafts */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              drafts: {
                language: string;
                key: string;
                /** @description the English message this draft translates */
                english: string;
                text: string;
                /**
                 * @description machine: a model's, unreviewed (said, and marked as such)
                 * @enum {string}
                 */
                status: "machine" | "approved" | "rejected";
                /** @description the model that drafted it, or the admin who wrote it */
                author: string;
                /** @description false once English has changed since: not said until drafted or written again */
                current: boolean;
                createdAt: string;
                reviewedBy: string | null;
                reviewedAt: string | null;
              }[];
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/translations/draft": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Draft what the catalogues lack now (machine translation; the minute cron does it too)
     * @description Runs one drafting pass and answers what it did. Only this admin request waits for the model: rendering never does.
     *
     *     **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: {
        content: {
          "application/json": {
            languages?: ("vi" | "es" | "ar")[];
            /**
             * @description translator calls at most
             * @default 50
             */
            limit?: number;
          };
        };
      };
      responses: {
        /** @description What the pass did */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              drafted: number;
              /** @description the translator gave no answer (failing, too slow, or its breaker open) */
              failed: number;
              /** @description answers that lost or changed a placeholder: not stored */
              unusable: number;
              /** @description plural and select messages: never sent to a model */
              keptInEnglish: number;
              remaining: number;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/admin/translations/{language}/{key}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Approve, reject or write the draft of one message
     * @description **Who may call:** admin.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a language drafts are made for (English is the reference) */
          language: "vi" | "es" | "ar";
          key: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json":
            | {
                /** @enum {string} */
                decision: "approve";
              }
            | {
                /** @enum {string} */
                decision: "reject";
              }
            | {
                /** @enum {string} */
                decision: "edit";
                /** @description ICU MessageFormat with English's placeholders; stored as approved */
                text: string;
              };
        };
      };
      responses: {
        /** @description The draft after the decision */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              language: string;
              key: string;
              /** @description the English message this draft translates */
              english: string;
              text: string;
              /**
               * @description machine: a model's, unreviewed (said, and marked as such)
               * @enum {string}
               */
              status: "machine" | "approved" | "rejected";
              /** @description the model that drafted it, or the admin who wrote it */
              author: string;
              /** @description false once English has changed since: not said until drafted or written again */
              current: boolean;
              createdAt: string;
              reviewedBy: string | null;
              reviewedAt: string | null;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description The token's roles are not among admin */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/feedback": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Tell us about a price in your own words; the reply is in the language you wrote in
     * @description **Who may call:** rider, driver, service.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            market: string;
            note: string;
            /** @description the quote the note is about, if any */
            quoteId?: string;
          };
        };
      };
      responses: {
        /** @description Received */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              feedbackId: string;
              /** @description the note's language, if it could be told (confidence: how far ahead of the runner-up, 0–1) */
              detected: {
                language: string;
                confidence: number;
              } | null;
              /** @description the language of this reply */
              locale: string;
              message: string;
            };
          };
        };
        /** @description No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer) */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description A problem (RFC 9457) */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description The body is over 512 KiB */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
        /** @description More than 1200 reads requests in 60 s from this caller (Retry-After says when to try again) */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        /** @description A problem (RFC 9457) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/problem+json": {
              type: string;
              /** @description the status's name, in the answer's language (Content-Language) */
              title: string;
              status: number;
              code: components["schemas"]["ProblemCode"];
              /** @description what went wrong here, in the answer's language (Content-Language) */
              detail: string;
              instance?: string;
              errors?: {
                path: string;
                message: string;
              }[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * @description stable and machine-readable: what went wrong, whatever the language
     * @enum {string}
     */
    ProblemCode:
      | "access-assertion-missing"
      | "analytics-worker-failed"
      | "api-key-malformed"
      | "api-key-refused"
      | "api-key-unknown"
      | "area-outside-market"
      | "bad-request"
      | "batch-rejected"
      | "batch-too-large"
      | "bearer-required"
      | "body-not-json"
      | "calendar-entry-unknown"
      | "cell-not-h3"
      | "cell-not-in-market"
      | "cell-not-priced"
      | "cells-too-many"
      | "chaos-disabled"
      | "conflict"
      | "csv-empty"
      | "csv-invalid"
      | "database-unreachable"
      | "delegate-market"
      | "delegate-not-service"
      | "drain-body"
      | "draining"
      | "error"
      | "experiment-market"
      | "experiment-over"
      | "experiment-overlap"
      | "experiment-started"
      | "experiment-unknown"
      | "expiry-past"
      | "forbidden"
      | "geofence-ambiguous"
      | "geofence-empty"
      | "geofence-too-detailed"
      | "geofence-too-large"
      | "history-unreachable"
      | "import-media-type"
      | "import-too-large"
      | "ingest-token-required"
      | "internal"
      | "invalid-batch"
      | "invalid-body"
      | "invalid-path"
      | "invalid-query"
      | "live-cell-other-market"
      | "live-cells-empty"
      | "live-target-missing"
      | "live-token-required"
      | "live-too-many-cells"
      | "locale-unsupported"
      | "mailbox-off"
      | "mailbox-unreachable"
      | "malformed-json"
      | "market-forbidden"
      | "market-not-archived"
      | "market-overlap"
      | "market-unknown"
      | "method-not-allowed"
      | "mfa-not-enrolled"
      | "mfa-replayed"
      | "mfa-required"
      | "mfa-wrong"
      | "no-route"
      | "not-enough-history"
      | "not-found"
      | "notifications-unavailable"
      | "override-unknown"
      | "payload-too-large"
      | "pickup-outside"
      | "point-outside-experiment"
      | "point-outside-markets"
      | "product-unknown"
      | "quote-invalid"
      | "range-reversed"
      | "range-too-long"
      | "rate-limited"
      | "refresh-malformed"
      | "refresh-refused"
      | "refresh-reused"
      | "replay-too-large"
      | "rider-required"
      | "role-forbidden"
      | "route-id-unknown"
      | "route-not-in-scope"
      | "shadow-metric"
      | "sign-in-locked"
      | "signing-key-malformed"
      | "signing-no-key"
      | "signing-not-configured"
      | "sso-assertion-invalid"
      | "sso-email-unverified"
      | "sso-not-configured"
      | "sso-unknown-user"
      | "subscription-unknown"
      | "subscriptions-too-many"
      | "target-refused"
      | "time-outside-experiment"
      | "token-invalid"
      | "token-required"
      | "token-revoked"
      | "too-large"
      | "too-many-requests"
      | "topic-forbidden"
      | "translation-draft-invalid"
      | "translation-draft-stale"
      | "translation-draft-unknown"
      | "translation-key-unknown"
      | "translation-not-missing"
      | "trip-too-long"
      | "unauthorized"
      | "unavailable"
      | "unit-resolution-too-fine"
      | "unprocessable"
      | "unsupported-media-type"
      | "upgrade-required"
      | "user-exists"
      | "user-unknown"
      | "websocket-required"
      | "wrong-password"
      | "zones-unavailable";
    NotificationSubscriptionCreated: components["schemas"]["NotificationSubscription"] & {
      /** @description a webhook's signing secret: shown once, here */
      secret?: string;
    };
    NotificationSubscription: {
      subscriptionId: string;
      market: string;
      owner: string;
      /** @enum {string} */
      topic:
        | "surge.above"
        | "surge.below"
        | "hotspots"
        | "system.mode"
        | "system.emergency"
        | "system.backlog"
        | "experiment.guardrail";
      threshold: number | null;
      cells: string[];
      area: {
        lat: number;
        lng: number;
        radiusKm: number;
      } | null;
      /** @enum {string} */
      channel: "webhook" | "webpush" | "fcm" | "apns" | "email" | "sms";
      target:
        | string
        | ({
            endpoint: string;
          } & {
            [key: string]: unknown;
          });
      locale: string;
      timeZone: string;
      quietHours: {
        from: string;
        to: string;
      } | null;
      digestMinutes: number;
      limit: {
        count: number;
        minutes: number;
      };
      expiresAt: string | null;
      /** @enum {string} */
      status: "active" | "disabled" | "deleted";
      statusReason: string | null;
      createdAt: string;
    };
    NotificationDelivery: {
      deliveryId: string;
      /** @description scheduled, retrying, sent, parked (with its reason) or cancelled */
      status: string;
      attempts: number;
      sendAt: string;
      sentAt: string | null;
      lastError: string | null;
      locale: string;
      notices: {
        id: string;
        at: number;
        summary: string;
      }[];
    };
    MailboxMessage: {
      id: number;
      at: string;
      /** @enum {string} */
      channel: "email" | "sms" | "fcm" | "apns" | "webpush" | "webhook";
      /** @description the recipient as the provider was told: an address, a number, a token, a path */
      to: string;
      title: string;
      body: string;
      request: {
        method: string;
        path: string;
        contentType: string;
        body: string;
      };
    };
    Problem: {
      type: string;
      /** @description the status's name, in the answer's language (Content-Language) */
      title: string;
      status: number;
      code: components["schemas"]["ProblemCode"];
      /** @description what went wrong here, in the answer's language (Content-Language) */
      detail: string;
      instance?: string;
      errors?: {
        path: string;
        message: string;
      }[];
    } & {
      [key: string]: unknown;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
