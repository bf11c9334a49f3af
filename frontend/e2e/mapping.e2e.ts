// The field-mapping page: the default before a save, a refused row shown in place, the save,
// a preview on a filter's first person, the values a sync then writes into Brevo, and the
// note on a job that went on without an entry whose field was deleted.

import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";

import { hidden, screenshots as fullPage, visible } from "./browser";
import { apiSession, setUpSuite } from "./stack";

const JOB_TIMEOUT = 45_000;

/** The seeded "Enterprise customers": 80 hand-made persons, every one in Segment "Enterprise". */
const ENTERPRISE = { id: 3, name: "Enterprise customers", persons: 80 };
/** Its first person, given values the test can predict (see beforeAll). */
const ADA = { id: 20_001, email: "ada.mapped@acme-industries.example" };

/** Custom-field keys of the sandbox's account (backend/upstream-sandbox/src/person_fields.rs). */
const KEYS = {
  customerCode: "58e9657f444aa167aa2408778e74fb935c07ebf7",
  segment: "f25f8a899757c44cd81de9152554b984443a46f9",
  interests: "a775c56d44c36090429dcfc33151a7872644942a",
  renewalDate: "c63d6e968b7d184c077a2a227068e9acedd63570",
  mobile: "0c5e926097620ef715e9a2edc99928c47e48d422",
  score: "e9080310a896bf886750ff2fae10af549e6276a7",
};

/** The rows the test saves, as the pickers label them, in order. */
const ROWS: [field: string, attribute: string][] = [
  ["First name (varchar)", "FIRSTNAME (text)"],
  ["Last name (varchar)", "LASTNAME (text)"],
  ["Customer code (varchar, custom)", "COMPANY (text)"],
  ["Segment (enum, custom)", "SEGMENT (category)"],
  ["Renewal date (date, custom)", "RENEWAL_DATE (date)"],
  ["Score (double, custom)", "SCORE (float)"],
  ["Interests (set, custom)", "INTERESTS (text)"],
  ["Mobile (phone, custom)", "SMS (text)"],
];

/** From the top: scrolled down, the sticky top bar would land mid-page in a full-page shot. */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await fullPage(page, name);
}

interface Job {
  id: number;
  status: string;
  total_added: number;
  total_skipped: number;
  notice: string | null;
}

