//! `check` on arbitrary answers: the I/O loop of `corslab check` and
//! `/probe` (`corslab-net`'s `exchanges_for`) with the network replaced by
//! the input's answers, handed out in order. Each answer goes through
//! `WireResponse::to_server_response` (any name, any value, as received)
//! and `diagnosis::check::judge`, until the judge has decided; then each
//! browser's verdict and fix, and with `audit` the probes, each answered
//! by the next answer, and the findings; the whole `cors-check/1` report
//! written as JSON. The input format is [`crate::input`]'s.


use corslab::diagnosis::audit::{findings, probes};
use corslab::diagnosis::check::{BrowserCheck, CheckRequest, Exchange, MAX_EXCHANGES, judge};
use corslab::fetch::wire::WireResponse;
use corslab::formats::check::CheckReport;
use corslab::{Browser, PerBrowser};

use crate::input::Input;
use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let input = Input::parse(&text);
    let check = CheckRequest {
        call: input.call.clone(),
        page: input.page.clone(),
        cookies: input.cookies.clone(),
        page_url: input.page_url.clone(),
    };
    let mut answers = input.answers.iter().map(|a| &a.wire).cycle();
    let mut next = || answers.next().cloned().unwrap_or_else(|| WireResponse {
        status: 200,
        headers: Vec::new(),
        body_bytes: 0,
        remote_addr: None,
    });
    let mut browsers = PerBrowser::new();
    for browser in input.browsers(data.len()) {
        let profile = browser.profile();
        let mut exchanges: Vec<Exchange> = Vec::new();
        while let Some(need) = judge(&check, browser, &exchanges, false).need {
            assert!(exchanges.len() < MAX_EXCHANGES, "the judge asks for more than {MAX_EXCHANGES} exchanges");
            assert!(
                !exchanges.iter().any(|e| e.request.kind == need.kind() && e.request.url == need.url()),
                "the judge asks the same question twice: {:?} {}",
                need.kind(),
                need.url()
            );
            let request = need.to_wire(&check, profile);
            exchanges.push(Exchange { request, response: next() });
        }
        let judgement = judge(&check, browser, &exchanges, true);
        browsers.insert(browser, BrowserCheck::new(&check, &judgement, exchanges));
    }
    let findings = input.audit.then(|| {
        let legit = browsers.get(&Browser::Chrome).or_else(|| browsers.values().next()).map(|b| b.exchanges.clone());
        let results: Vec<_> = probes(&check)
            .into_iter()
            .filter_map(|probe| {
                let request = probe.to_wire(&check, Browser::Chrome.profile())?;
                let _ = probe.describe(&check);
                Some((probe, Exchange { request, response: next() }))
            })
            .collect();
        findings(&check, &legit.unwrap_or_default(), &results, input.address)
    });
    let report = CheckReport::new(&check, browsers, findings);
    let _ = serde_json::to_string(&report);
}
