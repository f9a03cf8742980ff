// A tiny fetch-based GraphQL client for CID Graph's /graphql.
export const TOKEN_KEY = 'cid-graph-token';
export const LANG_KEY = 'cid-graph-lang';

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; hint?: string | null };
}

/** A failed request: HTTP status (0 when the server was not reached), the API's code, message and hint. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly hint: string | null,
  ) {
    super(message);
  }
  get unauthenticated(): boolean {
    return this.status === 401 || this.code === 'UNAUTHENTICATED';
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  opts: { token?: string | null; locale?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const token = opts.token ?? getToken();
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.locale) headers['Accept-Language'] = opts.locale;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError((err as Error).message || 'network error', 0, 'NETWORK', null);
  }
  let body: { data?: T | null; errors?: GraphQLErrorShape[] } | null = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const first = body?.errors?.[0];
  if (!response.ok || first || !body?.data) {
    const message = first?.message ?? `HTTP ${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status, first?.extensions?.code ?? null, first?.extensions?.hint ?? null);
  }
  return body.data;
}

// --- the result types the dashboard reads (see docs/queries/*.graphql, fragment Result) -----
export interface Comparison {
  kind: string;
  peerGroup: string | null;
  value?: number | null;
  share: number | null;
  peerShare: number | null;
  index: number | null;
  suppressed: boolean;
  reason: string | null;
  /** PREVIOUS_PERIOD / SAME_PERIOD_LAST_YEAR: value is the earlier period's. */
  delta?: number | null;
  ratio?: number | null;
  /** Like for like: this period's value over the organizations compared, and how many they are. */
  currentValue?: number | null;
  organizationsCompared?: number | null;
}
export interface MetricValue {
  metric: string;
  value: number | null;
  suppressed: boolean;
  reason: string | null;
  comparisons: Comparison[] | null;
}
export interface DimensionValue {
  dimension: string;
  value: string | null;
  label: string | null;
}
export interface Row {
  dimensions: DimensionValue[];
  metrics: MetricValue[];
}
export interface InsightResult {
  columns: { name: string; kind: string; label: string; unit: string | null; dimension: string | null; metric: string | null }[];
  rows: Row[];
  meta: { rowCount: number; truncated: boolean; scope: string; suppressedCells: number; locale: string; privacyK: number;
    populationAdjusted?: boolean };
}

export interface DemoToken {
  token: string;
  role: string;
  org_id: string | null;
  name: string;
  org_type?: string;
  country?: string;
}

export async function demoTokens(): Promise<DemoToken[]> {
  try {
    const response = await fetch('/demo/tokens', { headers: { Accept: 'application/json' } });
    if (!response.ok) return [];
    const body = (await response.json()) as { tokens?: DemoToken[] };
    return body.tokens ?? [];
  } catch {
    return [];
  }
}
