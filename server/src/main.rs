use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mublog: a microblog server. Configured through the environment (see README).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default), with background job workers in the same process unless
    /// MUBLOG_WORKERS=0.
    Serve,
    /// Run background job workers only (for deployments that separate them from the web
    /// servers; set MUBLOG_WORKERS=0 on those).
    Worker,
    /// Report configuration problems.
    Check {
        /// Check that the settings are safe for a production deployment; exit 1 if not.
        #[arg(long)]
        deploy: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // JSON lines in production (for log collectors), readable text in development.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("MUBLOG_ENV").as_deref() == Ok("production") {
        logs.json().init();
    } else {
        logs.init();
    }
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => exit_code(serve().await),
        Command::Worker => exit_code(work().await),
        Command::Check { deploy } => check(deploy),
    }
}

fn exit_code(outcome: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = mublog::Config::from_env()?;
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    let started = mublog::build(&config, leptos_options).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(environment = ?config.environment, workers = config.jobs.concurrency, "listening on http://{addr}");
    // Connection info gives rate limits the client's address.
    let app = started.router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    // Requests have drained; now let running jobs finish or hand them back.
    started.workers.stop().await;
    Ok(())
}

async fn work() -> Result<(), Box<dyn std::error::Error>> {
    let config = mublog::Config::from_env()?;
    let mut jobs = config.jobs.clone();
    jobs.concurrency = jobs.concurrency.max(1);
    tracing::info!(workers = jobs.concurrency, "running job workers");
    let workers = mublog::Workers::start(mublog::domain(&config).await?, jobs);
    shutdown_signal().await;
    workers.stop().await;
    Ok(())
}

fn check(deploy: bool) -> ExitCode {
    let lookup = match mublog::config::layered_lookup() {
        Ok(lookup) => lookup,
        Err(e) => {
            println!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let findings = if deploy { mublog::deploy_check::check(lookup) } else { Vec::new() };
    for finding in &findings {
        println!("{}: {}", finding.id, finding.message);
    }
    if findings.is_empty() {
        println!("No issues found.");
        ExitCode::SUCCESS
    } else {
        println!("{} issue(s) found.", findings.len());
        ExitCode::FAILURE
    }
}

/// Ctrl-C or SIGTERM: stop accepting connections and let requests in flight finish.
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
    tracing::info!("shutting down");
}
