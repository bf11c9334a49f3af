import { useState, type FormEvent } from "react";

import type { Filter, SyncMode } from "../api/client";
import { messageOf } from "../api/errors";
import { useUpdateFilter } from "../api/queries";
import { formatSchedule, SCHEDULE_PRESETS, scheduleChoice, scheduleMinutes, type ScheduleChoice } from "../lib/schedule";
import { Spinner } from "./States";
import { UntilTime } from "./Time";

const MODE_HELP: Record<SyncMode, string> = {
  mirror: "The list equals the filter: a sync adds, updates and removes members.",
  additive: "A sync adds and updates members, and never removes anyone from the list.",
};

/**
 * The filter's settings, each saved on its own (PATCH): the mode the moment it changes, the
 * schedule with its button. A refused value shows the server's reason under its field.
 */
export function FilterSettings({ filter, now }: { filter: Filter; now: number }) {
  const deleted = Boolean(filter.deleted_at);
  return (
    <section className="card" aria-labelledby="settings-title">
      <div className="card-toolbar">
        <h2 className="card-title" id="settings-title">
          Settings
        </h2>
      </div>
      <div className="card-body settings">
        <ModeField filter={filter} disabled={deleted} />
        <ScheduleField filter={filter} now={now} disabled={deleted} />
      </div>
    </section>
  );
}

function ModeField({ filter, disabled }: { filter: Filter; disabled: boolean }) {
  const update = useUpdateFilter();
  // Shown at once, before the server answers; a refusal puts the stored mode back.
  const mode = update.isPending && update.variables.settings.mode ? update.variables.settings.mode : filter.mode;
  return (
    <div className="field">
      <label htmlFor="sync-mode">Sync mode</label>
      <div className="input-row">
        <select
          id="sync-mode"
          value={mode}
          disabled={disabled || update.isPending}
          aria-describedby="sync-mode-help"
          aria-invalid={update.isError}
          aria-errormessage={update.isError ? "sync-mode-error" : undefined}
          onChange={(event) => update.mutate({ id: filter.id, settings: { mode: event.target.value as SyncMode } })}
        >
          <option value="mirror">Mirror</option>
          <option value="additive">Additive</option>
        </select>
        <SaveState pending={update.isPending} saved={update.isSuccess} />
      </div>
      <p className="field-help" id="sync-mode-help">
        {MODE_HELP[mode]}
      </p>
      {update.isError && (
        <p className="field-error" id="sync-mode-error" role="alert">
          {messageOf(update.error)}
        </p>
      )}
    </div>
  );
}

function ScheduleField({ filter, now, disabled }: { filter: Filter; now: number; disabled: boolean }) {
  const update = useUpdateFilter();
  const [choice, setChoice] = useState(() => scheduleChoice(filter.schedule_minutes));
  const [customText, setCustomText] = useState(customTextOf(filter.schedule_minutes));
  const [invalid, setInvalid] = useState<string | null>(null);
  const error = invalid ?? (update.isError ? messageOf(update.error) : null);
  const custom = choice === "custom";

  const save = (event: FormEvent) => {
    event.preventDefault();
    const parsed = scheduleMinutes(choice, customText);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    update.mutate(
      { id: filter.id, settings: { schedule_minutes: parsed.minutes } },
      {
        // The stored value, as the server has it: a custom 60 shows as Hourly, "060" as 60.
        onSuccess: (saved) => {
          setChoice(scheduleChoice(saved.schedule_minutes));
          setCustomText(customTextOf(saved.schedule_minutes));
        },
      },
    );
  };

  return (
    <form className="field" onSubmit={save} noValidate>
      <label htmlFor="sync-schedule">Schedule</label>
      <div className="input-row">
        <select
          id="sync-schedule"
          value={choice}
          disabled={disabled}
          aria-describedby="sync-schedule-help"
          // A refusal belongs to the minutes when there are any, else to the choice itself.
          aria-invalid={!custom && error !== null}
          aria-errormessage={!custom && error !== null ? "sync-schedule-error" : undefined}
          onChange={(event) => {
            setChoice(event.target.value as ScheduleChoice);
            setInvalid(null);
          }}
        >
          {SCHEDULE_PRESETS.map((preset) => (
            <option key={preset.choice} value={preset.choice}>
              {preset.label}
            </option>
          ))}
          <option value="custom">Custom</option>
        </select>
        {custom && (
          <span className="input-unit">
            <input
              id="sync-schedule-minutes"
              inputMode="numeric"
              aria-label="Custom interval in minutes"
              value={customText}
              disabled={disabled}
              aria-describedby="sync-schedule-help"
              aria-invalid={error !== null}
              aria-errormessage={error !== null ? "sync-schedule-error" : undefined}
              onChange={(event) => {
                setCustomText(event.target.value);
                setInvalid(null);
              }}
            />
            <span aria-hidden="true">minutes</span>
          </span>
        )}
        <button type="submit" className="button button-secondary" disabled={disabled || update.isPending}>
          Save schedule
        </button>
        <SaveState pending={update.isPending} saved={update.isSuccess} />
      </div>
      <p className="field-help" id="sync-schedule-help">
        {filter.schedule_minutes == null ? (
          "Syncs only when you press Sync."
        ) : (
          <>
            {formatSchedule(filter.schedule_minutes)}.{" "}
            {filter.next_sync_at && (
              <>
                Next sync <UntilTime value={filter.next_sync_at} now={now} />.
              </>
            )}
          </>
        )}
        {custom && " A custom interval is 1 to 10,080 minutes (a week)."}
      </p>
      {error !== null && (
        <p className="field-error" id="sync-schedule-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The custom field's text for a stored schedule; empty for manual only. */
function customTextOf(minutes: number | null | undefined): string {
  return minutes == null ? "" : String(minutes);
}

function SaveState({ pending, saved }: { pending: boolean; saved: boolean }) {
  if (pending) return <Spinner label="Saving" />;
  return saved ? <span className="save-state">Saved</span> : null;
}
