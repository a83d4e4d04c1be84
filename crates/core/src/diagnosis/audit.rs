//! The audit: the misconfiguration probes security scanners send (Corsy,
//! CORScanner, CORStest, nuclei: a simple `GET` with a crafted `Origin`),
//! each also sent as a preflight (which none of them sends), and what the
//! answers reveal, judged by the engine's own CORS check.
//!
//! <https://fetch.spec.whatwg.org/#concept-cors-check>,
//! <https://portswigger.net/web-security/cors>
//!
//! An untrusted origin the server accepts together with
//! `Access-Control-Allow-Credentials: true` can read the user's data:
//! `high` or `critical`. Accepted without credentials, the answer is no more
//! readable than with `*`: at most `low` (`info` when the server says `*`).
//! The probe origins are derived from the legitimate one, host `H`:
//!
//! | finding | probe origin |
//! |---|---|
//! | `origin-reflected` | `https://evil.example` (unrelated) |
//! | `null-origin-allowed` | `null` |
//! | `prefix-match` | `scheme://H.evil.example` |
//! | `suffix-match` | `scheme://evilH` |
//! | `unescaped-dot` | `H` with its first dot (of two or more; else its only dot) replaced by `x` |
//! | `http-origin-trusted` | `http://H` for an `https` origin |
//! | `any-subdomain-trusted` | `scheme://evil.H` |

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use crate::browsers::failure::Stage;
use crate::browsers::profile::{Browser, Profile};
use crate::diagnosis::check::{CheckRequest, Exchange};
use crate::fetch::classify::classify;
use crate::fetch::cors_check::cors_check;
use crate::fetch::local_network::AddressSpace;
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::request::{CredentialsMode, FetchCall, FetchRequest, RequestMode};
use crate::fetch::response::{ServerResponse, is_ok_status};
use crate::fetch::wire::{WireKind, WireRequest, WireResponse};
use crate::origin::Origin;
use crate::trace::NoTrace;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// No data at risk beyond what `*` would expose.
    Low,
    /// A defect that breaks requests or caches, or trusts too widely.
    Medium,
    /// An untrusted origin can read the user's data.
    High,
    /// Any origin can read the user's data.
    Critical,
}

impl Severity {
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One misconfiguration found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable id (`origin-reflected`, `missing-vary-origin`, ...).
    pub id: &'static str,
    /// How serious.
    pub severity: Severity,
    /// What was sent.
    pub probe: String,
    /// What came back that shows it.
    pub evidence: String,
    /// What to change.
    pub fix: String,
}

/// What a probe sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeKind {
    /// A simple `GET` with the probe origin (what the scanners send).
    Get,
    /// The request's preflight, from the probe origin.
    Preflight,
    /// A `GET` from the legitimate origin to a path that does not exist.
    ErrorPath,
}

/// One request the audit sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// The finding it looks for.
    pub finding: &'static str,
    /// The `Origin` it sends (`null` included).
    pub origin: String,
    /// What it sends.
    pub kind: ProbeKind,
    /// Where.
    pub url: String,
}

/// The finding ids of origin probes, in the order they are sent.
const ORIGIN_PROBES: [&str; 7] = [
    "origin-reflected",
    "null-origin-allowed",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "http-origin-trusted",
    "any-subdomain-trusted",
];

/// The path the error-path probe asks for, in place of the URL's last
/// segment (same route prefix, so the same middleware, most likely).
pub const MISSING_SEGMENT: &str = "corslab-audit-missing-route";

/// The probe origin for `finding`, derived from the legitimate `origin`,
/// when it applies (`http-origin-trusted` only to `https` origins; the
/// host-based ones not to IP addresses).
pub fn probe_origin(finding: &str, origin: &Origin) -> Option<String> {
    let tuple = origin.tuple()?;
    let (scheme, host) = (tuple.scheme(), tuple.host());
    let port = if tuple.is_default_port() { String::new() } else { format!(":{}", tuple.port()) };
    let is_ip = tuple.ip().is_some();
    let candidate = match finding {
        "origin-reflected" => "https://evil.example".to_owned(),
        "null-origin-allowed" => "null".to_owned(),
        "prefix-match" => format!("{scheme}://{host}.evil.example{port}"),
        "suffix-match" if !is_ip => format!("{scheme}://evil{host}{port}"),
        "unescaped-dot" if !is_ip && host.contains('.') => {
            let dots = host.matches('.').count();
            let at = if dots >= 2 { host.find('.') } else { host.rfind('.') }?;
            format!("{scheme}://{}x{}{port}", &host[..at], &host[at + 1..])
        }
        "http-origin-trusted" if scheme == "https" => format!("http://{host}{port}"),
        "any-subdomain-trusted" if !is_ip => format!("{scheme}://evil.{host}{port}"),
        _ => return None,
    };
    // Only origins a browser could send.
    Origin::parse(&candidate).ok().map(|_| candidate)
}

