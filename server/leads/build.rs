//! The release binary embeds the site cargo-leptos writes to `target/site` (see src/main.rs).
//! Embedding tracks the files it saw; this also catches files appearing or disappearing.
//! Debug builds read the site from disk as they serve it, so they track nothing: a path that does
//! not exist (no release build yet) would make every test run recompile this crate.

fn main() {
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed=../../target/site");
    } else {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
