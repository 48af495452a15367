//! The `leads` binary: reads configuration, prepares the database and serves the app until
//! SIGTERM or Ctrl-C. Configuration and start-up faults end the process with one clear line.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::telemetry::init();
    match server::startup::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("leads: {err}");
            ExitCode::FAILURE
        }
    }
}
