//! What to change on the server so that one request passes in every
//! browser: the headers (and statuses) its answers must carry, compared with
//! what they carry now.
//!
//! The rules are the engine's own ([`cors_check`](crate::fetch::cors_check::cors_check),
//! [`AllowMethods::allows`](crate::fetch::allow_methods::AllowMethods::allows),
//! [`AllowHeaders::check`](crate::fetch::allow_headers::AllowHeaders::check) under the Fetch standard's strictest reading, so
//! that `Authorization` is always listed by name): a fix computed here,
//! applied to the answers, passes the engine for every profile (the tests
//! check this against every recorded scenario).

use serde::Serialize;

use crate::browsers::failure::Stage;
use crate::browsers::profile::SPEC;
use crate::fetch::allow_headers::{HeadersMatch, parse_allow_headers};
use crate::fetch::allow_methods::{MethodMatch, parse_allow_methods};
use crate::fetch::response::{ServerResponse, is_ok_status};
use crate::http::header::{HeaderList, HeaderName};
use crate::http::method::Method;
use crate::policy::PolicyConfig;

use super::needs::Needs;

/// One change to make on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ServerChange {
    /// Send this header with this value (in place of any line it has now).
    SetHeader {
        /// Which answer.
        response: Stage,
        /// The header, as people write it.
        header: &'static str,
        /// The value to send.
        value: String,
        /// What the answer sends now (`None`: nothing, or not seen).
        now: Option<String>,
        /// Whether the answer was seen (the browser never sends the request
        /// itself when its preflight fails).
        seen: bool,
        /// Whether the request needs it (`false`: recommended, e.g. `Vary`).
        required: bool,
        /// Why.
        why: String,
    },
    /// Answer the preflight with an ok status (204 is usual).
    OkStatus {
        /// The status it has now.
        now: u16,
        /// Why.
        why: String,
    },
    /// Answer the preflight at this URL instead of redirecting it.
    NoPreflightRedirect {
        /// The redirect status it has now.
        now: u16,
        /// Where it points.
        location: String,
        /// Why.
        why: String,
    },
}

impl ServerChange {
    /// The change as one line for people.
    pub fn describe(&self) -> String {
        match self {
            ServerChange::SetHeader { response, header, value, now, seen, required, .. } => {
                let which = match response {
                    Stage::Preflight => "preflight (OPTIONS) answer",
                    Stage::Actual => "response",
                };
                let verb = if *required { "send" } else { "also send" };
                let now = match (now, seen) {
                    (_, false) => " (not seen: the browser stopped before sending the request)".to_owned(),
                    (None, true) => " (now: absent)".to_owned(),
                    (Some(now), true) => format!(" (now: {now})"),
                };
                format!("in the {which}, {verb} `{header}: {value}`{now}")
            }
            ServerChange::OkStatus { now, .. } => {
                format!("answer the preflight (OPTIONS) with 204 No Content or another 2xx (now: {now})")
            }
            ServerChange::NoPreflightRedirect { now, location, .. } => format!(
                "answer the preflight (OPTIONS) at this URL itself with 204 instead of redirecting it (now: {now} to {location})"
            ),
        }
    }

    /// Why the change is needed.
    pub fn why(&self) -> &str {
        match self {
            ServerChange::SetHeader { why, .. }
            | ServerChange::OkStatus { why, .. }
            | ServerChange::NoPreflightRedirect { why, .. } => why,
        }
    }
}

/// What to change on the server for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The changes, preflight answer first.
    pub changes: Vec<ServerChange>,
    /// Why no server change can help, when none can (the page must change).
    pub not_on_the_server: Option<String>,
    /// The narrowest policy that lets the request through, for a CORS
    /// middleware's configuration.
    pub policy: Option<PolicyConfig>,
}

