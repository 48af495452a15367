//! The release binary embeds the site cargo-leptos writes to `target/site` (see src/assets.rs).
//! Embedding tracks the files it saw; this also catches files appearing or disappearing.

fn main() {
    println!("cargo:rerun-if-changed=../target/site");
}
