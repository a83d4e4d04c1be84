//! Asking the core what the browser will do with the composed request, for
//! the URL it will really be sent to.

use corslab::Browser;
use corslab::Origin;
use corslab::policy::CorsPolicy;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Expectation, Prepared, Run, run, run_against};
use corslab::{CredentialsMode, FetchCall, RequestMode};

use crate::state::{Composition, ServerSetup};

/// How the server answers a prediction: the replay's scripted answers, or a
/// policy.
enum Answering {
    Replay(Prepared),
    Policy(CorsPolicy),
}

/// The prediction for one composition.
#[derive(Debug)]
pub struct Predicted {
    /// Where the request goes (the replay or policy URL on the server).
    pub url: String,
    /// The profile's run (a decision and a trace per repeat).
    pub run: Option<Run>,
    /// The last request's predicted facts, per profile (Chromium, Firefox,
    /// the standard), for the summary table.
    pub per_browser: Vec<(Browser, Expectation)>,
    /// Headers the replay leaves out, or why nothing can be predicted.
    pub notes: Vec<String>,
    /// Why there is no prediction.
    pub error: Option<String>,
}

/// The live URL of a composition for run `run_id` on `server`.
pub fn live_url(c: &Composition, page_origin: &str, server: &str, run_id: &str) -> (String, Vec<String>) {
    match &c.server {
        ServerSetup::Scripted { .. } => {
            let Some(scenario) = c.scenario() else { return (String::new(), Vec::new()) };
            let (spec, left_out) = ReplaySpec::from_scenario(&scenario, page_origin);
            let notes = left_out
                .iter()
                .map(|l| format!("the replay server never sends {} (in the {}): it is left out", l.name, l.answer))
                .collect();
            (format!("{server}{}", spec.path_and_query(run_id)), notes)
        }
        ServerSetup::Policy { query } => {
            let path = if c.request.path.starts_with('/') && c.request.path != "/" { c.request.path.as_str() } else { "" };
            let path = path.split(['?', '#']).next().unwrap_or_default();
            (format!("{server}/policy/{run_id}{path}?{query}"), Vec::new())
        }
    }
}

/// The call `fetch()` gets for a composition at `url`.
pub fn call(c: &Composition, url: &str) -> FetchCall {
    FetchCall {
        url: url.to_owned(),
        method: c.request.method.clone(),
        headers: c.request.headers.clone(),
        mode: c.request.mode,
        credentials: c.request.credentials,
        body: c.request.body.clone(),
    }
}

/// Predicts `c` for a page at `page_origin` sending to `url`.
pub fn predict(c: &Composition, page_origin: &str, url: &str) -> Predicted {
    let mut predicted = Predicted { url: url.to_owned(), run: None, per_browser: Vec::new(), notes: Vec::new(), error: None };
    let page = match Origin::parse(page_origin) {
        Ok(page) => page,
        Err(e) => {
            predicted.error = Some(format!("this page's origin {page_origin:?}: {e}"));
            return predicted;
        }
    };
    // How the server answers, built once for the three profiles.
    let server = match &c.server {
        ServerSetup::Scripted { .. } => c
            .scenario()
            .ok_or_else(|| "no scenario".to_owned())
            .and_then(|scenario| {
                let (spec, _) = ReplaySpec::from_scenario(&scenario, page_origin);
                spec.scenario(&scenario).prepare_at(page_origin, url).map_err(|e| e.to_string())
            })
            .map(Answering::Replay),
        ServerSetup::Policy { query } => CorsPolicy::from_query(query)
            .map_err(|errors| {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("the policy is invalid: {}", list.join("; "))
            })
            .map(Answering::Policy),
    };
    let server = match server {
        Ok(server) => server,
        Err(e) => {
            predicted.error = Some(e);
            return predicted;
        }
    };
    let call = call(c, url);
    for browser in Browser::ALL {
        let traced = browser == c.browser;
        let result = match &server {
            Answering::Replay(prepared) => run(prepared, browser, traced),
            Answering::Policy(policy) => run_against(&call, &page, policy, c.repeat, browser, traced),
        };
        if let Some(prediction) = result.prediction(&c.id) {
            predicted.per_browser.push((browser, prediction.expect));
        }
        if traced {
            predicted.run = Some(result);
        }
    }
    predicted
}

/// The `init` object of a `fetch()` call, as JavaScript source.
pub fn fetch_snippet(call: &FetchCall) -> String {
    let mut init = vec![format!("  method: {},", js_string(&call.method))];
    if !call.headers.is_empty() {
        let pairs: Vec<String> =
            call.headers.iter().map(|(n, v)| format!("[{}, {}]", js_string(n), js_string(v))).collect();
        init.push(format!("  headers: [{}],", pairs.join(", ")));
    }
    if call.mode != RequestMode::Cors {
        init.push(format!("  mode: {},", js_string(call.mode.as_str())));
    }
    if call.credentials != CredentialsMode::SameOrigin {
        init.push(format!("  credentials: {},", js_string(call.credentials.as_str())));
    }
    if let Some(body) = &call.body {
        init.push(format!("  body: {},", js_string(body)));
    }
    format!("await fetch({}, {{\n{}\n}});", js_string(&call.url), init.join("\n"))
}

/// The request (and its preflight) as `curl` commands.
pub fn curl_snippet(call: &FetchCall, page_origin: &str, preflight: Option<&corslab::fetch::preflight::PreflightRequest>) -> String {
    let mut out = String::new();
    if let Some(preflight) = preflight {
        out.push_str("# the preflight the browser sends first\n");
        out.push_str(&format!("curl -i -X OPTIONS {}", shell(&preflight.url)));
        for (name, value) in preflight.headers() {
            out.push_str(&format!(" \\\n  -H {}", shell(&format!("{name}: {value}"))));
        }
        out.push_str("\n\n# the request itself\n");
    }
    out.push_str(&format!("curl -i -X {} {}", shell(&call.method), shell(&call.url)));
    out.push_str(&format!(" \\\n  -H {}", shell(&format!("Origin: {page_origin}"))));
    for (name, value) in &call.headers {
        out.push_str(&format!(" \\\n  -H {}", shell(&format!("{name}: {value}"))));
    }
    if let Some(body) = &call.body {
        out.push_str(&format!(" \\\n  --data-raw {}", shell(body)));
    }
    out.push('\n');
    out
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
