//! The layer in front of every route: the request-target limit (414), the
//! request-body limit (413, on `Content-Length`: no route reads a body, so
//! a chunked one is never buffered), the request timeout (408) and the one
//! log line per request.
//!
//! One hand-written layer rather than `middleware::from_fn` twice and
//! tower-http's `TimeoutLayer`: those box and clone the inner service per
//! request, and `TimeoutLayer` registers a timer on every request before it
//! polls the handler. Here the handler is polled first, so a request
//! answered at once (every route of this server) never touches the timer
//! and costs no allocation; [`tokio::time::timeout`] starts only when a
//! handler waits.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

/// Applies the limits and logging to every request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GuardLayer {
    pub(crate) max_uri_len: usize,
    pub(crate) max_body_len: u64,
    pub(crate) timeout: Duration,
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard { inner, limits: *self }
    }
}

/// The service [`GuardLayer`] wraps around the router.
#[derive(Clone, Debug)]
pub(crate) struct Guard<S> {
    inner: S,
    limits: GuardLayer,
}

/// What the log line says, captured before the request moves on.
struct LogLine {
    method: axum::http::Method,
    path: String,
    origin: String,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = GuardFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> GuardFuture<S::Future> {
        let log = tracing::enabled!(tracing::Level::INFO).then(|| LogLine {
            method: request.method().clone(),
            path: cut(request.uri().path().as_bytes()),
            origin: request.headers().get(ORIGIN).map_or_else(|| "-".to_owned(), |v| cut(v.as_bytes())),
        });
        let len = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
        let body_len = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let GuardLayer { max_uri_len, max_body_len, timeout } = self.limits;
        let refused = |status: StatusCode, message: String| {
            State::Ready((status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response())
        };
        let state = if len > max_uri_len {
            refused(StatusCode::URI_TOO_LONG, format!("request target is {len} bytes, over the {max_uri_len}-byte limit"))
        } else if body_len > max_body_len {
            refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is {body_len} bytes, over the {max_body_len}-byte limit"),
            )
        } else {
            State::Running { future: self.inner.call(request), timeout }
        };
        GuardFuture { state, log }
    }
}

/// The response future of [`Guard`]: no allocation unless a handler waits.
pub(crate) struct GuardFuture<F> {
    state: State<F>,
    log: Option<LogLine>,
}

enum State<F> {
    /// Refused before the router saw it.
    Ready(Response),
    /// Not polled yet, or answered at once: no timer.
    Running { future: F, timeout: Duration },
    /// The handler waited: the timer runs.
    Timed(Pin<Box<tokio::time::Timeout<F>>>, Duration),
    /// Answered.
    Done,
}

impl<F> std::fmt::Debug for GuardFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GuardFuture")
    }
}

/// The timed future's answer, or `None` while it waits.
fn poll_timed<F>(timed: Pin<&mut tokio::time::Timeout<F>>, timeout: Duration, cx: &mut Context<'_>) -> Option<Response>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    match timed.poll(cx) {
        Poll::Pending => None,
        Poll::Ready(Ok(Ok(response))) => Some(response),
        Poll::Ready(Ok(Err(never))) => match never {},
        Poll::Ready(Err(_)) => Some(
            (
                StatusCode::REQUEST_TIMEOUT,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("request not answered within {timeout:?}"),
            )
                .into_response(),
        ),
    }
}

impl<F> Future for GuardFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let response = match std::mem::replace(&mut this.state, State::Done) {
            State::Ready(response) => response,
            State::Running { mut future, timeout } => match Pin::new(&mut future).poll(cx) {
                Poll::Ready(Ok(response)) => response,
                Poll::Ready(Err(never)) => match never {},
                Poll::Pending => {
                    // The handler waits: from now on, against the clock.
                    let mut timed = Box::pin(tokio::time::timeout(timeout, future));
                    match poll_timed(timed.as_mut(), timeout, cx) {
                        Some(response) => response,
                        None => {
                            this.state = State::Timed(timed, timeout);
                            return Poll::Pending;
                        }
                    }
                }
            },
            State::Timed(mut timed, timeout) => match poll_timed(timed.as_mut(), timeout, cx) {
                Some(response) => response,
                None => {
                    this.state = State::Timed(timed, timeout);
                    return Poll::Pending;
                }
            },
            // Polled again after it answered: a caller's bug, answered, not a panic.
            State::Done => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
        if let Some(LogLine { method, path, origin }) = this.log.take() {
            tracing::info!(%method, %path, %origin, status = response.status().as_u16(), "request");
        }
        Poll::Ready(Ok(response))
    }
}

/// A logged value: at most [`crate::log::MAX_VALUE_LEN`] bytes, lossy UTF-8.
fn cut(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(crate::log::MAX_VALUE_LEN)]).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    fn app(timeout: Duration) -> Router {
        Router::new()
            .route("/now", get(|| async { "now" }))
            .route("/soon", get(|| async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                "soon"
            }))
            .route("/never", get(std::future::pending::<&'static str>))
            .layer(GuardLayer { max_uri_len: 64, max_body_len: 10, timeout })
    }

    async fn status(app: Router, request: axum::http::Request<Body>) -> StatusCode {
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn answers_at_once_after_a_wait_or_with_408() {
        let get = |uri: &str| axum::http::Request::get(uri).body(Body::empty()).unwrap();
        let app = app(Duration::from_millis(200));
        assert_eq!(status(app.clone(), get("/now")).await, StatusCode::OK);
        assert_eq!(status(app.clone(), get("/soon")).await, StatusCode::OK);
        let started = std::time::Instant::now();
        assert_eq!(status(app.clone(), get("/never")).await, StatusCode::REQUEST_TIMEOUT);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(status(app.clone(), get(&format!("/now?{}", "x".repeat(64)))).await, StatusCode::URI_TOO_LONG);
        let post = axum::http::Request::get("/now").header("content-length", "11").body(Body::from("x".repeat(11))).unwrap();
        assert_eq!(status(app, post).await, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
