//! Start-up in order: configuration, database (connect, migrate, seed), listener, serve until a
//! shutdown signal, letting in-flight requests finish.

use crate::config::{self, Config, redact};
use app::server::service::jobs;
use app::server::state::AppState;
use app::server::{db, seed};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The process: reads configuration, prepares the database and serves the app until SIGTERM or
/// Ctrl-C. Configuration and start-up faults end it with one clear line.
pub fn main() -> ExitCode {
    crate::memory::tune_allocator();
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
        crate::telemetry::init();
        crate::memory::spawn_trimmer();
        match run().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("leads: {err}");
                ExitCode::FAILURE
            }
        }
    })
}

pub async fn run() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let connect = || async {
        db::connect(&config.database_url).await.map_err(|e| {
            format!(
                "cannot connect to the database {}: {e}",
                redact(&config.database_url)
            )
        })
    };
    // Migrate on connections of their own: SQLite connections that were open while the
    // schema changed can keep planning against the old one.
    let migrator = connect().await?;
    db::migrate(&migrator)
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    migrator.close().await.ok();
    let db = connect().await?;
    let interrupted = jobs::interrupt_stale(&db, jobs::STALE_AFTER)
        .await
        .map_err(|e| format!("cannot check for unfinished jobs: {e}"))?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "jobs whose runner stopped reporting are marked interrupted"
        );
    }
    jobs::start_workers(db.clone());
    let seeded = config.seed_demo
        && seed::seed_demo_if_empty(&db)
            .await
            .map_err(|e| format!("cannot create the demo workspace: {e}"))?;

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    app::server::service::set_count_budget_ms(config.count_budget_ms);
    let mailer = match &config.smtp_url {
        Some(url) => app::server::service::mailer::Mailer::from_url(url, &config.mail_from)?,
        None => app::server::service::mailer::Mailer::disabled(),
    };
    let state = AppState::new(db, config::leptos_options(addr))
        .with_trusted_proxies(config.trusted_proxies.clone())
        .with_signups_per_minute(config.signups_per_minute)
        .with_import_max_bytes(config.import_max_bytes)
        .with_mailer(mailer)
        .with_public_url(config.public_url.clone());
    let app = crate::router::build(state);

    match &config.sqlite_path {
        Some(path) => println!("Leads: using SQLite at {}", path.display()),
        None => println!("Leads: using {}", redact(&config.database_url)),
    }
    if seeded {
        println!(
            "Leads: created the demo workspace — sign in as {} / {}",
            seed::DEMO_EMAIL,
            seed::DEMO_PASSWORD
        );
    }
    println!("Leads is running at http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
