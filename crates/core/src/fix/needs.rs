//! What one request needs from a server's CORS answers, and nothing wider:
//! its exact origin, its method when that is not safelisted, its unsafe
//! header names, credentials when it sends them.
//!
//! <https://fetch.spec.whatwg.org/#http-responses>

use serde::Serialize;

use crate::browsers::profile::Profile;
use crate::fetch::classify::classify;
use crate::fetch::response::Tainting;
use crate::fetch::request::{FetchRequest, RequestMode};
use crate::origin::Origin;
use crate::policy::PolicyConfig;
use crate::trace::NoTrace;

/// What a cross-origin CORS request needs the server to allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// The request's serialized origin (`null` for an opaque one).
    pub origin: String,
    /// Whether it sends credentials (`credentials: "include"`).
    pub credentials: bool,
    /// What its preflight must allow, when it needs one.
    pub preflight: Option<PreflightNeeds>,
}

/// What a preflight answer must allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreflightNeeds {
    /// The method, when it is not CORS-safelisted (it must be listed, in
    /// this case: methods match case-sensitively).
    pub method: Option<String>,
    /// The CORS-unsafe request-header names, lower-case, sorted.
    pub headers: Vec<String>,
}

impl Needs {
    /// What `request` needs from the server under `profile`'s preflight
    /// rules; `None` when CORS does not apply (same origin, or not `cors`
    /// mode: the server cannot change what the page gets then). After a
    /// redirect, CORS applies wherever the engine said it did (back on the
    /// page's own origin too), and the origin to allow is the request's
    /// serialized one (`null` once tainted).
    pub fn of(request: &FetchRequest, profile: &Profile) -> Option<Needs> {
        let target = Origin::from_url(&request.url);
        let cors = match request.tainting {
            Some(tainting) => tainting == Tainting::Cors,
            None => request.mode == RequestMode::Cors && !request.origin.is_same_origin(&target),
        };
        if !cors {
            return None;
        }
        let classification = classify(request, profile, &mut NoTrace);
        let preflight = classification.needs_preflight().then(|| PreflightNeeds {
            method: classification.method_unsafe.then(|| request.method.as_str().to_owned()),
            headers: classification.headers.names.iter().map(|n| n.as_str().to_owned()).collect(),
        });
        Some(Needs { origin: request.origin_serialized.clone(), credentials: request.includes_credentials(), preflight })
    }

    /// Merges what another browser's rules need (their preflight criteria
    /// differ: Firefox treats `User-Agent` as unsafe, Chromium safelists
    /// client hints), so one answer satisfies both.
    #[must_use]
    pub fn union(mut self, other: &Needs) -> Needs {
        self.credentials |= other.credentials;
        self.preflight = match (self.preflight.take(), &other.preflight) {
            (None, None) => None,
            (Some(a), None) => Some(a),
            (None, Some(b)) => Some(b.clone()),
            (Some(mut a), Some(b)) => {
                a.method = a.method.or_else(|| b.method.clone());
                for name in &b.headers {
                    if !a.headers.contains(name) {
                        a.headers.push(name.clone());
                    }
                }
                crate::sort::sort(&mut a.headers);
                Some(a)
            }
        };
        self
    }

    /// The narrowest policy that lets this request through: its origin,
    /// its method, its header names, credentials when it sends them.
    pub fn policy(&self) -> PolicyConfig {
        let mut config = PolicyConfig::new().allow_origin(self.origin.clone()).credentials(self.credentials);
        if let Some(preflight) = &self.preflight {
            if let Some(method) = &preflight.method {
                config = config.allow_method(method.clone());
            }
            for header in &preflight.headers {
                config = config.allow_header(header.clone());
            }
        }
        config
    }
}