impl Fix {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.not_on_the_server.is_none()
    }

    /// A fix that is not the server's to make.
    pub fn not_on_the_server(why: impl Into<String>) -> Fix {
        Fix { changes: Vec::new(), not_on_the_server: Some(why.into()), policy: None }
    }

    /// The changes [`needs`](super::needs) call for, given the answers seen: the
    /// preflight's (`None` when none was sent) and the response's (`None`
    /// when the browser stopped before sending the request).
    pub fn for_needs(needs: &Needs, preflight: Option<&ServerResponse>, response: Option<&ServerResponse>) -> Fix {
        let mut changes = Vec::new();
        if let Some(wanted) = &needs.preflight {
            let answer = preflight.filter(|p| p.redirect_location().is_none());
            if let Some(p) = preflight
                && let Some(location) = p.redirect_location()
            {
                changes.push(ServerChange::NoPreflightRedirect {
                    now: p.status,
                    location: location.to_owned(),
                    why: "browsers never follow a redirect of a preflight".to_owned(),
                });
            } else if let Some(p) = answer
                && !is_ok_status(p.status)
            {
                changes.push(ServerChange::OkStatus {
                    now: p.status,
                    why: "a preflight passes only with an ok status (200-299)".to_owned(),
                });
            }
            let seen = preflight.is_some();
            let empty = HeaderList::new();
            let headers = answer.map_or(&empty, |p| &p.headers);
            allow_origin(&mut changes, Stage::Preflight, needs, headers, seen);
            if let Some(method) = &wanted.method {
                allow_method(&mut changes, method, needs.credentials, headers, seen);
            }
            allow_headers(&mut changes, &wanted.headers, needs.credentials, headers, seen);
        }
        let empty = HeaderList::new();
        let headers = response.map_or(&empty, |r| &r.headers);
        allow_origin(&mut changes, Stage::Actual, needs, headers, response.is_some());
        Fix { changes, not_on_the_server: None, policy: Some(needs.policy()) }
    }

    /// Merges another browser's fix: one change per (answer, header), the
    /// list values merged.
    #[must_use]
    pub fn merge(mut self, other: &Fix) -> Fix {
        for change in &other.changes {
            let twin = self.changes.iter_mut().find(|c| same_target(c, change));
            match (twin, change) {
                (None, _) => self.changes.push(change.clone()),
                (
                    Some(ServerChange::SetHeader { value, header, .. }),
                    ServerChange::SetHeader { value: other_value, .. },
                ) if is_list_header(header) => {
                    for item in other_value.split(',').map(str::trim) {
                        if !value.split(',').any(|v| v.trim().eq_ignore_ascii_case(item)) {
                            value.push_str(", ");
                            value.push_str(item);
                        }
                    }
                }
                (Some(_), _) => {}
            }
        }
        if self.not_on_the_server.is_none() {
            self.not_on_the_server.clone_from(&other.not_on_the_server);
        }
        if self.policy.is_none() {
            self.policy.clone_from(&other.policy);
        }
        self
    }

    /// Applies the changes to the answers (to check a fix, or to preview it).
    pub fn apply(&self, preflight: &mut ServerResponse, response: &mut ServerResponse) {
        for change in &self.changes {
            match change {
                ServerChange::SetHeader { response: stage, header, value, .. } => {
                    let target = match stage {
                        Stage::Preflight => &mut *preflight,
                        Stage::Actual => &mut *response,
                    };
                    set(&mut target.headers, header, value);
                }
                ServerChange::OkStatus { .. } => preflight.status = 204,
                ServerChange::NoPreflightRedirect { .. } => {
                    preflight.status = 204;
                    preflight.headers = without(&preflight.headers, "location");
                }
            }
        }
    }
}

fn same_target(a: &ServerChange, b: &ServerChange) -> bool {
    match (a, b) {
        (
            ServerChange::SetHeader { response: r1, header: h1, .. },
            ServerChange::SetHeader { response: r2, header: h2, .. },
        ) => r1 == r2 && h1 == h2,
        (ServerChange::OkStatus { .. }, ServerChange::OkStatus { .. })
        | (ServerChange::NoPreflightRedirect { .. }, ServerChange::NoPreflightRedirect { .. }) => true,
        _ => false,
    }
}

fn is_list_header(header: &str) -> bool {
    matches!(header, "Access-Control-Allow-Methods" | "Access-Control-Allow-Headers" | "Vary")
}

/// `headers` without any line named `name`.
fn without(headers: &HeaderList, name: &str) -> HeaderList {
    let mut out = HeaderList::new();
    for (n, v) in headers.iter() {
        if n.as_str() != name {
            out.append(n.clone(), v.to_owned());
        }
    }
    out
}

/// Replaces every line of `header` with one line holding `value`.
fn set(headers: &mut HeaderList, header: &str, value: &str) {
    let name = HeaderName::parse(header).unwrap_or_else(|_| HeaderName::from_static("x-invalid"));
    let mut out = without(headers, name.as_str());
    out.append(name, value.to_owned());
    *headers = out;
}

