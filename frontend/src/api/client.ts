// The only module that talks to the server. Its middleware turns every non-2xx answer into an
// ApiError (so callers never inspect `error` objects) and hands 401s to one place that sends
// the operator to the sign-in page.

import createClient, { type Middleware } from "openapi-fetch";

import { ApiError, CLIENT_CODES, apiErrorFromResponse } from "./errors";
import type { components, paths } from "./schema";

export type Filter = components["schemas"]["FilterOut"];
export type SyncJob = components["schemas"]["SyncJobOut"];
export type JobStatus = components["schemas"]["JobStatusOut"];
export type RefreshResult = components["schemas"]["RefreshOut"];
export type SyncJobPage = components["schemas"]["SyncJobPage"];
export type Me = components["schemas"]["MeOut"];
export type SyncMode = components["schemas"]["SyncModeOut"];
export type FilterSettings = components["schemas"]["UpdateFilterIn"];
export type StartSyncOptions = components["schemas"]["StartSyncIn"];
export type Change = components["schemas"]["ChangeOut"];
export type ChangeAction = components["schemas"]["ChangeActionOut"];
export type ChangePage = components["schemas"]["ChangePage"];
export type FieldMapping = components["schemas"]["FieldMappingOut"];
export type MappingEntry = components["schemas"]["MappingEntryDto"];
export type MappableFields = components["schemas"]["MappableFieldsOut"];
export type PipedriveField = components["schemas"]["PipedriveFieldOut"];
export type BrevoAttribute = components["schemas"]["BrevoAttributeOut"];
export type MappingPreviewRequest = components["schemas"]["MappingPreviewIn"];
export type MappingPreview = components["schemas"]["MappingPreviewOut"];
export type ScheduleHold = components["schemas"]["ScheduleHoldOut"];
export type Usage = components["schemas"]["UsageOut"];
export type PipedriveUsage = components["schemas"]["PipedriveUsageOut"];
export type UsageDay = components["schemas"]["UsageDayOut"];
export type Alerts = components["schemas"]["AlertsOut"];

/** What the 401 handler learns: which API path answered 401. */
export interface UnauthorizedEvent {
  path: string;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  onUnauthorized?: (event: UnauthorizedEvent) => void;
}

/** A wrong password is a 401 too, but it is the sign-in form's business, not a lost session. */
const SIGN_IN_PATH = "/api/auth/login";

export function createApiClient(options: ApiClientOptions = {}) {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? "",
    // Resolved per call, so tests and the browser can swap `fetch` after the client exists.
    fetch: (request) => (options.fetch ?? globalThis.fetch)(request),
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });

  const errors: Middleware = {
    async onResponse({ response, schemaPath }) {
      if (response.ok) return undefined;
      const error = await apiErrorFromResponse(response);
      if (response.status === 401 && schemaPath !== SIGN_IN_PATH) {
        (options.onUnauthorized ?? unauthorizedHandler)({ path: schemaPath });
      }
      throw error;
    },
    onError({ error }) {
      // fetch() itself failed: offline, server down, or the request was aborted.
      if (error instanceof DOMException && error.name === "AbortError") return error;
      return new ApiError({
        status: 0,
        code: CLIENT_CODES.network,
        title: "Server unreachable",
        detail: error instanceof Error ? error.message : String(error),
      });
    },
  };
  client.use(errors);
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;

let unauthorizedHandler: (event: UnauthorizedEvent) => void = () => {
  // Replaced by the app at start-up (it can navigate without a reload); a full page load is
  // the fallback that always works.
  window.location.assign("/login");
};

/** The app registers how to get to the sign-in page (router navigation, cache clearing). */
export function setUnauthorizedHandler(handler: (event: UnauthorizedEvent) => void): void {
  unauthorizedHandler = handler;
}

/**
 * The middleware throws for every error, so a resolved call has its data; a missing body on
 * an endpoint that documents one is a broken server, reported like any other API failure.
 */
export function dataOf<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) {
    throw new ApiError({
      status: result.response.status,
      code: CLIENT_CODES.unexpected,
      title: "Unexpected response",
      detail: "The server answered without the expected data.",
    });
  }
  return result.data;
}

export const api = createApiClient();

/**
 * The change log as a CSV attachment. A plain link downloads it: the session cookie is
 * same-origin, and the browser streams the file instead of the page holding it in memory.
 */
export function changesCsvUrl(jobId: number): string {
  const path: keyof paths = "/api/sync-jobs/{id}/changes.csv";
  return path.replace("{id}", String(jobId));
}
