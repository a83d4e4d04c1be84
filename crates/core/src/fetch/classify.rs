//! Simple or preflighted: does a cross-origin CORS request need a preflight,
//! and why.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch> (the "use-CORS-preflight" arm)

use serde::Serialize;

use crate::http::header::HeaderName;
use crate::browsers::profile::{HeaderCheckOrder, Profile};
use crate::fetch::request::FetchRequest;
use crate::fetch::safelist::{NotSafelisted, UnsafeHeaders, cors_unsafe_request_header_names};
use crate::trace::{Step, Tracer, Verdict, spec};

/// One reason a request needs a preflight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    Method {
        /// The method.
        method: String,
    },
    /// A header is not CORS-safelisted.
    Header {
        /// The header.
        name: HeaderName,
        /// Why.
        why: NotSafelisted,
    },
}

impl PreflightReason {
    /// The reason in words.
    pub fn describe(&self) -> String {
        match self {
            PreflightReason::Method { method } => {
                format!("the method {method} is not a CORS-safelisted method (GET, HEAD, POST)")
            }
            PreflightReason::Header { name, why } => format!("{name}: {why}"),
        }
    }
}

/// The classification of a cross-origin CORS request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// Whether the method alone needs a preflight.
    pub method_unsafe: bool,
    /// The verdict on each header, and the unsafe names.
    pub headers: UnsafeHeaders,
    /// Every reason, method first.
    pub reasons: Vec<PreflightReason>,
}

impl Classification {
    /// Whether a preflight is needed (before looking at the cache).
    pub fn needs_preflight(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// The unsafe header names in the order the profile checks them.
    pub fn checked_headers<'a>(&'a self, profile: &Profile) -> &'a [HeaderName] {
        match profile.header_check_order {
            HeaderCheckOrder::Sorted => &self.headers.names,
            HeaderCheckOrder::RequestOrder => &self.headers.request_order,
        }
    }
}

/// Classifies `request` (cross-origin, mode `cors`) as simple or preflighted.
pub fn classify(request: &FetchRequest, profile: &Profile, trace: &mut impl Tracer) -> Classification {
    let method_unsafe = !request.method.is_cors_safelisted();
    trace.record(|| {
        // Not safelisted is no failure: it means "ask first" (a preflight).
        let verdict = if method_unsafe { Verdict::Info } else { Verdict::Pass };
        Step::new("classify.method", "The method is CORS-safelisted", verdict, spec::SAFELISTED_METHOD)
            .compare("method", request.method.as_str())
            .compare("safelisted methods", "GET, HEAD, POST")
            .detail(if method_unsafe {
                "not safelisted: the browser must ask first (preflight)"
            } else {
                "safelisted: no preflight needed for the method"
            })
    });
    let headers = cors_unsafe_request_header_names(&request.headers, profile);
    let mut reasons = Vec::new();
    if method_unsafe {
        reasons.push(PreflightReason::Method { method: request.method.as_str().to_owned() });
    }
    for (name, verdict) in &headers.verdicts {
        let why = match verdict {
            Err(why) => why.clone(),
            Ok(_) if headers.over_total => NotSafelisted::TotalTooLong { total: headers.safelisted_total },
            Ok(_) => continue,
        };
        reasons.push(PreflightReason::Header { name: name.clone(), why });
    }
    trace.record(|| {
        let verdict = if headers.names.is_empty() { Verdict::Pass } else { Verdict::Info };
        let detail = if headers.verdicts.is_empty() {
            "the request sets no headers the safelist has to judge".to_owned()
        } else {
            headers
                .verdicts
                .iter()
                .map(|(name, v)| match v {
                    Ok(kind) if !headers.over_total => format!("{name}: safelisted ({kind:?})"),
                    Ok(_) => format!(
                        "{name}: {}",
                        NotSafelisted::TotalTooLong { total: headers.safelisted_total }
                    ),
                    Err(why) => format!("{name}: {why}"),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        Step::new("classify.headers", "Every header is CORS-safelisted", verdict, spec::UNSAFE_NAMES)
            .compare("unsafe header names", join_names(&headers.names))
            .compare("safelisted bytes", headers.safelisted_total.to_string())
            .detail(detail)
    });
    Classification { method_unsafe, headers, reasons }
}

/// Names joined by `,` (the `Access-Control-Request-Headers` form), or `(none)`.
pub(crate) fn join_names(names: &[HeaderName]) -> String {
    if names.is_empty() {
        return "(none)".to_owned();
    }
    // Sized first: one allocation (the preflight's header is built this way
    // on every preflighted `decide`).
    let mut joined = String::with_capacity(names.iter().map(|n| n.as_str().len() + 1).sum());
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            joined.push(',');
        }
        joined.push_str(name.as_str());
    }
    joined
}
