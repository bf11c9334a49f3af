// The field-mapping page's rules, as pure functions: the rows being edited, the pickers'
// options, which row a refused mapping names, and how a previewed value reads.

import type { BrevoAttribute, MappingEntry, PipedriveField } from "../api/client";
import { ApiError } from "../api/errors";

/** The server's limit; the page stops offering rows there instead of being refused. */
export const MAX_ROWS = 50;

/** An entry being edited. `id` keeps a row's identity while rows move; "" is not chosen yet. */
export interface MappingRow {
  id: string;
  pipedrive_field: string;
  brevo_attribute: string;
}

let rowCounter = 0;
const nextRowId = () => `row-${++rowCounter}`;

export function rowsFrom(entries: readonly MappingEntry[]): MappingRow[] {
  return entries.map((entry) => ({ id: nextRowId(), ...entry }));
}

export function emptyRow(): MappingRow {
  return { id: nextRowId(), pipedrive_field: "", brevo_attribute: "" };
}

export function entriesOf(rows: readonly MappingRow[]): MappingEntry[] {
  return rows.map(({ pipedrive_field, brevo_attribute }) => ({ pipedrive_field, brevo_attribute }));
}

/** Whether the rows say what `entries` say, in the same order (order is the sync's too). */
export function sameEntries(rows: readonly MappingEntry[], entries: readonly MappingEntry[]): boolean {
  return (
    rows.length === entries.length &&
    rows.every(
      (row, index) =>
        row.pipedrive_field === entries[index]?.pipedrive_field &&
        row.brevo_attribute === entries[index]?.brevo_attribute,
    )
  );
}

/** The rows with the one at `index` moved by `delta` places; unchanged past either end. */
export function moveRow<T>(rows: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  const moved = [...rows];
  if (index < 0 || index >= rows.length || target < 0 || target >= rows.length) return moved;
  const [row] = moved.splice(index, 1);
  moved.splice(target, 0, row as T);
  return moved;
}

/** A problem shown at one row: kept by the row's id, so it follows the row when rows move. */
export interface RowProblem {
  rowId: string;
  message: string;
}

/** The first row with a picker left empty: the server would refuse it without naming it. */
export function incompleteRow(rows: readonly MappingRow[]): RowProblem | null {
  const index = rows.findIndex((row) => !row.pipedrive_field || !row.brevo_attribute);
  const row = rows[index];
  if (!row) return null;
  return { rowId: row.id, message: `Row ${index + 1}: choose a Pipedrive field and a Brevo attribute, or remove the row.` };
}

/**
 * The row a refused mapping names: `entry` is the position in the mapping that was sent, so
 * it is looked up in the rows as they were sent. Null for any other error, or a position
 * that is not there (then the banner alone tells).
 */
export function rowProblem(error: unknown, sent: readonly MappingRow[]): RowProblem | null {
  if (!(error instanceof ApiError) || error.code !== "invalid_mapping" || error.entry === null) return null;
  const row = sent[error.entry];
  return row ? { rowId: row.id, message: rowMessage(error.message) } : null;
}

/**
 * The part of the message that starts at the row it names, for beside the row: "The field
 * mapping cannot be saved: row 3 (…): …" reads "Row 3 (…): …" there.
 */
export function rowMessage(message: string): string {
  const at = message.search(/\brow \d+/);
  if (at < 0) return message;
  const rest = message.slice(at);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

export interface PickerOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export interface PickerGroup {
  label: string;
  options: PickerOption[];
}

/**
 * The Pipedrive picker: standard fields, then custom ones, each with its type; the value is
 * the field's key. A chosen key Pipedrive no longer lists stays choosable, marked as gone.
 */
export function pipedriveGroups(fields: readonly PipedriveField[], chosen: string): PickerGroup[] {
  const option = (field: PipedriveField): PickerOption => ({
    value: field.key,
    label: `${field.name} (${field.custom ? `${field.type}, custom` : field.type})`,
  });
  const groups: PickerGroup[] = [
    { label: "Standard fields", options: fields.filter((field) => !field.custom).map(option) },
    { label: "Custom fields", options: fields.filter((field) => field.custom).map(option) },
  ].filter((group) => group.options.length > 0);
  if (chosen && !fields.some((field) => field.key === chosen)) {
    groups.push({ label: "Not in Pipedrive", options: [{ value: chosen, label: `${chosen} (no longer in Pipedrive)` }] });
  }
  return groups;
}

/** The Brevo picker: every attribute with its type; those Brevo computes cannot be chosen. */
export function brevoOptions(attributes: readonly BrevoAttribute[], chosen: string): PickerOption[] {
  const options: PickerOption[] = attributes.map((attribute) => ({
    value: attribute.name,
    label: attribute.writable
      ? `${attribute.name} (${attribute.type})`
      : `${attribute.name} (${attribute.type}, computed by Brevo)`,
    disabled: !attribute.writable,
  }));
  if (chosen && !attributes.some((attribute) => attribute.name === chosen)) {
    options.push({ value: chosen, label: `${chosen} (no longer in Brevo)` });
  }
  return options;
}

/** A previewed value as text; `null` is no value, which leaves the attribute as it is. */
export function formatPreviewValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => formatPreviewValue(item) ?? "").join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
