import { Fragment, type ReactNode } from "react";

import type { MappableFields } from "../api/client";
import { brevoOptions, pipedriveGroups, type MappingRow, type RowProblem } from "../lib/mapping";

interface MappingTableProps {
  rows: MappingRow[];
  fields: MappableFields;
  problem: RowProblem | null;
  disabled: boolean;
  onChange: (id: string, change: Partial<Omit<MappingRow, "id">>) => void;
  onMove: (index: number, delta: number) => void;
  onRemove: (id: string) => void;
}

const COLUMNS = 5;

/**
 * One row per entry, in the order a sync writes them. A refused row is marked, with the
 * server's reason right under it; its pickers point at the reason for screen readers.
 */
export function MappingTable({ rows, fields, problem, disabled, onChange, onMove, onRemove }: MappingTableProps) {
  return (
    <table className="table table-stack mapping-table">
      <caption className="visually-hidden">Pipedrive fields and the Brevo attributes each sync writes them to</caption>
      <thead>
        <tr>
          <th scope="col" className="num">
            Row
          </th>
          <th scope="col">Pipedrive field</th>
          <th scope="col">
            <span className="visually-hidden">writes to</span>
          </th>
          <th scope="col">Brevo attribute</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => {
          const invalid = problem?.rowId === row.id;
          const errorId = `${row.id}-error`;
          const number = index + 1;
          const described = invalid ? { "aria-invalid": true, "aria-describedby": errorId } : {};
          const field = fields.pipedrive.find((candidate) => candidate.key === row.pipedrive_field);
          return (
            <Fragment key={row.id}>
              <tr className={invalid ? "row-invalid row-has-detail" : undefined} data-row={number}>
                <th scope="row" className="num cell-row-number">
                  {number}
                </th>
                <td data-label="Pipedrive field">
                  <div className="picker">
                    <label className="visually-hidden" htmlFor={`${row.id}-field`}>
                      Pipedrive field, row {number}
                    </label>
                    <select
                      id={`${row.id}-field`}
                      value={row.pipedrive_field}
                      disabled={disabled}
                      onChange={(event) => onChange(row.id, { pipedrive_field: event.target.value })}
                      {...described}
                    >
                      <option value="">Choose a field…</option>
                      {pipedriveGroups(fields.pipedrive, row.pipedrive_field).map((group) => (
                        <optgroup key={group.label} label={group.label}>
                          {group.options.map((option) => (
                            <option key={option.value} value={option.value}>
                              {option.label}
                            </option>
                          ))}
                        </optgroup>
                      ))}
                    </select>
                    <PickerMark
                      chosen={row.pipedrive_field}
                      known={field !== undefined}
                      custom={field?.custom === true}
                      api="Pipedrive"
                    />
                  </div>
                </td>
                <td className="cell-arrow" aria-hidden="true">
                  →
                </td>
                <td data-label="Brevo attribute">
                  <div className="picker">
                    <label className="visually-hidden" htmlFor={`${row.id}-attribute`}>
                      Brevo attribute, row {number}
                    </label>
                    <select
                      id={`${row.id}-attribute`}
                      value={row.brevo_attribute}
                      disabled={disabled}
                      onChange={(event) => onChange(row.id, { brevo_attribute: event.target.value })}
                      {...described}
                    >
                      <option value="">Choose an attribute…</option>
                      {brevoOptions(fields.brevo, row.brevo_attribute).map((option) => (
                        <option key={option.value} value={option.value} disabled={option.disabled}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                    <PickerMark
                      chosen={row.brevo_attribute}
                      known={fields.brevo.some((candidate) => candidate.name === row.brevo_attribute)}
                      custom={false}
                      api="Brevo"
                    />
                  </div>
                </td>
                <td className="cell-actions">
                  <div className="row-actions">
                    <IconButton label={`Move row ${number} up`} disabled={disabled || index === 0} onClick={() => onMove(index, -1)}>
                      <path d="M10 15V5M5.5 9.5 10 5l4.5 4.5" />
                    </IconButton>
                    <IconButton
                      label={`Move row ${number} down`}
                      disabled={disabled || index === rows.length - 1}
                      onClick={() => onMove(index, 1)}
                    >
                      <path d="M10 5v10M5.5 10.5 10 15l4.5-4.5" />
                    </IconButton>
                    <IconButton label={`Remove row ${number}`} disabled={disabled} onClick={() => onRemove(row.id)}>
                      <path d="M5 5l10 10M15 5 5 15" />
                    </IconButton>
                  </div>
                </td>
              </tr>
              {invalid && problem && (
                <tr className="row-detail row-invalid-detail">
                  {/* Under the pickers, not under the row number. */}
                  <td className="cell-empty" />
                  <td colSpan={COLUMNS - 1}>
                    <p className="field-error" id={errorId}>
                      {problem.message}
                    </p>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * Under a picker: a visible mark for a field the company made (the option says so too, but
 * a closed picker shows only its text), or for a saved choice that is gone upstream.
 */
function PickerMark({ chosen, known, custom, api }: { chosen: string; known: boolean; custom: boolean; api: string }) {
  if (chosen && !known) {
    return (
      <span className="picker-meta">
        <span className="tag">gone from {api}: syncs skip this row</span>
      </span>
    );
  }
  if (!custom) return null;
  return (
    <span className="picker-meta">
      <span className="tag tag-custom">custom field</span>
    </span>
  );
}

function IconButton({
  label,
  disabled,
  onClick,
  children,
}: {
  label: string;
  disabled: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button type="button" className="button button-ghost button-icon" aria-label={label} title={label} disabled={disabled} onClick={onClick}>
      <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
        <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          {children}
        </g>
      </svg>
    </button>
  );
}
