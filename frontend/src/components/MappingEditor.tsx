import { useState } from "react";

import type { FieldMapping, MappableFields } from "../api/client";
import { useSaveFieldMapping } from "../api/fieldMappingQueries";
import {
  MAX_ROWS,
  emptyRow,
  entriesOf,
  incompleteRow,
  moveRow,
  rowProblem,
  rowsFrom,
  sameEntries,
  type MappingRow,
  type RowProblem,
} from "../lib/mapping";
import { useNow } from "../lib/hooks";
import { Banner, ProblemBanner } from "./Banner";
import { MappingPreview } from "./MappingPreview";
import { MappingTable } from "./MappingTable";
import { EmptyState, Spinner } from "./States";
import { RelativeTime } from "./Time";

interface Failure {
  error: unknown;
  /** Set when the failure names a row: the banner then points at it. */
  atRow: boolean;
}

/**
 * The rows being edited (form state, apart from the stored mapping until Save), the save,
 * and the preview of the rows as they are on screen.
 */
export function MappingEditor({ saved, fields }: { saved: FieldMapping; fields: MappableFields }) {
  const [rows, setRows] = useState(() => rowsFrom(saved.mappings));
  const [problem, setProblem] = useState<RowProblem | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const save = useSaveFieldMapping();
  const now = useNow(30_000);
  const dirty = !sameEntries(rows, saved.mappings);
  const neverSaved = saved.saved_at == null;

  const edit = (next: MappingRow[], touched?: string) => {
    setRows(next);
    // A changed row may be fixed: its mark goes; marks on other rows stay with their rows.
    if (touched !== undefined && problem?.rowId === touched) setProblem(null);
    save.reset();
  };

  const submit = () => {
    const incomplete = incompleteRow(rows);
    if (incomplete) {
      setProblem(incomplete);
      setFailure({ error: new Error(incomplete.message), atRow: true });
      return;
    }
    // The rows as sent: the server's `entry` is a position among them.
    const sent = rows;
    setFailure(null);
    save.mutate(entriesOf(sent), {
      onSuccess: (stored) => {
        setRows(rowsFrom(stored.mappings));
        setProblem(null);
      },
      onError: (error) => {
        const atRow = rowProblem(error, sent);
        setProblem(atRow);
        setFailure({ error, atRow: atRow !== null });
      },
    });
  };

  const discard = () => {
    setRows(rowsFrom(saved.mappings));
    setProblem(null);
    setFailure(null);
    save.reset();
  };

  return (
    <>
      {neverSaved && (
        <Banner tone="info" title="Not saved yet">
          <p>
            Until a mapping is saved, every sync writes each person&rsquo;s first and last name onto the Brevo
            account&rsquo;s name attributes: the rows below. Save them as they are, or change them first.
          </p>
        </Banner>
      )}
      {failure && (
        <ProblemBanner
          title={failure.atRow ? "The field mapping was not saved: fix the marked row" : "The field mapping was not saved"}
          error={failure.error}
          onDismiss={() => setFailure(null)}
        />
      )}
      {save.isSuccess && !dirty && (
        <Banner tone="success" title="Field mapping saved" onDismiss={() => save.reset()}>
          <p>The next sync of every filter writes with it, and updates each member whose mapped values differ.</p>
        </Banner>
      )}

      <section className="card" aria-labelledby="mapping-title">
        <div className="card-toolbar">
          <div>
            <h2 className="card-title" id="mapping-title">
              Mapped fields
            </h2>
            <p className="card-subtitle">
              {neverSaved ? (
                "Never saved: syncs map the first and last name"
              ) : (
                <>
                  Saved <RelativeTime value={saved.saved_at ?? ""} now={now} />
                </>
              )}
              {dirty && <span className="tag">Unsaved changes</span>}
            </p>
          </div>
          <button
            type="button"
            className="button button-secondary"
            disabled={save.isPending || rows.length >= MAX_ROWS}
            title={rows.length >= MAX_ROWS ? `A mapping holds at most ${MAX_ROWS} rows` : undefined}
            onClick={() => edit([...rows, emptyRow()])}
          >
            <span aria-hidden="true">+</span> Add a row
          </button>
        </div>

        {rows.length === 0 ? (
          <EmptyState title="No mapped fields">
            <p>Saved like this, a sync writes each contact&rsquo;s email address and list, and no attributes.</p>
          </EmptyState>
        ) : (
          <MappingTable
            rows={rows}
            fields={fields}
            problem={problem}
            disabled={save.isPending}
            onChange={(id, change) => edit(rows.map((row) => (row.id === id ? { ...row, ...change } : row)), id)}
            onMove={(index, delta) => edit(moveRow(rows, index, delta))}
            onRemove={(id) => edit(rows.filter((row) => row.id !== id), id)}
          />
        )}

        <div className="card-footer mapping-footer">
          {dirty && (
            <button type="button" className="button button-ghost" disabled={save.isPending} onClick={discard}>
              Discard changes
            </button>
          )}
          <button
            type="button"
            className="button button-primary"
            disabled={save.isPending || (!dirty && !neverSaved)}
            onClick={submit}
          >
            {save.isPending && <Spinner />}
            {save.isPending ? "Saving…" : "Save mapping"}
          </button>
        </div>
      </section>

      <MappingPreview rows={rows} onRowProblem={setProblem} />
    </>
  );
}

