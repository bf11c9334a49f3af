//! Writes the OpenAPI document generated from the code to `openapi.yaml` (or stdout with `-`).

use pipedrive_brevo_sync::openapi;

fn main() -> std::io::Result<()> {
    let yaml = openapi::to_yaml(&openapi::document());
    match std::env::args().nth(1).as_deref() {
        Some("-") => print!("{yaml}"),
        Some(path) => std::fs::write(path, yaml)?,
        None => std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"),
            yaml,
        )?,
    }
    Ok(())
}