/// Every probe for `check`: each origin probe as a `GET` and as a
/// preflight, then the error path.
pub fn probes(check: &CheckRequest) -> Vec<Probe> {
    let mut out = Vec::new();
    let url = &check.call.url;
    for finding in ORIGIN_PROBES {
        if let Some(origin) = probe_origin(finding, &check.page) {
            for kind in [ProbeKind::Get, ProbeKind::Preflight] {
                out.push(Probe { finding, origin: origin.clone(), kind, url: url.clone() });
            }
        }
    }
    if let Some(missing) = error_path_url(url) {
        out.push(Probe {
            finding: "no-cors-on-errors",
            origin: check.page.to_string(),
            kind: ProbeKind::ErrorPath,
            url: missing,
        });
    }
    out
}

/// `url` with its last path segment replaced by [`MISSING_SEGMENT`] (the
/// query kept: some servers route on it).
fn error_path_url(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    let path = parsed.path();
    let prefix = path.rfind('/').map_or("/", |i| &path[..=i]).to_owned();
    parsed.set_path(&format!("{prefix}{MISSING_SEGMENT}"));
    parsed.set_fragment(None);
    Some(parsed.into())
}

impl Probe {
    fn call(&self, check: &CheckRequest) -> FetchCall {
        match self.kind {
            ProbeKind::Get | ProbeKind::ErrorPath => FetchCall {
                url: self.url.clone(),
                method: "GET".to_owned(),
                headers: Vec::new(),
                mode: RequestMode::Cors,
                credentials: CredentialsMode::Include,
                body: None,
            },
            ProbeKind::Preflight => FetchCall { url: self.url.clone(), ..check.call.clone() },
        }
    }

    fn page(&self) -> Origin {
        Origin::parse(&self.origin).unwrap_or(Origin::Opaque)
    }

    /// The request as `profile`'s browser would send it from the probe
    /// origin, with the check's cookies (an attacker's page gets the
    /// victim's cookies sent along); `None` when `fetch()` would refuse to
    /// build it.
    pub fn to_wire(&self, check: &CheckRequest, profile: &Profile) -> Option<WireRequest> {
        let page = self.page();
        let request = FetchRequest::build(&self.call(check), &page, profile, &mut NoTrace).ok()?;
        Some(match self.kind {
            ProbeKind::Get | ProbeKind::ErrorPath => WireRequest::request(&request, None, check.cookies.as_deref(), profile),
            ProbeKind::Preflight => {
                let classification = classify(&request, profile, &mut NoTrace);
                let preflight = PreflightRequest::new(&request, &classification.headers.names);
                WireRequest::preflight(&preflight, &page, None, profile)
            }
        })
    }

    /// How the probe reads in a report.
    pub fn describe(&self, check: &CheckRequest) -> String {
        match self.kind {
            ProbeKind::Get => format!("GET with Origin: {}", self.origin),
            ProbeKind::Preflight => {
                format!("preflight (OPTIONS, {}) with Origin: {}", check.call.method.to_ascii_uppercase(), self.origin)
            }
            ProbeKind::ErrorPath => format!("GET {} with Origin: {}", self.url, self.origin),
        }
    }
}

/// Whether the engine's CORS check lets a page at the probe's origin read
/// `response`, with credentials and without.
struct Acceptance {
    with_credentials: bool,
    without_credentials: bool,
    wildcard: bool,
}

fn acceptance(probe: &Probe, check: &CheckRequest, response: &ServerResponse) -> Acceptance {
    let page = probe.page();
    let accepted = |credentials: CredentialsMode| {
        let call = FetchCall { credentials, ..probe.call(check) };
        let Ok(request) = FetchRequest::build(&call, &page, Browser::Spec.profile(), &mut NoTrace) else { return false };
        let stage = match probe.kind {
            ProbeKind::Preflight => Stage::Preflight,
            ProbeKind::Get | ProbeKind::ErrorPath => Stage::Actual,
        };
        let answered = stage == Stage::Actual || (is_ok_status(response.status) && response.redirect_location().is_none());
        answered && cors_check(&request, response, stage, &mut NoTrace).is_ok()
    };
    let wildcard = response.headers.get("access-control-allow-origin").as_deref() == Some("*");
    Acceptance {
        with_credentials: accepted(CredentialsMode::Include),
        without_credentials: accepted(CredentialsMode::Omit),
        wildcard,
    }
}

