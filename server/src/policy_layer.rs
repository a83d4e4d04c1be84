//! A [`CorsPolicy`] as a tower layer: the same answers as the `/policy/`
//! route, in front of any axum service.
//!
//! Preflights are answered by the layer (204, or 403 with the reason) and
//! never reach the inner service; every other request goes through and its
//! response gets the CORS headers its origin earns.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, routing::put};
//! use corslab::policy::{CorsPolicy, PolicyConfig};
//! use corslab_server::CorsPolicyLayer;
//!
//! let policy = CorsPolicy::new(&PolicyConfig::new().allow_origin("https://app.example.com").allow_method("PUT")).unwrap();
//! let app: Router = Router::new().route("/data", put(|| async { "stored" })).layer(CorsPolicyLayer::new(Arc::new(policy)));
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::Response;
use corslab::policy::CorsPolicy;
use tower::{Layer, Service};

use crate::policy::CorsInputs;

/// Applies a [`CorsPolicy`] to every request.
#[derive(Clone, Debug)]
pub struct CorsPolicyLayer {
    policy: Arc<CorsPolicy>,
}

impl CorsPolicyLayer {
    /// A layer applying `policy`.
    pub fn new(policy: Arc<CorsPolicy>) -> CorsPolicyLayer {
        CorsPolicyLayer { policy }
    }
}

impl<S> Layer<S> for CorsPolicyLayer {
    type Service = CorsPolicyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CorsPolicyService { inner, policy: Arc::clone(&self.policy) }
    }
}

/// The service [`CorsPolicyLayer`] wraps around another.
#[derive(Clone, Debug)]
pub struct CorsPolicyService<S> {
    inner: S,
    policy: Arc<CorsPolicy>,
}

impl<S> Service<Request> for CorsPolicyService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The headers to add, computed before the request moves on.
        let mut extra = HeaderMap::new();
        {
            let inputs = CorsInputs::from_headers(request.headers());
            let answer = inputs.answer(&self.policy, request.method().as_str());
            if let Some(response) = inputs.preflight_response(&answer) {
                return Box::pin(std::future::ready(Ok(response)));
            }
            inputs.add_headers(&answer, &mut extra);
        }
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            let headers = response.headers_mut();
            for (name, value) in &extra {
                headers.append(name.clone(), value.clone());
            }
            Ok(response)
        })
    }
}
