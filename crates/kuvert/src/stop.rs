//! Graceful stop: a server process stops on Ctrl-C (SIGINT) or SIGTERM (what service
//! managers and `docker stop` send), letting open requests finish.

use kuvert_web::Shutdown;

/// Gives `shutdown` at the first SIGINT or SIGTERM.
pub async fn on_signal(shutdown: Shutdown) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            if let Err(error) = result {
                tracing::error!(%error, "cannot listen for Ctrl-C; stopping");
            }
        }
        () = terminate => {}
    }
    tracing::info!("stopping: finishing open requests");
    shutdown.trigger();
}