/// The CORS headers of an answer, for evidence.
fn cors_evidence(response: &WireResponse) -> String {
    let mut parts: Vec<String> = response
        .headers
        .iter()
        .filter(|(n, _)| {
            let n = n.to_ascii_lowercase();
            n == "access-control-allow-origin" || n == "access-control-allow-credentials" || n == "vary" || n == "location"
        })
        .map(|(n, v)| format!("{}: {v}", title(n)))
        .collect();
    if parts.is_empty() {
        parts.push("no CORS headers".to_owned());
    }
    format!("status {}; {}", response.status, parts.join("; "))
}

fn title(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "access-control-allow-origin" => "Access-Control-Allow-Origin".to_owned(),
        "access-control-allow-credentials" => "Access-Control-Allow-Credentials".to_owned(),
        "access-control-max-age" => "Access-Control-Max-Age".to_owned(),
        "vary" => "Vary".to_owned(),
        "location" => "Location".to_owned(),
        other => other.to_owned(),
    }
}

fn origin_fix(finding: &str, legit: &Origin) -> String {
    match finding {
        "origin-reflected" => format!(
            "do not echo the Origin header back: compare it with a list of exact origins ({legit}) and answer only those"
        ),
        "null-origin-allowed" => "never allow the origin `null`: sandboxed iframes, data: URLs and local files send it, so any website can".to_owned(),
        "prefix-match" => "compare whole origins, or anchor origin patterns at the end (`$`): a check that the origin starts with the allowed one lets attacker.example domains in".to_owned(),
        "suffix-match" => "compare whole origins, or anchor origin patterns at the start (`^https://`) and at a dot: a check that the origin ends with the allowed host lets other registrable domains in".to_owned(),
        "unescaped-dot" => "escape the dots in origin regular expressions (`app\\.example\\.com`): an unescaped `.` matches any character, and the look-alike domain can be registered".to_owned(),
        "http-origin-trusted" => "allow only the https origin: a page on http can be rewritten by anyone on the network path".to_owned(),
        "any-subdomain-trusted" => "list the subdomains you trust instead of every subdomain: cross-site scripting or a takeover on any of them then reads these answers".to_owned(),
        _ => String::new(),
    }
}

