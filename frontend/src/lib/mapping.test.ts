import { describe, expect, it } from "vitest";

import type { BrevoAttribute, PipedriveField } from "../api/client";
import { ApiError } from "../api/errors";
import {
  brevoOptions,
  emptyRow,
  entriesOf,
  formatPreviewValue,
  incompleteRow,
  moveRow,
  pipedriveGroups,
  rowMessage,
  rowProblem,
  rowsFrom,
  sameEntries,
} from "./mapping";

const SEGMENT_KEY = "f25f8a899757c44cd81de9152554b984443a46f9";

const FIELDS: PipedriveField[] = [
  { key: "first_name", name: "First name", type: "varchar", custom: false },
  { key: "phone", name: "Phone", type: "phone", custom: false },
  { key: SEGMENT_KEY, name: "Segment", type: "enum", custom: true },
];

const ATTRIBUTES: BrevoAttribute[] = [
  { name: "FIRSTNAME", type: "text", writable: true },
  { name: "SEGMENT", type: "category", writable: true },
  { name: "TOTAL_SPENT", type: "float", writable: false },
];

const entries = [
  { pipedrive_field: "first_name", brevo_attribute: "FIRSTNAME" },
  { pipedrive_field: SEGMENT_KEY, brevo_attribute: "SEGMENT" },
  { pipedrive_field: "phone", brevo_attribute: "SEGMENT" },
];

function invalidMapping(entry: number | null, detail: string): ApiError {
  return new ApiError({ status: 422, code: "invalid_mapping", title: "Invalid field mapping", detail, entry });
}

describe("rows", () => {
  it("round-trip to entries, each with an id of its own", () => {
    const rows = rowsFrom(entries);
    expect(entriesOf(rows)).toEqual(entries);
    expect(new Set(rows.map((row) => row.id)).size).toBe(3);
    expect(sameEntries(rows, entries)).toBe(true);
  });

  it("differ from the stored entries when an entry, the order or the count changes", () => {
    const rows = rowsFrom(entries);
    expect(sameEntries(moveRow(rows, 0, 1), entries)).toBe(false);
    expect(sameEntries(rows.slice(1), entries)).toBe(false);
    expect(sameEntries([...rows, emptyRow()], entries)).toBe(false);
    expect(sameEntries(rows.map((row) => ({ ...row, brevo_attribute: "X" })), entries)).toBe(false);
  });

  it("move up and down, and stay put past either end", () => {
    expect(moveRow(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moveRow(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveRow(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moveRow(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });

  it("name the first row with a picker left empty", () => {
    const rows = [...rowsFrom(entries.slice(0, 1)), { ...emptyRow(), pipedrive_field: "phone" }, emptyRow()];
    expect(incompleteRow(rows)).toEqual({
      rowId: rows[1]?.id,
      message: "Row 2: choose a Pipedrive field and a Brevo attribute, or remove the row.",
    });
    expect(incompleteRow(rowsFrom(entries))).toBeNull();
  });
});

describe("a refused mapping", () => {
  const detail = "The field mapping is not valid: mappings[2] and mappings[1] both write the Brevo attribute `SEGMENT`.";

  it("is shown at the row its entry names, among the rows as they were sent", () => {
    const sent = rowsFrom(entries);
    expect(rowProblem(invalidMapping(2, detail), sent)).toEqual({
      rowId: sent[2]?.id,
      message: "Row 3 and row 2 both write the Brevo attribute `SEGMENT`.",
    });
  });

  it("follows its row when the rows move afterwards", () => {
    const sent = rowsFrom(entries);
    const problem = rowProblem(invalidMapping(0, "mappings[0]: Brevo has no contact attribute `X`."), sent);
    const moved = moveRow(sent, 0, 2);
    expect(moved.findIndex((row) => row.id === problem?.rowId)).toBe(2);
  });

  it("names no row for other errors, or for an entry that is not there", () => {
    const sent = rowsFrom(entries);
    expect(rowProblem(invalidMapping(7, detail), sent)).toBeNull();
    expect(rowProblem(invalidMapping(null, detail), sent)).toBeNull();
    const body = new ApiError({ status: 422, code: "invalid_body", title: "Invalid request body", detail: "x", entry: 1 });
    expect(rowProblem(body, sent)).toBeNull();
    expect(rowProblem(new Error("offline"), sent)).toBeNull();
  });

  it("reads from the row it names, or whole when it names none", () => {
    expect(rowMessage("The field mapping is not valid: row 1: Pipedrive has no person field `x`.")).toBe(
      "Row 1: Pipedrive has no person field `x`.",
    );
    expect(rowMessage("Something else went wrong.")).toBe("Something else went wrong.");
  });
});

describe("pickers", () => {
  it("group standard and custom fields, each with its type and custom ones marked", () => {
    expect(pipedriveGroups(FIELDS, "first_name")).toEqual([
      {
        label: "Standard fields",
        options: [
          { value: "first_name", label: "First name (varchar)" },
          { value: "phone", label: "Phone (phone)" },
        ],
      },
      { label: "Custom fields", options: [{ value: SEGMENT_KEY, label: "Segment (enum, custom)" }] },
    ]);
  });

  it("keep a chosen field Pipedrive no longer has, marked as gone", () => {
    const groups = pipedriveGroups(FIELDS, "0123456789abcdef0123456789abcdef01234567");
    expect(groups.at(-1)).toEqual({
      label: "Not in Pipedrive",
      options: [
        {
          value: "0123456789abcdef0123456789abcdef01234567",
          label: "0123456789abcdef0123456789abcdef01234567 (no longer in Pipedrive)",
        },
      ],
    });
    expect(pipedriveGroups(FIELDS, "")).toHaveLength(2);
  });

  it("offer every attribute with its type, those Brevo computes disabled", () => {
    expect(brevoOptions(ATTRIBUTES, "GONE")).toEqual([
      { value: "FIRSTNAME", label: "FIRSTNAME (text)", disabled: false },
      { value: "SEGMENT", label: "SEGMENT (category)", disabled: false },
      { value: "TOTAL_SPENT", label: "TOTAL_SPENT (float, computed by Brevo)", disabled: true },
      { value: "GONE", label: "GONE (no longer in Brevo)" },
    ]);
  });
});

describe("previewed values", () => {
  it("read as text, with no value as null", () => {
    expect(formatPreviewValue("Ada")).toBe("Ada");
    expect(formatPreviewValue(87.5)).toBe("87.5");
    expect(formatPreviewValue(false)).toBe("false");
    expect(formatPreviewValue(["Webinars", "Events"])).toBe("Webinars, Events");
    expect(formatPreviewValue(null)).toBeNull();
    expect(formatPreviewValue(undefined)).toBeNull();
  });
});
