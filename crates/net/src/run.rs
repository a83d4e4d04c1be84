//! `check` and its audit against a real server: the engine's judge says
//! what to send, the client sends it, the judge decides (see
//! [`corslab::diagnosis::check`]).

use std::collections::BTreeMap;
use std::net::IpAddr;

use corslab::{Browser, PerBrowser};
use corslab::diagnosis::audit::{self, Probe};
use corslab::diagnosis::check::{BrowserCheck, CheckRequest, Exchange, MAX_EXCHANGES, judge};
use corslab::formats::check::CheckReport;
use corslab::trace::Step;
use futures::StreamExt;

use crate::{Client, NetError};

/// How many audit probes are in flight at once.
pub const PROBES_IN_FLIGHT: usize = 4;

/// What `check` was asked to do.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The browser profiles to check with.
    pub browsers: Vec<Browser>,
    /// Whether to run the audit's probes too.
    pub audit: bool,
}

/// A finished check.
#[derive(Debug)]
pub struct CheckRun {
    /// The `cors-check/1` report.
    pub report: CheckReport,
    /// Each browser's steps, for people.
    pub steps: BTreeMap<Browser, Vec<Step>>,
    /// The address the URL's host resolved to.
    pub address: Option<IpAddr>,
    /// Audit probes that could not be sent, with why.
    pub probe_errors: Vec<(String, NetError)>,
}

/// Checks `request` against the real server for each browser, then (with
/// `audit`) sends the probes.
///
/// # Errors
///
/// The first network failure of the checked request itself (a probe's
/// failure is reported in [`CheckRun::probe_errors`] instead).
pub async fn check(client: &Client, request: &CheckRequest, options: &CheckOptions) -> Result<CheckRun, NetError> {
    let mut browsers = PerBrowser::new();
    let mut steps = BTreeMap::new();
    for browser in &options.browsers {
        let exchanges = exchanges_for(client, request, *browser).await?;
        let judgement = judge(request, *browser, &exchanges, true);
        browsers.insert(*browser, BrowserCheck::new(request, &judgement, exchanges));
        steps.insert(*browser, judgement.steps);
    }
    let address = match client.resolve(&request.call.url).await {
        Ok(target) => target.addresses.first().map(std::net::SocketAddr::ip),
        Err(_) => None,
    };
    let mut probe_errors = Vec::new();
    let findings = if options.audit {
        let legit = browsers.get(&Browser::Chrome).or_else(|| browsers.values().next()).map(|b| b.exchanges.clone());
        let (results, errors) = send_probes(client, request).await;
        probe_errors = errors;
        Some(audit::findings(request, &legit.unwrap_or_default(), &results, address))
    } else {
        None
    };
    Ok(CheckRun { report: CheckReport::new(request, browsers, findings), steps, address, probe_errors })
}

/// Every request `browser` sends for `request`, with its answer: the
/// preflight and the request, then, when the answer redirects and the
/// browser follows, the same for each URL it is led to (each with the
/// `Origin` the browser sends there). Bounded by [`MAX_EXCHANGES`], and a
/// question asked again (a judge bug) ends it rather than loops.
async fn exchanges_for(client: &Client, request: &CheckRequest, browser: Browser) -> Result<Vec<Exchange>, NetError> {
    let mut exchanges: Vec<Exchange> = Vec::new();
    while let Some(need) = judge(request, browser, &exchanges, false).need {
        let asked = |e: &Exchange| e.request.kind == need.kind() && e.request.url == need.url();
        if exchanges.len() >= MAX_EXCHANGES || exchanges.iter().any(asked) {
            break;
        }
        let wire = need.to_wire(request, browser.profile());
        let response = client.send(&wire).await?;
        exchanges.push(Exchange { request: wire, response });
    }
    Ok(exchanges)
}

/// Sends every audit probe (as Chromium would), a few at a time.
async fn send_probes(client: &Client, request: &CheckRequest) -> (Vec<(Probe, Exchange)>, Vec<(String, NetError)>) {
    let profile = Browser::Chrome.profile();
    let planned: Vec<(Probe, corslab::fetch::wire::WireRequest)> = audit::probes(request)
        .into_iter()
        .filter_map(|probe| probe.to_wire(request, profile).map(|wire| (probe, wire)))
        .collect();
    let sent: Vec<_> = futures::stream::iter(planned)
        .map(|(probe, wire)| async move {
            let answer = client.send(&wire).await;
            (probe, wire, answer)
        })
        .buffered(PROBES_IN_FLIGHT)
        .collect()
        .await;
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (probe, wire, answer) in sent {
        match answer {
            Ok(response) => results.push((probe, Exchange { request: wire, response })),
            Err(e) => errors.push((probe.describe(request), e)),
        }
    }
    (results, errors)
}
