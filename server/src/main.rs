//! The `leads` binary: reads configuration, prepares the database and serves the app until
//! SIGTERM or Ctrl-C. Configuration and start-up faults end the process with one clear line.

use std::process::ExitCode;

fn main() -> ExitCode {
    server::memory::tune_allocator();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("leads: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        server::telemetry::init();
        server::memory::spawn_trimmer();
        match server::startup::run().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("leads: {err}");
                ExitCode::FAILURE
            }
        }
    })
}
