import { useHealth } from "../api/queries";

/**
 * Says plainly, on every screen, when the service runs against the bundled upstream sandbox
 * (`./scripts/run.sh` without credentials): syncs there touch demo data, not real accounts.
 * Nothing shows while the health check loads or fails, or in live mode.
 */
export function SandboxStrip() {
  const health = useHealth();
  if (health.data?.mode !== "sandbox") return null;
  return (
    <div className="sandbox-strip" role="note" aria-label="Sandbox mode">
      <strong>Sandbox — not connected to your Pipedrive/Brevo.</strong>{" "}
      <span>
        Filters and lists are demo data. Set <code>PIPEDRIVE_API_TOKEN</code> and <code>BREVO_API_KEY</code> to use
        your accounts.
      </span>
    </div>
  );
}
