// Every failed API call becomes an ApiError. Its `message` is what the operator reads; it is
// chosen by the problem's stable `code` (never by parsing English), and falls back to the
// server's `detail` because that is written for a person too.

import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"];

/** Codes that exist only on this side of the wire. */
export const CLIENT_CODES = {
  network: "network_error",
  unexpected: "unexpected_response",
} as const;

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  /** A short heading for banners, e.g. "Wrong password". */
  readonly title: string;
  /** The server's own explanation, kept for details and logs. */
  readonly detail: string;
  /** With `sync_already_running`: the job that is running. */
  readonly jobId: number | null;
  /** With `login_throttled`: seconds until a sign-in may be tried again. */
  readonly retryAfterSecs: number | null;
  /** With `invalid_mapping`: the 0-based position of the mapping entry `detail` names. */
  readonly entry: number | null;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail: string;
    jobId?: number | null;
    retryAfterSecs?: number | null;
    entry?: number | null;
  }) {
    const jobId = init.jobId ?? null;
    const retryAfterSecs = init.retryAfterSecs ?? null;
    super(userMessage(init.code, init.detail, init.status, jobId, retryAfterSecs));
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.jobId = jobId;
    this.retryAfterSecs = retryAfterSecs;
    this.entry = init.entry ?? null;
  }

  /** 4xx answers will not change by asking again; retrying them only delays the message. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

function userMessage(
  code: string,
  detail: string,
  status: number,
  jobId: number | null,
  retryAfterSecs: number | null,
): string {
  switch (code) {
    case "invalid_credentials":
      return "That password is not correct. Check it and try again.";
    case "login_throttled":
      return throttledMessage(retryAfterSecs);
    case "unauthorized":
      return "Your session has ended. Sign in again.";
    case "sync_already_running":
      return jobId === null
        ? "A sync of this filter is already running. Wait for it to finish."
        : `A sync of this filter is already running (job #${jobId}). Wait for it to finish.`;
    case "filter_not_found":
      return "This filter does not exist, or it was deleted in Pipedrive. Refresh the filters.";
    case "sync_job_not_found":
      return "This sync job does not exist.";
    case "upstream_not_configured":
      // The detail names the variable to set; settings are read when the server starts.
      return `${detail || "An upstream API is not configured on the server."} Then restart the server.`;
    case "upstream_error":
      // The server's detail names the API, the HTTP status and what to check.
      return detail || "Pipedrive did not answer as expected. Nothing was changed.";
    case "invalid_mapping":
      // The detail names entries by their JSON path; the page numbers its rows from 1.
      return detail ? entriesAsRows(detail) : "The field mapping has a problem.";
    case "alerts_not_configured":
      // The detail names ALERT_WEBHOOK_URL; like every setting, it is read at start-up.
      return `${detail || "Alerts are not configured on the server."} Then restart the server.`;
    case "alert_not_delivered":
      // The detail has the receiver's own answer (its HTTP status and body), or why it gave none.
      return detail || "The alert receiver did not take the test alert.";
    case "shutting_down":
      return "The server is restarting. Try again in a moment.";
    case "cross_origin_request":
      return "The server refused a request that did not come from this page. Reload the page.";
    case "internal_error":
    case "database_unavailable":
      return "The server could not complete the request. Try again; if it keeps failing, check the server log.";
    case CLIENT_CODES.network:
      return "Cannot reach the server. Check that it is running and your connection, then try again.";
    default:
      return detail || `The request failed (HTTP ${status}).`;
  }
}

/** "mappings[2] and mappings[0] both write …" → "row 3 and row 1 both write …". */
export function entriesAsRows(detail: string): string {
  return detail.replace(/\bmappings\[(\d+)\]/g, (_, index: string) => `row ${Number(index) + 1}`);
}

/** The sign-in page counts down with this as the wait shrinks. */
export function throttledMessage(retryAfterSecs: number | null): string {
  return retryAfterSecs === null
    ? "Too many failed sign-ins. Wait a while, then try again."
    : `Too many failed sign-ins. Try again in ${formatWait(retryAfterSecs)}.`;
}

/** "45 seconds", "1 minute", "15 minutes" — rounded up, so waiting that long is enough. */
export function formatWait(seconds: number): string {
  const secs = Math.max(1, Math.ceil(seconds));
  if (secs < 60) return secs === 1 ? "1 second" : `${secs} seconds`;
  const minutes = Math.ceil(secs / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== "object" || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return typeof candidate.code === "string" && typeof candidate.status === "number";
}

/** Builds the ApiError for a non-2xx response; reads the body, so call it once. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  const text = await response.text().catch(() => "");
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's HTML error page, say. Fall through to the generic message.
  }
  const retryAfterSecs = parseRetryAfter(response.headers.get("Retry-After"));
  if (isProblem(body)) {
    return new ApiError({
      status: response.status,
      code: body.code,
      title: body.title || response.statusText,
      detail: body.detail,
      jobId: body.job_id ?? null,
      retryAfterSecs,
      entry: body.entry ?? null,
    });
  }
  return new ApiError({
    status: response.status,
    code: CLIENT_CODES.unexpected,
    title: response.statusText || "Request failed",
    detail: "",
    retryAfterSecs,
  });
}

/** For code paths that may receive anything thrown: always a readable message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