/// [The CORS check](https://fetch.spec.whatwg.org/#concept-cors-check):
/// `Access-Control-Allow-Origin` is exactly the origin (or `*` without
/// credentials), on one line; with credentials,
/// `Access-Control-Allow-Credentials: true`. When the origin is echoed, a
/// `Vary: Origin` keeps caches from serving it to another origin.
fn allow_origin(changes: &mut Vec<ServerChange>, stage: Stage, needs: &Needs, headers: &HeaderList, seen: bool) {
    let lines: Vec<&str> = headers.values("access-control-allow-origin").collect();
    let ok = match lines.as_slice() {
        [one] => *one == needs.origin || (*one == "*" && !needs.credentials),
        _ => false,
    };
    let now = headers.get("access-control-allow-origin");
    if !ok {
        let why = match lines.as_slice() {
            [] => "the browser lets the page read a cross-origin answer only if it names the page's origin".to_owned(),
            [one] if *one == "*" => {
                "a credentialed request may not use *: name the origin itself (the answer must be the request's origin exactly)".to_owned()
            }
            [one] => format!("'{one}' is not the request's origin, which must match exactly (scheme, host and port)"),
            _ => "only one Access-Control-Allow-Origin value is allowed: send one line with the request's origin".to_owned(),
        };
        changes.push(ServerChange::SetHeader {
            response: stage,
            header: "Access-Control-Allow-Origin",
            value: needs.origin.clone(),
            now: if seen { now } else { None },
            seen,
            required: true,
            why,
        });
    }
    if needs.credentials {
        let value = headers.get("access-control-allow-credentials");
        if value.as_deref() != Some("true") {
            changes.push(ServerChange::SetHeader {
                response: stage,
                header: "Access-Control-Allow-Credentials",
                value: "true".to_owned(),
                now: if seen { value } else { None },
                seen,
                required: true,
                why: "the request sends credentials, so the answer must say `true` (exactly, lower-case)".to_owned(),
            });
        }
    }
    // Echoing the origin makes the answer depend on it: say so to caches.
    let echoes = !ok || lines.first().is_some_and(|l| *l != "*");
    let vary = headers.get("vary").unwrap_or_default();
    let varies = vary.split(',').any(|v| v.trim().eq_ignore_ascii_case("origin") || v.trim() == "*");
    if stage == Stage::Actual && echoes && !varies {
        let value = if vary.trim().is_empty() { "Origin".to_owned() } else { format!("{vary}, Origin") };
        changes.push(ServerChange::SetHeader {
            response: stage,
            header: "Vary",
            value,
            now: (seen && !vary.is_empty()).then_some(vary),
            seen,
            required: false,
            why: "the answer names one origin, so a shared cache must not give it to another origin".to_owned(),
        });
    }
}

/// `Access-Control-Allow-Methods` lists the method, case for case (`*`
/// covers it only without credentials).
///
/// <https://fetch.spec.whatwg.org/#http-access-control-allow-methods>
fn allow_method(changes: &mut Vec<ServerChange>, method: &str, credentials: bool, headers: &HeaderList, seen: bool) {
    let Ok(parsed) = Method::parse(method) else { return };
    let listed = parse_allow_methods(headers);
    let allowed = matches!(&listed, Ok(Some(list)) if list.allows(&parsed, credentials) != MethodMatch::NotAllowed);
    if allowed {
        return;
    }
    let mut value: Vec<String> = match &listed {
        Ok(Some(list)) => list.0.iter().filter(|m| !(credentials && **m == "*")).map(|m| (*m).to_owned()).collect(),
        _ => Vec::new(),
    };
    value.push(method.to_owned());
    let why = match &listed {
        Err(token) => format!("the list does not parse ('{token}' is not a method), so no method is allowed"),
        Ok(Some(list)) if list.has_wildcard() && credentials => {
            format!("* is not a wildcard for a credentialed request: list {method} by name")
        }
        Ok(Some(list)) if list.0.iter().any(|m| m.eq_ignore_ascii_case(method)) => {
            format!("methods match case-sensitively: list {method} exactly as the page sends it")
        }
        _ => format!("{method} is not a CORS-safelisted method, so the preflight must allow it by name"),
    };
    changes.push(ServerChange::SetHeader {
        response: Stage::Preflight,
        header: "Access-Control-Allow-Methods",
        value: value.join(", "),
        now: if seen { headers.get("access-control-allow-methods") } else { None },
        seen,
        required: true,
        why,
    });
}

/// `Access-Control-Allow-Headers` lists every CORS-unsafe request-header
/// name (`*` covers them only without credentials, and never
/// `Authorization`: the standard's rule, which every browser accepts).
///
/// <https://fetch.spec.whatwg.org/#http-access-control-allow-headers>
fn allow_headers(changes: &mut Vec<ServerChange>, names: &[String], credentials: bool, headers: &HeaderList, seen: bool) {
    if names.is_empty() {
        return;
    }
    let listed = parse_allow_headers(headers);
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| {
            let Ok(name) = HeaderName::parse(name) else { return false };
            match &listed {
                Ok(Some(list)) => {
                    matches!(list.check(std::slice::from_ref(&name), credentials, &SPEC), HeadersMatch::NotAllowed(_))
                }
                _ => true,
            }
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut value: Vec<String> = match &listed {
        Ok(Some(list)) => list.0.iter().filter(|h| !(credentials && **h == "*")).map(|h| (*h).to_owned()).collect(),
        _ => Vec::new(),
    };
    value.extend(missing.iter().map(|m| (*m).clone()));
    let names_text = missing.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
    let why = match &listed {
        Err(token) => format!("the list does not parse ('{token}' is not a header name), so no header is allowed"),
        Ok(Some(list)) if list.has_wildcard() && credentials => {
            format!("* is not a wildcard for a credentialed request: list {names_text} by name")
        }
        Ok(Some(list)) if list.has_wildcard() => {
            "* never covers Authorization in the Fetch standard (Safari and future browsers enforce it): list it by name".to_owned()
        }
        _ => format!("the page sets {names_text}, which the preflight must allow by name"),
    };
    changes.push(ServerChange::SetHeader {
        response: Stage::Preflight,
        header: "Access-Control-Allow-Headers",
        value: value.join(", "),
        now: if seen { headers.get("access-control-allow-headers") } else { None },
        seen,
        required: true,
        why,
    });
}
