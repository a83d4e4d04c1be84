//! The whole decision on arbitrary input: `decide_in` for a call, a page,
//! a setup (redirect mode, iframe context, network) and servers answering
//! per URL, all from the input ([`crate::input`]'s format), for the
//! browsers it names (else one, by its length), repeated on one preflight
//! cache; traced and untraced, which must agree (the trace only watches).

use corslab::fetch::wire::WireResponse;
use corslab::formats::scenario::{Prepared, Responder, run as run_scenario};
use corslab::ServerResponse;

use crate::input::Input;
use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let input = Input::parse(&text);
    let prepared = prepared(&input);
    for browser in input.browsers(data.len()) {
        let plain = run_scenario(&prepared, browser, false);
        let traced = run_scenario(&prepared, browser, true);
        assert_eq!(plain.decisions, traced.decisions, "the trace changed the decision");
        assert_eq!(traced.steps.len(), traced.decisions.len(), "one trace per decision");
        if let Some(prediction) = plain.prediction("fuzz") {
            let _ = serde_json::to_string(&prediction);
        }
    }
}

/// The input as a prepared scenario: fetch()'s URL answered by the answers
/// without `at` (or `at` that URL), each other URL by its own, the rest 404.
fn prepared(input: &Input) -> Prepared {
    let mut responder = responder(None, None);
    let mut hops = Vec::new();
    for (at, preflight, response) in input.by_url() {
        match at {
            None => responder = responder_of(preflight, response),
            Some(url) if url == input.call.url => responder = responder_of(preflight, response),
            Some(url) => hops.push((url.to_owned(), responder_of(preflight, response))),
        }
    }
    Prepared {
        page: input.page.clone(),
        call: input.call.clone(),
        responder,
        repeat: input.repeat,
        setup: input.setup.clone(),
        hops,
        not_found: Responder { preflight: ServerResponse::with_status(404), response: ServerResponse::with_status(404) },
    }
}

fn responder_of(preflight: Option<&WireResponse>, response: Option<&WireResponse>) -> Responder {
    responder(preflight.map(|w| w.to_server_response().0), response.map(|w| w.to_server_response().0))
}

/// A URL's answers; one not given is a bare 200.
fn responder(preflight: Option<ServerResponse>, response: Option<ServerResponse>) -> Responder {
    Responder {
        preflight: preflight.unwrap_or_else(|| ServerResponse::with_status(200)),
        response: response.unwrap_or_else(|| ServerResponse::with_status(200)),
    }
}
