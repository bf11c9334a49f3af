import { useState } from "react";
import { Link, useSearchParams } from "react-router";

import type { Filter, RefreshResult } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { useFilters, useRefreshFilters } from "../api/queries";
import { AlertsPanel } from "../components/AlertsPanel";
import { Banner, ProblemBanner } from "../components/Banner";
import { FiltersTable } from "../components/FiltersTable";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, LoadingState, Spinner } from "../components/States";
import { UsagePanel } from "../components/UsagePanel";
import { plural } from "../lib/format";
import { useDocumentTitle, useNow } from "../lib/hooks";

interface SyncFailure {
  error: unknown;
  filter: Filter;
}

export function FiltersPage() {
  useDocumentTitle("Filters");
  // In the URL, so a reload or a shared link keeps the choice.
  const [searchParams, setSearchParams] = useSearchParams();
  const showDeleted = searchParams.get("deleted") === "show";
  const filters = useFilters(showDeleted);
  const refresh = useRefreshFilters();
  const [syncFailure, setSyncFailure] = useState<SyncFailure | null>(null);
  const now = useNow(30_000);

  const toggleDeleted = (checked: boolean) =>
    setSearchParams(checked ? { deleted: "show" } : {}, { replace: true });

  const startRefresh = () => {
    setSyncFailure(null);
    refresh.mutate();
  };

  const refreshButton = (
    <button type="button" className="button button-primary" onClick={startRefresh} disabled={refresh.isPending}>
      {refresh.isPending && <Spinner />}
      {refresh.isPending ? "Refreshing…" : "Refresh from Pipedrive"}
    </button>
  );

  const list = filters.data ?? [];
  const running = list.filter((filter) => filter.last_job?.status === "processing").length;
  const deletedCount = list.filter((filter) => filter.deleted_at).length;

  return (
    <>
      <PageHeader
        title="Filters"
        description="Pipedrive person filters. Each one syncs into its own Brevo contact list."
        // When there are no filters the empty state holds the one refresh button.
        actions={filters.isSuccess && list.length === 0 ? undefined : refreshButton}
      />

      {refresh.isSuccess && <RefreshSummary result={refresh.data} onDismiss={() => refresh.reset()} />}
      {refresh.isError && (
        <ProblemBanner
          title="Could not refresh from Pipedrive. Nothing was changed."
          error={refresh.error}
          onDismiss={() => refresh.reset()}
        />
      )}
      {syncFailure && (
        <SyncFailureBanner failure={syncFailure} onDismiss={() => setSyncFailure(null)} />
      )}

      <section className="card" aria-labelledby="filters-card-title">
        <div className="card-toolbar">
          <div>
            <h2 className="card-title" id="filters-card-title">
              {filters.isSuccess ? plural(list.length - deletedCount, "filter") : "Filters"}
            </h2>
            {filters.isSuccess && (running > 0 || deletedCount > 0) && (
              <p className="card-subtitle">
                {[running > 0 && `${running} syncing`, deletedCount > 0 && `${deletedCount} deleted`]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
            )}
          </div>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={showDeleted}
              onChange={(event) => toggleDeleted(event.target.checked)}
            />
            <span className="switch-track" aria-hidden="true" />
            Show deleted filters
          </label>
        </div>

        {filters.isPending ? (
          <LoadingState label="Loading filters…" />
        ) : filters.isError ? (
          <div className="card-body">
            <ProblemBanner title="Could not load the filters" error={filters.error} onRetry={() => void filters.refetch()} />
          </div>
        ) : list.length === 0 ? (
          <EmptyState
            title={showDeleted ? "No filters, not even deleted ones" : "No filters yet"}
            action={refreshButton}
          >
            <p>Load the person filters from Pipedrive to start syncing them to Brevo.</p>
          </EmptyState>
        ) : (
          <FiltersTable
            filters={list}
            now={now}
            onSyncError={(error, filter) => setSyncFailure({ error, filter })}
          />
        )}
      </section>

      {/* What the automation costs and who hears about it: beside each other, below the filters. */}
      <div className="automation-row">
        <UsagePanel />
        <AlertsPanel />
      </div>
    </>
  );
}

function RefreshSummary({ result, onDismiss }: { result: RefreshResult; onDismiss: () => void }) {
  const counts = [
    ["new", result.created],
    ["renamed", result.renamed],
    ["restored", result.restored],
    ["deleted", result.deleted],
    ["unchanged", result.unchanged],
  ] as const;
  return (
    <Banner tone="success" title="Filters refreshed from Pipedrive" onDismiss={onDismiss}>
      <ul className="count-list" aria-label="Changes">
        {counts.map(([label, count]) => (
          <li key={label} className={count === 0 ? "count-zero" : undefined}>
            <span className="count-value">{count}</span> {label}
          </li>
        ))}
      </ul>
    </Banner>
  );
}

function SyncFailureBanner({ failure, onDismiss }: { failure: SyncFailure; onDismiss: () => void }) {
  const alreadyRunning = failure.error instanceof ApiError && failure.error.code === "sync_already_running";
  return (
    <Banner tone="error" title={`Could not start a sync of “${failure.filter.name}”`} onDismiss={onDismiss}>
      <p>
        {messageOf(failure.error)}{" "}
        {alreadyRunning && <Link to={`/filters/${failure.filter.id}`}>Follow its progress</Link>}
      </p>
    </Banner>
  );
}
