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
    /// Serve the app (the default).
    Serve,
    /// Report configuration problems.
    Check {
        /// Check that the settings are safe for a production deployment; exit 1 if not.
        #[arg(long)]
        deploy: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => match serve().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!("{e}");
                ExitCode::FAILURE
            }
        },
        Command::Check { deploy } => check(deploy),
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = mublog::Config::from_env()?;
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    let app = mublog::build(&config, leptos_options).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(environment = ?config.environment, "listening on http://{addr}");
    // Connection info gives rate limits the client's address.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

fn check(deploy: bool) -> ExitCode {
    let findings =
        if deploy { mublog::deploy_check::check(|name| std::env::var(name).ok()) } else { Vec::new() };
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