describe("the field mapping", () => {
  let api: Awaited<ReturnType<typeof apiSession>>;
  // The preview offers the filters the dashboard knows, so they are loaded first.
  const suite = setUpSuite("mapping", {
    start: "filters-loaded",
    seed: async (stack) => {
      api = await apiSession(stack);
      // Ada keeps her "Enterprise" segment; every other value is set here so it can be predicted.
      await stack.sandbox.editPerson(ADA.id, {
        first_name: "Ada",
        last_name: "Mapped",
        emails: [{ value: ADA.email, primary: true }],
        custom_fields: {
          [KEYS.customerCode]: "ACME-0001",
          [KEYS.renewalDate]: "2026-09-30",
          [KEYS.score]: 87.5,
          // Webinars and Events.
          [KEYS.interests]: [21, 24],
          // Not a phone number: left out, never failing the job.
          [KEYS.mobile]: "call after 5pm",
        },
      });
    },
  });

  const rows = (page: Page) => page.locator("table.mapping-table tbody tr[data-row]");
  const fieldPicker = (page: Page, row: number) => page.getByLabel(`Pipedrive field, row ${row}`, { exact: true });
  const attributePicker = (page: Page, row: number) => page.getByLabel(`Brevo attribute, row ${row}`, { exact: true });
  const chosen = (picker: Locator) => picker.locator("option:checked").innerText();

  async function storedMapping(): Promise<{ mappings: { pipedrive_field: string; brevo_attribute: string }[]; saved_at: string | null }> {
    return (await (await api("/api/field-mapping")).json()) as Awaited<ReturnType<typeof storedMapping>>;
  }

  /** The filter's newest job once it has ended, newer than `afterId`. */
  async function jobEnded(filterId: number, afterId = 0): Promise<Job> {
    let job: Job | undefined;
    await expect
      .poll(
        async () => {
          const page = (await (await api(`/api/filters/${filterId}/sync-jobs?limit=1`)).json()) as { items: Job[] };
          job = page.items[0];
          return job !== undefined && job.id > afterId && job.status !== "processing";
        },
        { timeout: JOB_TIMEOUT, interval: 200 },
      )
      .toBe(true);
    return job as Job;
  }

  it("explains when Pipedrive cannot be asked for its fields, and recovers on a retry", async () => {
    const { page } = suite.browser;
    const body = '{"success":false,"error":"Scope and URL mismatch","errorCode":403}';
    await suite.stack.sandbox.fault({
      api: "pipedrive",
      path_prefix: "/api/v2/personFields",
      fault: { kind: "status", status: 403, body },
      always: true,
    });
    try {
      await page.goto("/field-mapping");
      const problem = page.getByRole("alert").filter({ hasText: "Could not load the fields from Pipedrive and Brevo" });
      await visible(problem);
      expect(await problem.innerText()).toMatch(/Pipedrive/);
      expect(await rows(page).count()).toBe(0);
      await screenshots(page, "40-mapping-fields-failed");
    } finally {
      await suite.stack.sandbox.clearFaults();
    }
    await page.getByRole("button", { name: "Try again" }).click();
    await expect.poll(() => rows(page).count()).toBe(2);
  });

  it("shows the first and last name a sync maps until a mapping is saved", async () => {
    const { page } = suite.browser;
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Field mapping" }).click();
    await visible(page.getByRole("heading", { level: 1, name: "Field mapping" }));
    expect(await page.title()).toBe("Field mapping · Pipedrive → Brevo Sync");
    expect(await page.getByRole("link", { name: "Field mapping" }).getAttribute("aria-current")).toBe("page");

    await visible(page.getByRole("status").filter({ hasText: "Not saved yet" }));
    await visible(page.getByText("Never saved: syncs map the first and last name"));
    expect(await rows(page).count()).toBe(2);
    expect(await chosen(fieldPicker(page, 1))).toBe("First name (varchar)");
    expect(await chosen(attributePicker(page, 1))).toBe("FIRSTNAME (text)");
    expect(await chosen(fieldPicker(page, 2))).toBe("Last name (varchar)");
    expect(await chosen(attributePicker(page, 2))).toBe("LASTNAME (text)");
    // Nothing changed and nothing saved: saving the default as it is stays possible.
    expect(await page.getByRole("button", { name: "Save mapping" }).isEnabled()).toBe(true);
    await screenshots(page, "41-mapping-default");
  });

  it("shows a refused entry at its row, and saves once it is fixed", async () => {
    const { page } = suite.browser;
    // A text field cannot fill a date attribute: the server refuses the whole mapping.
    await page.getByRole("button", { name: "Add a row" }).click();
    await fieldPicker(page, 3).selectOption({ label: "Customer code (varchar, custom)" });
    await attributePicker(page, 3).selectOption({ label: "RENEWAL_DATE (date)" });
    await visible(page.getByText("Unsaved changes"));
    // A closed picker still shows that the company made the field.
    await visible(rows(page).nth(2).getByText("custom field", { exact: true }));
    await page.getByRole("button", { name: "Save mapping" }).click();

    const banner = page.getByRole("alert").filter({ hasText: "The field mapping was not saved" });
    await visible(banner);
    expect(await banner.innerText()).toContain(
      "row 3 (Customer code → RENEWAL_DATE): a Pipedrive varchar field cannot fill a Brevo date attribute",
    );
    // The row is marked, and its pickers point at the reason beside it.
    const marked = page.locator("table.mapping-table tr.row-invalid");
    expect(await marked.count()).toBe(1);
    expect(await marked.getAttribute("data-row")).toBe("3");
    for (const picker of [fieldPicker(page, 3), attributePicker(page, 3)]) {
      expect(await picker.getAttribute("aria-invalid")).toBe("true");
    }
    const reasonId = await fieldPicker(page, 3).getAttribute("aria-describedby");
    expect(await page.locator(`#${reasonId}`).innerText()).toBe(
      "Row 3 (Customer code → RENEWAL_DATE): a Pipedrive varchar field cannot fill a Brevo date attribute.",
    );
    expect((await storedMapping()).saved_at).toBeNull();
    await screenshots(page, "42-mapping-refused");

    // Fixed: the mark goes with the change.
    await attributePicker(page, 3).selectOption({ label: "COMPANY (text)" });
    await hidden(marked);
    expect(await fieldPicker(page, 3).getAttribute("aria-invalid")).toBeNull();

    for (const [index, [field, attribute]] of ROWS.entries()) {
      if (index < 3) continue;
      await page.getByRole("button", { name: "Add a row" }).click();
      await fieldPicker(page, index + 1).selectOption({ label: field });
      await attributePicker(page, index + 1).selectOption({ label: attribute });
    }
    // Rows move and go: the last one up and back down, then an empty one removed.
    await page.getByRole("button", { name: "Move row 8 up" }).click();
    expect(await chosen(fieldPicker(page, 7))).toBe("Mobile (phone, custom)");
    await page.getByRole("button", { name: "Move row 7 down" }).click();
    expect(await chosen(fieldPicker(page, 8))).toBe("Mobile (phone, custom)");
    await page.getByRole("button", { name: "Add a row" }).click();
    expect(await rows(page).count()).toBe(9);
    await page.getByRole("button", { name: "Remove row 9" }).click();
    expect(await rows(page).count()).toBe(8);

    await page.getByRole("button", { name: "Save mapping" }).click();
    await visible(page.getByRole("status").filter({ hasText: "Field mapping saved" }));
    await hidden(banner);
    await hidden(page.getByText("Unsaved changes"));
    await hidden(page.getByRole("status").filter({ hasText: "Not saved yet" }));
    await visible(page.getByText(/^Saved just now$/));
    // Nothing left to save.
    expect(await page.getByRole("button", { name: "Save mapping" }).isDisabled()).toBe(true);

    const stored = await storedMapping();
    expect(stored.saved_at).not.toBeNull();
    expect(stored.mappings).toEqual([
      { pipedrive_field: "first_name", brevo_attribute: "FIRSTNAME" },
      { pipedrive_field: "last_name", brevo_attribute: "LASTNAME" },
      { pipedrive_field: KEYS.customerCode, brevo_attribute: "COMPANY" },
      { pipedrive_field: KEYS.segment, brevo_attribute: "SEGMENT" },
      { pipedrive_field: KEYS.renewalDate, brevo_attribute: "RENEWAL_DATE" },
      { pipedrive_field: KEYS.score, brevo_attribute: "SCORE" },
      { pipedrive_field: KEYS.interests, brevo_attribute: "INTERESTS" },
      { pipedrive_field: KEYS.mobile, brevo_attribute: "SMS" },
    ]);
    await screenshots(page, "43-mapping-saved");

    // A reload shows the stored rows.
    await page.reload();
    await visible(page.getByRole("heading", { level: 1, name: "Field mapping" }));
    await expect.poll(() => rows(page).count()).toBe(8);
    expect(await chosen(attributePicker(page, 4))).toBe("SEGMENT (category)");
  });

  it("previews the rows on a filter's first person", async () => {
    const { page } = suite.browser;
    const preview = page.getByRole("region", { name: "Preview", exact: true });
    await preview.getByLabel("Filter").selectOption({ label: ENTERPRISE.name });
    await preview.getByRole("button", { name: "Preview", exact: true }).click();
    await visible(preview.getByText(`Sample person: ${ADA.email}`));
    const values = await preview.locator("table.preview-values tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector("th")?.textContent ?? "", tr.querySelector("td")?.textContent ?? ""]),
    );
    expect(values).toEqual([
      ["FIRSTNAME", "Ada"],
      ["LASTNAME", "Mapped"],
      ["COMPANY", "ACME-0001"],
      // A category attribute takes its option's value, shown with its label.
      ["SEGMENT", "1 (Enterprise)"],
      ["RENEWAL_DATE", "2026-09-30"],
      ["SCORE", "87.5"],
      ["INTERESTS", "Webinars, Events"],
      ["SMS", "No value: left as it is in Brevo"],
    ]);
    const leftOut = preview.getByRole("note", { name: "Values left out" });
    expect(await leftOut.innerText()).toContain('Mobile left out: phone "call after 5pm" is not a number');
    await screenshots(page, "44-mapping-preview");

    // An edit after the preview says the result is for other rows, until it is undone.
    await attributePicker(page, 8).selectOption({ label: "COMPANY (text)" });
    await visible(preview.getByText("The rows or the filter changed since this preview."));
    await page.getByRole("button", { name: "Discard changes" }).click();
    await hidden(preview.getByText("The rows or the filter changed since this preview."));
  });

  it("writes the mapped values into Brevo on the next sync", async () => {
    const { page } = suite.browser;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Filters" }).click();
    await visible(page.getByRole("heading", { level: 1, name: "Filters" }));
    await page.getByRole("button", { name: `Sync ${ENTERPRISE.name}` }).click();
    const job = await jobEnded(ENTERPRISE.id);
    expect(job).toMatchObject({ status: "completed", notice: null });
    // Two of the 80 share an address: one contact for both.
    expect(job.total_added + job.total_skipped).toBe(ENTERPRISE.persons);

    const filter = (await (await api(`/api/filters/${ENTERPRISE.id}`)).json()) as { brevo_list_id: number };
    const contacts = await suite.stack.sandbox.listContacts(filter.brevo_list_id);
    expect(contacts).toHaveLength(job.total_added);
    const ada = contacts.find((contact) => contact.email === ADA.email);
    // Exactly these: the unconvertible mobile number left SMS unset.
    expect(ada?.attributes).toEqual({
      FIRSTNAME: "Ada",
      LASTNAME: "Mapped",
      COMPANY: "ACME-0001",
      SEGMENT: 1,
      RENEWAL_DATE: "2026-09-30",
      SCORE: 87.5,
      INTERESTS: "Webinars, Events",
    });
    // Every Enterprise customer is in the segment "Enterprise" (Brevo's value 1).
    expect(contacts.every((contact) => contact.attributes.SEGMENT === 1)).toBe(true);
  });

  it("notes on the job the entry a sync went on without, once its field is deleted", async () => {
    const { page } = suite.browser;
    const before = await jobEnded(ENTERPRISE.id);
    await suite.stack.sandbox.deletePersonField(KEYS.score);
    await page.goto(`/filters/${ENTERPRISE.id}`);
    await visible(page.getByRole("heading", { level: 1, name: ENTERPRISE.name }));
    await page.getByRole("button", { name: `Sync ${ENTERPRISE.name}` }).click();
    const job = await jobEnded(ENTERPRISE.id, before.id);
    expect(job.status).toBe("completed");
    expect(job.notice).toContain(KEYS.score);

    // In the history, under the job's row, and on the job's own page: a note, not a failure.
    const inHistory = page.getByRole("note", { name: `Note on job #${job.id}` });
    await visible(inHistory, JOB_TIMEOUT);
    expect(await inHistory.innerText()).toContain("row 6: Pipedrive has no person field");
    await page.getByRole("link", { name: `Job #${job.id}` }).click();
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${job.id}` }));
    const note = page.getByRole("note", { name: `Note on job #${job.id}` });
    await visible(note);
    expect(await note.innerText()).toContain("fix the mapping on the Field mapping page");
    expect(await page.getByRole("note", { name: "Why the job failed" }).count()).toBe(0);
    await screenshots(page, "45-job-notice");

    // The mapping page keeps the row, its field marked as gone.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Field mapping" }).click();
    await expect.poll(() => rows(page).count()).toBe(8);
    expect(await chosen(fieldPicker(page, 6))).toBe(`${KEYS.score} (no longer in Pipedrive)`);
    await visible(rows(page).nth(5).getByText("gone from Pipedrive: syncs skip this row"));
    await screenshots(page, "46-mapping-field-gone");
  });
});
