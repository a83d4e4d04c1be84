//! `corslab-server`: flags, tracing, bind, serve, graceful shutdown.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use corslab::Origin;
use corslab_server::{Config, app, serve};

/// CORS Lab's companion server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Flags {
    /// Address to bind (loopback unless told otherwise).
    #[arg(long, env = "CORSLAB_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on.
    #[arg(long, env = "CORSLAB_PORT", default_value_t = 8080)]
    port: u16,
    /// Origins the seed routes allow (repeat or comma-separate); the first is
    /// the one `/allow/origin` names. Default: http://localhost:5050 and
    /// http://127.0.0.1:5050.
    #[arg(long = "allow-origin", env = "CORSLAB_ALLOW_ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    allow_origin: Vec<Origin>,
    /// The explainer page's origins, the only ones `/probe` answers (repeat
    /// or comma-separate). Default: http://localhost:5050 and
    /// http://127.0.0.1:5050.
    #[arg(long = "page-origin", env = "CORSLAB_PAGE_ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    page_origin: Vec<Origin>,
}

fn parse_origin(value: &str) -> Result<Origin, String> {
    Origin::parse(value.trim()).map_err(|e| format!("{value:?}: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let flags = Flags::parse();
    let mut config = Config::default();
    if !flags.allow_origin.is_empty() {
        config.allowed_origins = flags.allow_origin;
    }
    if !flags.page_origin.is_empty() {
        config.page_origins = flags.page_origin;
    }
    let addr = SocketAddr::new(flags.bind, flags.port);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("corslab-server: cannot bind {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let allowed: Vec<String> = config.allowed_origins.iter().map(ToString::to_string).collect();
    tracing::info!("listening on http://{addr} (allowed origins: {})", allowed.join(", "));
    let served = serve(listener, app(config), shutdown_signal()).await;
    match served {
        Ok(()) => {
            tracing::info!("shut down");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("corslab-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
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
        () = ctrl_c => {},
        () = terminate => {},
    }
}
