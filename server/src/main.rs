use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: rendering a page makes many small, short-lived
/// allocations, and glibc spent over a quarter of the render's CPU time on them (`perf`, see
/// README "Performance"). Without transparent huge pages (`no_thp`): they made the server's
/// resident memory ~10 MB larger (README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a verified staff account. Asks for what is not given.
    Createsuperuser {
        #[arg(long, env = "MUBLOG_SUPERUSER_EMAIL")]
        email: Option<String>,
        /// Prefer the environment variable: arguments show up in process lists.
        #[arg(long, env = "MUBLOG_SUPERUSER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Generate realistic content at scale (users sign in with the demo password).
    Seed {
        #[arg(long, default_value_t = 100)]
        users: u64,
        #[arg(long, default_value_t = 1000)]
        posts: u64,
        /// Likes in all, spread evenly over the posts (default: 0 to 3 per post at random).
        #[arg(long)]
        likes: Option<u64>,
    },
    /// Write users, posts and likes as JSON (to a file, or standard output).
    Export {
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Load a JSON export into an empty database.
    Import { input: std::path::PathBuf },
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
    // Logs go to standard error: standard output is for command results (`mublog export`).
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("MUBLOG_ENV").as_deref() == Ok("production") {
        logs.json().init();
    } else {
        logs.init();
    }
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => exit_code(serve().await),
        Command::Worker => exit_code(work().await),
        Command::Check { deploy } => check(deploy),
        Command::Migrate => exit_code(operate(|_| async { Ok("Migrations applied.".to_owned()) }).await),
        Command::Createsuperuser { email, password } => exit_code(
            operate(|app| async move {
                let email = match email {
                    Some(email) => email,
                    None => prompt("Email: ")?,
                };
                let password = match password {
                    Some(password) => password,
                    None => rpassword::prompt_password("Password: ")?,
                };
                let me = app.create_superuser(&email, &password).await.map_err(explain)?;
                Ok(format!("Staff account {} created (id {}).", me.email, me.id))
            })
            .await,
        ),
        Command::Seed { users, posts, likes } => exit_code(
            operate(|app| async move {
                let seeded = domain::seed::seed_at_scale(&app, users, posts, likes).await.map_err(explain)?;
                Ok(format!("Seeded {} users, {} posts, {} likes.", seeded.users, seeded.posts, seeded.likes))
            })
            .await,
        ),
        Command::Export { output } => exit_code(
            operate(|app| async move {
                let dump = app.export().await.map_err(explain)?;
                let json = serde_json::to_string_pretty(&dump)?;
                match output {
                    Some(path) => std::fs::write(&path, json)?,
                    None => println!("{json}"),
                }
                Ok(format!("Exported {dump}."))
            })
            .await,
        ),
        Command::Import { input } => exit_code(
            operate(|app| async move {
                let dump: domain::store::Dump = serde_json::from_slice(&std::fs::read(&input)?)?;
                app.import(&dump).await.map_err(explain)?;
                Ok(format!("Imported {dump}."))
            })
            .await,
        ),
    }
}

type CliResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Runs an operator command against the configured database (migrated on connect) and prints
/// its report on standard error, so `export` can write JSON to standard output.
async fn operate<F, Fut>(command: F) -> CliResult<()>
where
    F: FnOnce(domain::Mublog) -> Fut,
    Fut: std::future::Future<Output = CliResult<String>>,
{
    let config = mublog::Config::from_env()?;
    let app = mublog::domain(&config).await?;
    eprintln!("{}", command(app).await?);
    Ok(())
}

/// A domain refusal in words an operator can act on (field messages included).
fn explain(e: domain::DomainError) -> Box<dyn std::error::Error> {
    let api = shared::ApiError::from(e);
    let fields: Vec<String> = api.fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
    if fields.is_empty() {
        api.message.into()
    } else {
        fields.join("; ").into()
    }
}

fn prompt(label: &str) -> std::io::Result<String> {
    use std::io::Write;
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn exit_code(outcome: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = mublog::Config::from_env()?;
    let leptos_options = mublog::site::with_built_file_names(get_configuration(None)?.leptos_options)?;
    let addr = leptos_options.site_addr;
    config.check_listen_address(addr)?;
    let mublog::Started { router, mublog: domain, workers, request_log, request_log_handle } =
        mublog::build(&config, leptos_options).await?;
    let listener = mublog::listen(addr).await?;
    tracing::info!(environment = ?config.environment, workers = config.jobs.concurrency, "listening on http://{addr}");
    // Connection info gives rate limits the client's address.
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // On SIGTERM: stop accepting connections and let requests in flight finish, for at most
    // the grace period; a request still running then is cut off.
    let signalled = std::sync::Arc::new(tokio::sync::Notify::new());
    let server = axum::serve(listener, app).with_graceful_shutdown({
        let signalled = signalled.clone();
        async move {
            shutdown_signal().await;
            // Live streams never end by themselves: end them, so that readers reconnect to
            // another instance and the server need not wait for them.
            domain.end_live_streams();
            signalled.notify_one();
        }
    });
    tokio::select! {
        served = server => served?,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(config.shutdown_grace).await;
        } => tracing::warn!(grace = ?config.shutdown_grace, "requests still running after the grace period; stopping"),
    }
    // Requests are over: let running jobs finish (or hand them back), and write the last
    // request-log entries.
    request_log_handle.close();
    workers.stop().await;
    if tokio::time::timeout(std::time::Duration::from_secs(10), request_log).await.is_err() {
        tracing::warn!("the request log did not flush within 10 s");
    }
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
