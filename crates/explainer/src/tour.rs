//! The seed article's tour: the error, then the server fixed three ways, each
//! predicted and sent for real to the companion server's seed routes.

use std::borrow::Cow;
use std::fmt::Write as _;

use corslab::policy::article::ArticleRoute;
use corslab::fetch::engine::Server;
use corslab::fetch::preflight::PreflightRequest;
use corslab::formats::scenario::{prediction_of, run_against};
use corslab::{FetchCall, FetchRequest, Origin, ServerResponse};

use crate::app::{Shared, set_status};
use crate::reality::send;
use crate::{SERVER, view};

/// The four stops: (button label, what it shows).
pub const STEPS: [(&str, &str); 4] = [
    ("1. The error", "GET / answers without any CORS header: the browser receives the answer but will not let the page read it."),
    ("2. Allow one origin", "/allow/origin names one origin in Access-Control-Allow-Origin — this page's."),
    ("3. Allow any origin", "/allow/any answers Access-Control-Allow-Origin: * — fine for public data without credentials."),
    ("4. Allow a list", "/allow/list echoes the request's Origin when it is on the server's list (here: another origin and this page's), with Vary: Origin."),
];

/// The article's route as a server the engine can ask.
#[derive(Debug)]
struct Article(ArticleRoute);

impl Server for Article {
    fn preflight(&self, _: &PreflightRequest) -> Cow<'_, ServerResponse> {
        // The seed routes answer GET (and HEAD) only.
        Cow::Owned(ServerResponse::with_status(405))
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        Cow::Owned(self.0.answer(Some(&request.origin)))
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The route and URL of stop `step` for a page at `page`.
pub fn route(step: usize, page: &Origin) -> (ArticleRoute, String) {
    let other = Origin::parse("http://localhost:3000").ok();
    match step {
        0 => (ArticleRoute::NoCors, format!("{SERVER}/")),
        1 => (ArticleRoute::AllowOrigin(page.clone()), format!("{SERVER}/allow/origin?origin={}", encode(&page.to_string()))),
        2 => (ArticleRoute::AllowAny, format!("{SERVER}/allow/any")),
        _ => (
            ArticleRoute::AllowList(other.into_iter().chain([page.clone()]).collect()),
            format!("{SERVER}/allow/list?origin={}&origin={}", encode("http://localhost:3000"), encode(&page.to_string())),
        ),
    }
}

/// The core's verdict on a request from `page` to `server`, in words.
pub fn cross_origin_verdict(page: &str, server: &str) -> String {
    let (page, server) = match (Origin::from_url_str(page), Origin::from_url_str(server)) {
        (Ok(p), Ok(s)) => (p, s),
        _ => return "cannot parse the page's or the server's origin".to_owned(),
    };
    let comparison = page.compare(&server);
    if comparison.is_same_origin() {
        format!("same-origin: {page} and {server} are the same origin, CORS does not apply")
    } else {
        format!(
            "cross-origin: {page} → {server} differ in {}, so the browser applies CORS",
            comparison.differing_parts().join(" and ")
        )
    }
}

/// Renders the tour's buttons.
pub fn render(_shared: &Shared) {
    let mut html = String::from("<h2 id=\"tour-title\">The article's tour</h2><p class=\"hint\">A page on one origin calls a server on another. One click each: the prediction, then the real request.</p><div class=\"buttons\" role=\"group\" aria-label=\"Tour stops\">");
    for (i, (label, _)) in STEPS.iter().enumerate() {
        let _ = write!(html, "<button type=\"button\" data-action=\"tour\" data-step=\"{i}\" id=\"tour-{i}\">{}</button>", view::esc(label));
    }
    html.push_str("</div><div id=\"tour-result\" aria-live=\"polite\"></div>");
    if let Some(section) = crate::dom::document().ok().and_then(|d| d.get_element_by_id("tour")) {
        section.set_inner_html(&html);
    }
}

/// Runs one stop: predicts, sends, shows both.
pub async fn run_step(shared: &Shared, step: usize) {
    let step = step.min(STEPS.len() - 1);
    let (page_origin, browser) = {
        let app = shared.borrow();
        (app.page_origin.clone(), app.composition.browser)
    };
    let Ok(page) = Origin::parse(&page_origin) else { return };
    let (route, url) = route(step, &page);
    let call = FetchCall {
        url: url.clone(),
        method: "GET".to_owned(),
        headers: Vec::new(),
        mode: Default::default(),
        credentials: Default::default(),
        body: None,
    };
    let result = run_against(&call, &page, &Article(route), 1, browser, true);
    let Some(decision) = result.last() else { return };
    let expectation = prediction_of("tour", decision).expect;
    let mut html = format!(
        "<h3 id=\"tour-stop\">{}</h3><p>{}</p><p class=\"verdict-origin\" data-role=\"cross-origin\">{}</p>",
        view::esc(STEPS[step].0),
        view::esc(STEPS[step].1),
        view::esc(&cross_origin_verdict(&page_origin, &url))
    );
    let _ = write!(html, "<div class=\"grid\"><div><h4>Prediction ({})</h4>", view::esc(browser.profile().name));
    html.push_str(&view::decision_summary(decision, result.steps.last().map(Vec::as_slice).unwrap_or_default()));
    html.push_str("</div><div id=\"tour-reality\"><h4>Reality</h4><p>Sending…</p></div></div>");
    set_result(&html);
    set_status("Sending the tour's request…");
    // The article's own routes: the URL shown is the URL sent.
    let reality = send(&call, &call.url, 1, None).await;
    let mut reality_html = String::from("<h4>Reality</h4>");
    reality_html.push_str(&view::reality_body(&reality, Some(&expectation)));
    if let Some(element) = crate::dom::document().ok().and_then(|d| d.get_element_by_id("tour-reality")) {
        element.set_inner_html(&reality_html);
    }
    set_status(if reality.agrees_with(&expectation) { "Tour: reality agrees with the prediction." } else { "Tour: reality differs from the prediction." });
}

fn set_result(html: &str) {
    if let Some(element) = crate::dom::document().ok().and_then(|d| d.get_element_by_id("tour-result")) {
        element.set_inner_html(html);
    }
}
