// One hook per endpoint. Pages never call the client directly, so cache keys, polling and
// invalidation live here, next to the calls they belong to.

import { useEffect, useRef } from "react";
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";

import {
  api,
  dataOf,
  type ChangeAction,
  type Filter,
  type FilterSettings,
  type StartSyncOptions,
  type SyncJob,
} from "./client";

/** How often a running job is re-read. The job updates `total_fetched` page by page. */
export const POLL_MS = 1500;
export const JOBS_PAGE_SIZE = 20;
export const CHANGES_PAGE_SIZE = 50;

export const queryKeys = {
  health: ["health"] as const,
  me: ["auth", "me"] as const,
  /** Prefix of every filter list (with and without deleted ones). */
  filterLists: ["filters"] as const,
  filters: (includeDeleted: boolean) => ["filters", { includeDeleted }] as const,
  filter: (id: number) => ["filter", id] as const,
  filterJobs: (id: number) => ["filter", id, "jobs"] as const,
  job: (id: number) => ["sync-job", id] as const,
  jobChanges: (id: number, query: ChangeQuery) => ["sync-job", id, "changes", query] as const,
  fieldMapping: ["field-mapping"] as const,
  mappableFields: ["field-mapping", "fields"] as const,
  usage: ["usage"] as const,
  alerts: ["alerts"] as const,
};

/** What the change log asks for: one action or all, and part of an address or none. */
export interface ChangeQuery {
  action: ChangeAction | null;
  email: string;
}

const isRunning = (job: SyncJob | null | undefined) => job?.status === "processing";

/** The service's mode (sandbox or live) never changes while it runs. */
export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/health", { signal })),
    staleTime: Infinity,
  });
}

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/auth/me", { signal })),
    staleTime: 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (password: string) => {
      await api.POST("/api/auth/login", { body: { password } });
    },
    // Nothing cached before sign-in belongs to this session.
    onSuccess: () => queryClient.clear(),
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.POST("/api/auth/logout");
    },
    onSuccess: () => queryClient.clear(),
  });
}

export function useFilters(includeDeleted: boolean) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: queryKeys.filters(includeDeleted),
    queryFn: async ({ signal }) => {
      const filters = dataOf(
        await api.GET("/api/filters", {
          params: { query: includeDeleted ? { include_deleted: true } : {} },
          signal,
        }),
      );
      // Whatever moved the filters (a running job's pages, a job's end) spent Pipedrive
      // tokens too: the usage beside the table follows each read.
      void queryClient.invalidateQueries({ queryKey: queryKeys.usage });
      return filters;
    },
    // Keep the table on screen while the other variant loads after the toggle.
    placeholderData: (previous) => previous,
    refetchInterval: (query) =>
      query.state.data?.some((filter) => isRunning(filter.last_job)) ? POLL_MS : false,
  });
}

export function useFilter(id: number) {
  return useQuery({
    queryKey: queryKeys.filter(id),
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/api/filters/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (query) => (isRunning(query.state.data?.last_job) ? POLL_MS : false),
  });
}

export function useFilterJobs(id: number) {
  return useInfiniteQuery({
    queryKey: queryKeys.filterJobs(id),
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/api/filters/{id}/sync-jobs", {
          params: {
            path: { id },
            query: { limit: JOBS_PAGE_SIZE, ...(pageParam === null ? {} : { before: pageParam }) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_before ?? null,
    // Only the newest page can hold a running job: a filter runs one job at a time.
    refetchInterval: (query) =>
      query.state.data?.pages[0]?.items.some(isRunning) ? POLL_MS : false,
  });
}

export function useSyncJob(id: number) {
  return useQuery({
    queryKey: queryKeys.job(id),
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/api/sync-jobs/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (query) => (isRunning(query.state.data) ? POLL_MS : false),
  });
}

/**
 * A job's change log, a page at a time. The rows of an ended job never change, so pages are
 * kept for the session; ask only once the job has ended (`enabled`).
 */
export function useJobChanges(id: number, query: ChangeQuery, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.jobChanges(id, query),
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/api/sync-jobs/{id}/changes", {
          params: {
            path: { id },
            query: {
              limit: CHANGES_PAGE_SIZE,
              ...(query.action === null ? {} : { action: query.action }),
              ...(query.email === "" ? {} : { email: query.email }),
              ...(pageParam === null ? {} : { before: pageParam }),
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_before ?? null,
    enabled,
    staleTime: Infinity,
    // Keep the old rows on screen while a new search or action loads.
    placeholderData: (previous) => previous,
  });
}

/** Changes a filter's settings (mode, schedule); the answer is the whole filter. */
export function useUpdateFilter() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, settings }: { id: number; settings: FilterSettings }) =>
      dataOf(await api.PATCH("/api/filters/{id}", { params: { path: { id } }, body: settings })),
    onSuccess: (filter) => {
      queryClient.setQueryData(queryKeys.filter(filter.id), filter);
      queryClient.setQueriesData<Filter[]>({ queryKey: queryKeys.filterLists }, (filters) =>
        filters?.map((cached) => (cached.id === filter.id ? filter : cached)),
      );
    },
  });
}

