import { describe, expect, it, vi } from "vitest";

import { changesCsvUrl, createApiClient, dataOf, type UnauthorizedEvent } from "./client";
import { ApiError, entriesAsRows, formatWait, parseRetryAfter } from "./errors";

const BASE = "http://dashboard.test";

function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: `urn:problem:pipedrive-brevo-sync:${code}`, title: "A title", status, detail, code, ...extra };
}

/** A client whose server is `respond`; records every request it receives. */
function setup(respond: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const unauthorized: UnauthorizedEvent[] = [];
  const client = createApiClient({
    baseUrl: BASE,
    fetch: async (input) => {
      const request = input as Request;
      requests.push(request.clone());
      return respond(request);
    },
    onUnauthorized: (event) => unauthorized.push(event),
  });
  return { client, requests, unauthorized };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json", ...headers },
  });

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("successful calls", () => {
  it("return the parsed body", async () => {
    const { client, requests } = setup(() => json([{ id: 1, name: "Newsletter" }]));
    const filters = dataOf(await client.GET("/api/filters", { params: { query: { include_deleted: true } } }));
    expect(filters).toEqual([{ id: 1, name: "Newsletter" }]);
    expect(requests[0]?.url).toBe(`${BASE}/api/filters?include_deleted=true`);
    expect(requests[0]?.headers.get("Accept")).toBe("application/json");
  });

  it("send JSON with its content type, and no content type without a body", async () => {
    const { client, requests } = setup(() => new Response(null, { status: 204 }));
    await client.POST("/api/auth/login", { body: { password: "hunter2" } });
    await client.POST("/api/auth/logout");
    expect(requests[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(await requests[0]?.text()).toBe('{"password":"hunter2"}');
    // The server refuses text/plain and form bodies; a bodyless POST must not claim one.
    expect(requests[1]?.headers.get("Content-Type")).toBeNull();
  });

  it("start a sync at the documented path", async () => {
    const job = { id: 9, filter_id: 7, status: "processing", created_at: "2026-03-10T12:00:00Z" };
    const { client, requests } = setup(() => json(job, 202, { Location: "/api/sync-jobs/9" }));
    const started = dataOf(await client.POST("/api/filters/{id}/sync", { params: { path: { id: 7 } } }));
    expect(started.id).toBe(9);
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url).toBe(`${BASE}/api/filters/7/sync`);
  });

  it("send a preview's options as JSON, and a plain sync without a body", async () => {
    const { client, requests } = setup(() => json({ id: 9 }, 202));
    await client.POST("/api/filters/{id}/sync", { params: { path: { id: 7 } }, body: { dry_run: true } });
    await client.POST("/api/filters/{id}/sync", { params: { path: { id: 7 } } });
    expect(requests[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(await requests[0]?.text()).toBe('{"dry_run":true}');
    expect(requests[1]?.headers.get("Content-Type")).toBeNull();
    expect(await requests[1]?.text()).toBe("");
  });

  it("change a filter's settings with PATCH", async () => {
    const { client, requests } = setup(() => json({ id: 7, name: "EU", mode: "additive" }));
    const filter = dataOf(
      await client.PATCH("/api/filters/{id}", { params: { path: { id: 7 } }, body: { mode: "additive" } }),
    );
    expect(filter.mode).toBe("additive");
    expect(requests[0]?.method).toBe("PATCH");
    expect(await requests[0]?.text()).toBe('{"mode":"additive"}');
  });

  it("page a job's changes with the filters as query parameters", async () => {
    const { client, requests } = setup(() => json({ items: [], next_before: null }));
    await client.GET("/api/sync-jobs/{id}/changes", {
      params: { path: { id: 3 }, query: { action: "skipped", email: "Shared", limit: 50, before: 120 } },
    });
    expect(requests[0]?.url).toBe(`${BASE}/api/sync-jobs/3/changes?action=skipped&email=Shared&limit=50&before=120`);
  });

  it("link the CSV download to the job", () => {
    expect(changesCsvUrl(42)).toBe("/api/sync-jobs/42/changes.csv");
  });
});

describe("a 422 on a filter's settings", () => {
  it("shows the server's reason, which names the field", async () => {
    const detail = "The request body has the wrong shape: schedule_minutes must be between 1 and 10080 (or null), got 0";
    const { client } = setup(() => json(problem(422, "invalid_body", detail), 422));
    const error = await caught(
      client.PATCH("/api/filters/{id}", { params: { path: { id: 7 } }, body: { schedule_minutes: 0 } }),
    );
    expect(error.status).toBe(422);
    expect(error.message).toBe(detail);
  });
});

describe("a 422 on a field mapping", () => {
  it("keeps the entry it names and numbers it as the page's rows", async () => {
    const detail =
      "The field mapping is not valid: mappings[2] (Customer code → RENEWAL_DATE): a Pipedrive varchar field cannot fill a Brevo date attribute.";
    const { client, requests } = setup(() => json(problem(422, "invalid_mapping", detail, { entry: 2 }), 422));
    const mappings = [{ pipedrive_field: "first_name", brevo_attribute: "FIRSTNAME" }];
    const error = await caught(client.PUT("/api/field-mapping", { body: { mappings } }));
    expect(requests[0]?.method).toBe("PUT");
    expect(await requests[0]?.text()).toBe(JSON.stringify({ mappings }));
    expect(error.code).toBe("invalid_mapping");
    expect(error.entry).toBe(2);
    expect(error.message).toBe(
      "The field mapping is not valid: row 3 (Customer code → RENEWAL_DATE): a Pipedrive varchar field cannot fill a Brevo date attribute.",
    );
  });

  it("renumbers every entry a duplicate names, and leaves other problems without one", async () => {
    expect(entriesAsRows("mappings[3] and mappings[0] both write the Brevo attribute `SEGMENT`")).toBe(
      "row 4 and row 1 both write the Brevo attribute `SEGMENT`",
    );
    const detail = "The request body has the wrong shape: mappings holds 51 entries; at most 50 are accepted";
    const { client } = setup(() => json(problem(422, "invalid_body", detail), 422));
    const error = await caught(client.PUT("/api/field-mapping", { body: { mappings: [] } }));
    expect(error.entry).toBeNull();
    expect(error.message).toBe(detail);
  });
});

describe("problem documents become ApiErrors", () => {
  it("explain a wrong password without treating it as a lost session", async () => {
    const { client, unauthorized } = setup(() => json(problem(401, "invalid_credentials", "Wrong password."), 401));
    const error = await caught(client.POST("/api/auth/login", { body: { password: "nope" } }));
    expect(error.code).toBe("invalid_credentials");
    expect(error.message).toBe("That password is not correct. Check it and try again.");
    expect(unauthorized).toEqual([]);
  });

  it("send the operator to sign in on any other 401", async () => {
    const { client, unauthorized } = setup(() => json(problem(401, "unauthorized", "Sign in first."), 401));
    const error = await caught(client.GET("/api/filters"));
    expect(error.status).toBe(401);
    expect(unauthorized).toEqual([{ path: "/api/filters" }]);
  });

  it("turn a throttled sign-in into a wait time from Retry-After", async () => {
    const { client } = setup(() =>
      json(problem(429, "login_throttled", "Too many failed sign-ins. Try again in 840 s."), 429, {
        "Retry-After": "840",
      }),
    );
    const error = await caught(client.POST("/api/auth/login", { body: { password: "x" } }));
    expect(error.retryAfterSecs).toBe(840);
    expect(error.message).toBe("Too many failed sign-ins. Try again in 14 minutes.");
  });

  it("name the running job on a 409", async () => {
    const { client } = setup(() =>
      json(problem(409, "sync_already_running", "Filter 7 already has a sync job running (job 3).", { job_id: 3 }), 409),
    );
    const error = await caught(client.POST("/api/filters/{id}/sync", { params: { path: { id: 7 } } }));
    expect(error.jobId).toBe(3);
    expect(error.message).toBe("A sync of this filter is already running (job #3). Wait for it to finish.");
    expect(error.isClientError).toBe(true);
  });

  it("pass an upstream failure's detail through, since it is written for operators", async () => {
    const detail = "Pipedrive answered 401 Unauthorized to GET /api/v1/filters; check PIPEDRIVE_API_TOKEN.";
    const { client } = setup(() => json(problem(502, "upstream_error", detail), 502));
    const error = await caught(client.POST("/api/filters/refresh"));
    expect(error.message).toBe(detail);
    expect(error.isClientError).toBe(false);
  });

  it("show a test alert's refusal in the receiver's own words", async () => {
    const detail = "The alert receiver at hooks.slack.com answered HTTP 404: no_service";
    const { client } = setup(() => json(problem(502, "alert_not_delivered", detail), 502));
    const error = await caught(client.POST("/api/alerts/test"));
    expect(error.message).toBe(detail);
  });

  it("say that alerts need a restart once ALERT_WEBHOOK_URL is set", async () => {
    const detail = "Alerts are not configured: set ALERT_WEBHOOK_URL.";
    const { client } = setup(() => json(problem(409, "alerts_not_configured", detail), 409));
    const error = await caught(client.POST("/api/alerts/test"));
    expect(error.message).toBe(`${detail} Then restart the server.`);
  });

  it("hide internal errors behind a generic message", async () => {
    const { client } = setup(() => json(problem(500, "internal_error", "The server could not…"), 500));
    const error = await caught(client.GET("/api/filters"));
    expect(error.message).toMatch(/^The server could not complete the request/);
  });

  it("fall back to the detail for codes the dashboard does not know", async () => {
    const { client } = setup(() => json(problem(400, "invalid_query", "Invalid query parameters: limit"), 400));
    const error = await caught(client.GET("/api/sync-jobs", { params: { query: { limit: 500 } } }));
    expect(error.message).toBe("Invalid query parameters: limit");
  });

  it("cope with an error page that is not a problem document", async () => {
    const { client } = setup(
      () => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    );
    const error = await caught(client.GET("/api/filters"));
    expect(error.code).toBe("unexpected_response");
    expect(error.title).toBe("Bad Gateway");
    expect(error.message).toBe("The request failed (HTTP 502).");
  });

  it("report an unreachable server", async () => {
    const { client } = setup(() => Promise.reject(new TypeError("Failed to fetch")));
    const error = await caught(client.GET("/api/auth/me"));
    expect(error.code).toBe("network_error");
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/^Cannot reach the server/);
  });
});

describe("helpers", () => {
  it("dataOf refuses a success without a body", async () => {
    const { client } = setup(() => new Response(null, { status: 204 }));
    const result = await client.GET("/api/auth/me");
    expect(() => dataOf(result)).toThrow(ApiError);
  });

  it("parseRetryAfter reads seconds and HTTP dates", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30);
    expect(parseRetryAfter("Tue, 10 Mar 2026 12:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Tue, 10 Mar 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("formatWait rounds up so waiting that long is enough", () => {
    expect(formatWait(0)).toBe("1 second");
    expect(formatWait(45)).toBe("45 seconds");
    expect(formatWait(60)).toBe("1 minute");
    expect(formatWait(61)).toBe("2 minutes");
  });

  it("each client has its own 401 handler", async () => {
    const handler = vi.fn();
    const client = createApiClient({
      baseUrl: BASE,
      fetch: async () => json(problem(401, "unauthorized", "Sign in first."), 401),
      onUnauthorized: handler,
    });
    await caught(client.POST("/api/filters/refresh"));
    expect(handler).toHaveBeenCalledWith({ path: "/api/filters/refresh" });
  });
});
