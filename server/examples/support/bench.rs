//! What the two benchmark-only servers share: the port flag and the serving
//! loop (the companion server's own, so that the three servers differ only
//! in their CORS handling).

use std::net::SocketAddr;

use axum::Router;

/// Serves `app` on 127.0.0.1 at the port given as the first argument until
/// SIGINT or SIGTERM.
pub(crate) async fn run(name: &str, app: Router) {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(18_190);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("{name}: cannot bind {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("{name}: listening on http://{addr}");
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    };
    if let Err(e) = corslab_server::serve(listener, app, shutdown).await {
        eprintln!("{name}: {e}");
    }
}