export function useRefreshFilters() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => dataOf(await api.POST("/api/filters/refresh")),
    onSuccess: (result) => {
      queryClient.setQueryData(queryKeys.filters(false), result.filters);
      // The list with deleted filters cannot be derived from the answer: read it again.
      void queryClient.invalidateQueries({ queryKey: queryKeys.filters(true) });
      void queryClient.invalidateQueries({ queryKey: ["filter"] });
    },
    // A refresh asks Pipedrive even when it fails, so it costs tokens either way. Not
    // awaited: the refresh's outcome shows without waiting for the usage.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.usage });
    },
  });
}

/**
 * Today's Pipedrive spend and the last 30 days. Scheduled syncs spend while nobody watches
 * the filters, so it is also read every minute.
 */
export function useUsage() {
  return useQuery({
    queryKey: queryKeys.usage,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/usage", { signal })),
    refetchInterval: 60_000,
  });
}

/** Where alerts go. The server reads ALERT_WEBHOOK_URL when it starts, so once is enough. */
export function useAlerts() {
  return useQuery({
    queryKey: queryKeys.alerts,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/alerts", { signal })),
    staleTime: Infinity,
  });
}

/** Posts a test alert; 204 means the receiver took it, else the error says what it answered. */
export function useSendTestAlert() {
  return useMutation({
    mutationFn: async () => {
      await api.POST("/api/alerts/test");
    },
  });
}

export interface StartSync {
  filter: Pick<Filter, "id" | "name">;
  /** A preview (`dry_run`), or removals past the brake; none sends no body (both false). */
  options?: StartSyncOptions;
}

export function useStartSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ filter, options }: StartSync) =>
      dataOf(
        await api.POST("/api/filters/{id}/sync", {
          params: { path: { id: filter.id } },
          ...(options === undefined ? {} : { body: options }),
        }),
      ),
    onSuccess: (job) => {
      // Show the running job at once, on its filter and on its own page; the polling in the
      // hooks above then follows it.
      setLastJob(queryClient, job);
      queryClient.setQueryData(queryKeys.job(job.id), job);
      void queryClient.invalidateQueries({ queryKey: queryKeys.filterJobs(job.filter_id) });
    },
    onError: (_error, { filter }) => {
      // A 409 means the page is behind (a job started elsewhere): catch up so the button
      // disables itself and the running job shows.
      void queryClient.invalidateQueries({ queryKey: queryKeys.filterLists });
      void queryClient.invalidateQueries({ queryKey: queryKeys.filter(filter.id) });
    },
  });
}

/** Puts a freshly started job into every cached copy of its filter. */
function setLastJob(queryClient: QueryClient, job: SyncJob) {
  const update = (filter: Filter): Filter =>
    filter.id === job.filter_id ? { ...filter, last_job: job } : filter;
  queryClient.setQueriesData<Filter[]>({ queryKey: queryKeys.filterLists }, (filters) =>
    filters?.map(update),
  );
  queryClient.setQueryData<Filter>(queryKeys.filter(job.filter_id), (filter) =>
    filter ? update(filter) : filter,
  );
}

/**
 * When a watched job ends, its filter changed too (the first sync stores the Brevo list id):
 * re-read the filter and the lists instead of waiting for their own next poll.
 */
export function useRefetchWhenJobEnds(job: SyncJob | null) {
  const queryClient = useQueryClient();
  const wasRunning = useRef(false);
  const running = isRunning(job);
  const filterId = job?.filter_id;
  useEffect(() => {
    if (wasRunning.current && !running && filterId !== undefined) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.filter(filterId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.filterLists });
    }
    wasRunning.current = running;
  }, [running, filterId, queryClient]);
}
