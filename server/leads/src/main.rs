//! The `leads` binary: the server, with the site cargo-leptos writes to `target/site` (WASM, JS,
//! CSS, icons and their precompressed copies) embedded, so that it runs alone. Debug builds read
//! the files from disk as they serve them, so `cargo leptos watch` sees fresh ones.

use rust_embed::RustEmbed;
use std::process::ExitCode;

#[derive(RustEmbed)]
#[folder = "../../target/site"]
#[allow_missing = true]
struct Site;

fn main() -> ExitCode {
    server::assets::serve_embedded(Site::get);
    server::startup::main()
}
