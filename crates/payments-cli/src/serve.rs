//! What the commands that serve a page or an endpoint on this machine share (`listen`,
//! `journal dashboard`): a loopback listener, and serving until Ctrl-C.

use std::net::SocketAddr;

use payments::Error;
use tokio::net::TcpListener;

/// A listener on 127.0.0.1:`port` (0 picks a free one), and its address.
pub(crate) async fn bind_loopback(port: u16) -> Result<(TcpListener, SocketAddr), Error> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Error::configuration("--port", format!("cannot listen: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::configuration("--port", e.to_string()))?;
    Ok((listener, address))
}

/// Prints `banner` (flushed, so a script reading stdout sees it at once), then serves `app`,
/// with each peer's address for its handlers, until Ctrl-C.
pub(crate) async fn until_ctrl_c(
    listener: TcpListener,
    app: axum::Router,
    banner: &[String],
) -> Result<(), Error> {
    for line in banner {
        println!("{line}");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::configuration("--port", format!("serving stopped: {e}")))
}
