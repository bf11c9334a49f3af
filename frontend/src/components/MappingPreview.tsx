import { useState } from "react";
import { Link } from "react-router";

import type { MappingPreview as Preview } from "../api/client";
import { ApiError } from "../api/errors";
import { usePreviewFieldMapping } from "../api/fieldMappingQueries";
import { useFilters } from "../api/queries";
import {
  entriesOf,
  formatPreviewValue,
  incompleteRow,
  rowProblem,
  sameEntries,
  type MappingRow,
  type RowProblem,
} from "../lib/mapping";
import { Banner, ProblemBanner } from "./Banner";
import { EmptyState, LoadingState, Spinner } from "./States";

interface MappingPreviewProps {
  rows: MappingRow[];
  /** Marks the row a refused preview names (or clears the mark once a preview succeeds). */
  onRowProblem: (problem: RowProblem | null) => void;
}

/**
 * The rows on screen, saved or not, tried on a filter's first person: the values a sync
 * would write, and the ones it would leave out. Nothing is saved or written.
 */
export function MappingPreview({ rows, onRowProblem }: MappingPreviewProps) {
  const filters = useFilters(false);
  const preview = usePreviewFieldMapping();
  const [chosen, setChosen] = useState<number | null>(null);
  const [incomplete, setIncomplete] = useState<string | null>(null);
  const list = filters.data ?? [];
  // The first filter until the operator picks one, so Preview works at once.
  const filterId = chosen ?? list[0]?.id ?? null;

  const run = () => {
    if (filterId === null) return;
    const unfinished = incompleteRow(rows);
    onRowProblem(unfinished);
    setIncomplete(unfinished?.message ?? null);
    if (unfinished) {
      preview.reset();
      return;
    }
    const sent = rows;
    preview.mutate(
      { filter_id: filterId, mappings: entriesOf(sent) },
      { onSuccess: () => onRowProblem(null), onError: (error) => onRowProblem(rowProblem(error, sent)) },
    );
  };

  // A result for other rows (or another filter) than on screen says so, instead of passing for theirs.
  const stale =
    preview.isSuccess && (preview.variables.filter_id !== filterId || !sameEntries(rows, preview.variables.mappings));
  const refused = preview.error instanceof ApiError && preview.error.code === "invalid_mapping";

  return (
    <section className="card" aria-labelledby="mapping-preview-title">
      <div className="card-toolbar">
        <div>
          <h2 className="card-title" id="mapping-preview-title">
            Preview
          </h2>
          <p className="card-subtitle">
            What a sync would write for a filter&rsquo;s first person with the rows above, saved or not. Nothing is
            saved or written.
          </p>
        </div>
        {list.length > 0 && (
          <div className="toolbar-controls">
            <label className="inline-field">
              Filter
              <select value={filterId ?? ""} onChange={(event) => setChosen(Number(event.target.value))}>
                {list.map((filter) => (
                  <option key={filter.id} value={filter.id}>
                    {filter.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="button button-secondary" disabled={preview.isPending} onClick={run}>
              {preview.isPending && <Spinner />}
              {preview.isPending ? "Previewing…" : "Preview"}
            </button>
          </div>
        )}
      </div>

      {filters.isPending ? (
        <LoadingState label="Loading filters…" />
      ) : filters.isError ? (
        <div className="card-body">
          <ProblemBanner title="Could not load the filters" error={filters.error} onRetry={() => void filters.refetch()} />
        </div>
      ) : list.length === 0 ? (
        <EmptyState title="No filters to preview with">
          <p>
            Load the person filters on the <Link to="/">Filters</Link> page first.
          </p>
        </EmptyState>
      ) : incomplete !== null ? (
        <div className="card-body">
          <Banner tone="error" title="Nothing to preview yet">
            <p>{incomplete}</p>
          </Banner>
        </div>
      ) : preview.isError ? (
        <div className="card-body">
          <ProblemBanner
            title={refused ? "The preview was refused: fix the marked row" : "Could not preview the mapping"}
            error={preview.error}
            onDismiss={() => preview.reset()}
          />
        </div>
      ) : preview.isSuccess ? (
        <PreviewValues preview={preview.data} stale={stale} />
      ) : (
        <p className="card-body muted">Choose a filter and press Preview.</p>
      )}
    </section>
  );
}

function PreviewValues({ preview, stale }: { preview: Preview; stale: boolean }) {
  if (!preview.person) {
    return (
      <EmptyState title="Nobody to show">
        <p>The filter&rsquo;s first page has no person with a usable email address.</p>
      </EmptyState>
    );
  }
  return (
    <div className="card-body mapping-preview">
      {stale && (
        <p className="preview-stale" role="status">
          The rows or the filter changed since this preview. Press Preview again for theirs.
        </p>
      )}
      <p>
        Sample person: <span className="cell-email">{preview.person.email}</span>{" "}
        <span className="muted">(Pipedrive person {preview.person.id})</span>
      </p>
      {preview.attributes.length === 0 ? (
        <p className="muted">No rows: a sync would write the address alone.</p>
      ) : (
        <table className="table preview-values">
          <caption className="visually-hidden">Values a sync would write for {preview.person.email}</caption>
          <thead>
            <tr>
              <th scope="col">Brevo attribute</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {preview.attributes.map((attribute) => {
              const value = formatPreviewValue(attribute.value);
              return (
                <tr key={attribute.brevo_attribute}>
                  <th scope="row" className="mono">
                    {attribute.brevo_attribute}
                  </th>
                  <td className="preview-value">
                    {value ?? <span className="muted">No value: left as it is in Brevo</span>}
                    {attribute.label ? <span className="muted"> ({attribute.label})</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {preview.left_out.length > 0 && (
        <div className="left-out" role="note" aria-label="Values left out">
          <p className="left-out-title">Left out: these values cannot be converted</p>
          <ul>
            {preview.left_out.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