/// What the probes' answers reveal. `legit` is the checked request's own
/// exchanges; `results` each probe with its exchange (probes that could not
/// be sent are left out); `address` the target's IP address, when resolved.
pub fn findings(
    check: &CheckRequest,
    legit: &[Exchange],
    results: &[(Probe, Exchange)],
    address: Option<IpAddr>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut credentialed: Vec<String> = Vec::new();
    let mut credentialed_worst = Severity::High;

    // Origin probes: one finding per probe origin, GET and preflight together.
    for finding in ORIGIN_PROBES {
        let mine: Vec<&(Probe, Exchange)> = results.iter().filter(|(p, _)| p.finding == finding).collect();
        let mut accepted_by = Vec::new();
        let mut evidence = Vec::new();
        let (mut with, mut wildcard_only) = (false, true);
        for (probe, exchange) in &mine {
            let (response, _) = exchange.response.to_server_response();
            let a = acceptance(probe, check, &response);
            if a.with_credentials || a.without_credentials {
                accepted_by.push(probe.describe(check));
                evidence.push(format!("{}: {}", kind_name(probe.kind), cors_evidence(&exchange.response)));
                with |= a.with_credentials;
                wildcard_only &= a.wildcard;
            }
        }
        let Some((first, _)) = mine.first() else { continue };
        if accepted_by.is_empty() {
            continue;
        }
        let severity = if with {
            match finding {
                "origin-reflected" => Severity::Critical,
                // A subdomain of the app's own host is trusted by design in
                // pattern policies (`https://*.example.com`); the risk is a
                // compromised subdomain, not any website.
                "any-subdomain-trusted" => Severity::Medium,
                _ => Severity::High,
            }
        } else if wildcard_only {
            Severity::Info
        } else {
            Severity::Low
        };
        if with && finding != "any-subdomain-trusted" {
            credentialed.push(first.origin.clone());
            credentialed_worst = credentialed_worst.max(severity);
        }
        let mut fix = origin_fix(finding, &check.page);
        if wildcard_only && !with {
            fix = "`Access-Control-Allow-Origin: *` lets every origin read these answers without credentials: fine for public data, never for data behind a login or an IP allowlist".to_owned();
        }
        out.push(Finding { id: finding, severity, probe: accepted_by.join("; "), evidence: evidence.join(" | "), fix });
    }
    if !credentialed.is_empty() {
        out.push(Finding {
            id: "credentials-with-reflection",
            severity: credentialed_worst.max(Severity::High),
            probe: format!("requests with credentials from {}", credentialed.join(", ")),
            evidence: "the answers allow those origins together with Access-Control-Allow-Credentials: true".to_owned(),
            fix: format!(
                "with credentials, answer only origins you list exactly (here {}); any page at an accepted origin can read the user's data with the user's cookies",
                check.page
            ),
        });
    }

    let everything: Vec<&Exchange> = legit.iter().chain(results.iter().map(|(_, e)| e)).collect();

    // Vary: the answer's Access-Control-Allow-Origin depends on the Origin,
    // so every answer must say `Vary: Origin`.
    let gets: Vec<(&str, &WireResponse)> = legit
        .iter()
        .filter(|e| e.request.kind == WireKind::Request)
        .map(|e| (e.request.header("origin").unwrap_or("(none)"), &e.response))
        .chain(results.iter().filter(|(p, _)| p.kind == ProbeKind::Get).map(|(p, e)| (p.origin.as_str(), &e.response)))
        .collect();
    let acao = |r: &WireResponse| r.values("access-control-allow-origin").collect::<Vec<_>>().join(", ");
    let varies = gets.windows(2).any(|w| acao(w[0].1) != acao(w[1].1));
    let missing_vary: Vec<&(&str, &WireResponse)> = gets
        .iter()
        .filter(|(_, r)| !r.values("vary").any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("origin") || t.trim() == "*")))
        .collect();
    if varies && !missing_vary.is_empty() {
        let shown: Vec<String> = gets
            .iter()
            .take(3)
            .map(|(o, r)| {
                let value = acao(r);
                format!("Origin {o} → Access-Control-Allow-Origin: {}", if value.is_empty() { "(absent)" } else { &value })
            })
            .collect();
        out.push(Finding {
            id: "missing-vary-origin",
            severity: Severity::Medium,
            probe: format!("GET {} from {} origins", check.call.url, gets.len()),
            evidence: format!("{}; {} answer(s) without Vary: Origin", shown.join("; "), missing_vary.len()),
            fix: "send `Vary: Origin` on every answer whose CORS headers depend on the Origin (the ones that leave them out too), or a shared cache gives one origin's answer to another".to_owned(),
        });
    }

    // Two Access-Control-Allow-Origin values: every browser refuses.
    if let Some(e) = everything.iter().find(|e| {
        let lines: Vec<&str> = e.response.values("access-control-allow-origin").collect();
        lines.len() > 1 || lines.first().is_some_and(|l| l.contains(','))
    }) {
        out.push(Finding {
            id: "duplicate-allow-origin",
            severity: Severity::Medium,
            probe: format!("{} {} with Origin: {}", e.request.method, e.request.url, e.request.header("origin").unwrap_or("(none)")),
            evidence: cors_evidence(&e.response),
            fix: "send exactly one Access-Control-Allow-Origin line with one origin: two layers (the app and a proxy, or two middlewares) each adding it is the usual cause".to_owned(),
        });
    }

    // Error answers without CORS headers: the page sees a CORS error instead.
    let legit_readable = legit
        .iter()
        .filter(|e| e.request.kind == WireKind::Request)
        .any(|e| e.response.values("access-control-allow-origin").next().is_some());
    for (probe, exchange) in results.iter().filter(|(p, _)| p.kind == ProbeKind::ErrorPath) {
        let (response, _) = exchange.response.to_server_response();
        let status = response.status;
        if legit_readable && (400..600).contains(&status) && !acceptance(probe, check, &response).without_credentials {
            out.push(Finding {
                id: "no-cors-on-errors",
                severity: Severity::Low,
                probe: probe.describe(check),
                evidence: cors_evidence(&exchange.response),
                fix: "add the CORS headers to error answers too (nginx: `add_header … always`; middlewares: mount CORS before the router and error handlers): otherwise the page sees a CORS error instead of the status".to_owned(),
            });
        }
    }

    // A preflight answered with a redirect: never followed.
    if let Some(e) = everything.iter().find(|e| {
        e.request.kind == WireKind::Preflight && e.response.to_server_response().0.redirect_location().is_some()
    }) {
        out.push(Finding {
            id: "preflight-redirect",
            severity: Severity::Medium,
            probe: format!("OPTIONS {} with Origin: {}", e.request.url, e.request.header("origin").unwrap_or("(none)")),
            evidence: cors_evidence(&e.response),
            fix: "answer OPTIONS at the URL the page uses (a trailing-slash or http→https redirect is the usual cause): browsers never follow a preflight's redirect".to_owned(),
        });
    }

    // Access-Control-Max-Age beyond what any browser keeps.
    let caps: Vec<(Browser, u64)> =
        Browser::ALL.iter().filter_map(|b| b.profile().max_age_cap.map(|cap| (*b, cap))).collect();
    let smallest = caps.iter().map(|(_, c)| *c).min();
    if let Some((e, seconds)) = everything
        .iter()
        .filter(|e| e.request.kind == WireKind::Preflight)
        .find_map(|e| e.response.values("access-control-max-age").next().and_then(|v| v.trim().parse::<u64>().ok()).map(|s| (e, s)))
        && smallest.is_some_and(|cap| seconds > cap)
    {
        let kept: Vec<String> =
            caps.iter().map(|(b, cap)| format!("{} keeps {} s", b.profile().name, cap.min(&seconds))).collect();
        out.push(Finding {
            id: "max-age-over-cap",
            severity: Severity::Info,
            probe: format!("OPTIONS {}", e.request.url),
            evidence: format!("Access-Control-Max-Age: {seconds}; {}", kept.join(", ")),
            fix: format!("a value above {} s does nothing more in Chromium: browsers cap it", smallest.unwrap_or_default()),
        });
    }

    // The target is on the user's machine or network.
    if let Some(ip) = address {
        let space = AddressSpace::of(ip);
        if space != AddressSpace::Public {
            out.push(Finding {
                id: "local-network-access",
                severity: Severity::Info,
                probe: format!("the host of {} resolves to {ip}", check.call.url),
                evidence: format!("{ip} is in the {space} address space"),
                fix: format!(
                    "a page on a public website needs the user's Local Network Access permission ({}) to reach this server in Chromium 142+ and Firefox 153+; pages on the same machine or network do not",
                    space.permission().unwrap_or_default()
                ),
            });
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn kind_name(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Get => "GET",
        ProbeKind::Preflight => "preflight",
        ProbeKind::ErrorPath => "error path",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap_or(Origin::Opaque)
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn probe_origins_derive_from_the_legitimate_host() {
        let app = origin("https://app.example.com");
        let got: Vec<(&str, Option<String>)> = ORIGIN_PROBES.iter().map(|f| (*f, probe_origin(f, &app))).collect();
        assert_eq!(
            got,
            [
                ("origin-reflected", Some("https://evil.example".to_owned())),
                ("null-origin-allowed", Some("null".to_owned())),
                ("prefix-match", Some("https://app.example.com.evil.example".to_owned())),
                ("suffix-match", Some("https://evilapp.example.com".to_owned())),
                ("unescaped-dot", Some("https://appxexample.com".to_owned())),
                ("http-origin-trusted", Some("http://app.example.com".to_owned())),
                ("any-subdomain-trusted", Some("https://evil.app.example.com".to_owned())),
            ]
        );
        let local = origin("http://localhost:5050");
        assert_eq!(probe_origin("prefix-match", &local).as_deref(), Some("http://localhost.evil.example:5050"));
        assert_eq!(probe_origin("unescaped-dot", &local), None);
        assert_eq!(probe_origin("http-origin-trusted", &local), None);
        let ip = origin("http://127.0.0.1:5050");
        assert_eq!(probe_origin("suffix-match", &ip), None);
        assert_eq!(probe_origin("any-subdomain-trusted", &ip), None);
        assert_eq!(probe_origin("unescaped-dot", &origin("https://example.com")).as_deref(), Some("https://examplexcom"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn the_error_path_keeps_the_route_prefix() {
        assert_eq!(error_path_url("http://h/api/items?x=1").as_deref(), Some("http://h/api/corslab-audit-missing-route?x=1"));
        assert_eq!(error_path_url("http://h/").as_deref(), Some("http://h/corslab-audit-missing-route"));
    }
}
