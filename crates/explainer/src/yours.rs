//! "Your server": the composed request sent to any URL, seen two ways.
//!
//! A page cannot send a request with another page's `Origin`, and cannot
//! see the headers behind a CORS error, so the page shows two views:
//!
//! - *from your app*: the companion server's `/probe` sends the preflight
//!   and the request with your app's `Origin`, and the engine judges what
//!   came back (each profile's verdict and steps, the exchanges, the fix);
//! - *from this page*: a real `fetch()` from this browser (so `localhost`,
//!   the LAN and this browser's cookies work), beside the check of the same
//!   request for this page's origin, compared fact by fact.
//!
//! A result is kept with the check it answers, and shown only while that
//! check is still the composed one.

use std::fmt::Write as _;

use corslab::diagnosis::check::{BrowserCheck, CheckRequest, Exchange};
use corslab::fetch::local_network::AddressSpace;
use corslab::fetch::wire::WireKind;
use corslab::fix::Fix;
use corslab::formats::scenario::Expectation;
use corslab::{Browser, Origin};

use crate::app::{App, Shared, repredict, set_html, set_status};
use crate::predict::{Predicted, call, is_unsafe_char};
use crate::probe::{Probe, Probed, check_request, parse_url, probe};
use crate::reality::{Reality, send};
use crate::state::{Composition, ServerSetup};
use crate::view::{decision_detail, esc, reality_body};
use crate::SERVER;

/// What "your server" starts with: a companion-server route that names one
/// origin only, so that a first check shows a failure and its fix.
pub fn default_setup() -> ServerSetup {
    ServerSetup::yours(format!("{SERVER}/allow/origin"), "http://localhost:3000")
}

/// What the mode has found so far.
#[derive(Debug, Default)]
pub struct Found {
    /// Your server's URL and your app's origin as last typed, restored when
    /// you switch back to your server.
    pub setup: Option<ServerSetup>,
    /// The last check from your app's origin.
    pub from_app: Option<Probe>,
    /// The last send from this page, with its check for this page's origin.
    pub from_page: Option<FromPage>,
    /// The "from this page" panel as last rendered (it is left alone when
    /// unchanged, so its open details stay open while you type elsewhere);
    /// empty when the panel shows something else.
    shown: String,
}

impl Found {
    /// Forgets the results (a new composition was loaded).
    pub fn clear_results(&mut self) {
        self.from_app = None;
        self.from_page = None;
        self.shown.clear();
    }

    /// Notes that the reality panel shows something else now.
    pub fn forget_shown(&mut self) {
        self.shown.clear();
    }
}

/// The prediction's stand-in in this mode: no local prediction (your
/// server answers for itself), the URL for the snippets, and the first
/// problem of the fields, if any.
pub fn predicted(c: &Composition) -> Predicted {
    let url = match &c.server {
        ServerSetup::Yours { url, .. } => parse_url(url).map_or_else(|_| url.clone(), String::from),
        _ => String::new(),
    };
    Predicted { url: url.clone(), live_url: url, run: None, per_browser: Vec::new(), notes: Vec::new(), error: problems(c).into_iter().next() }
}

/// A send from this page.
#[derive(Debug)]
pub struct FromPage {
    /// The check of the same request for this page's origin.
    pub probe: Probe,
    /// What `fetch()` did.
    pub reality: Reality,
}

/// The check from your app: the composed request to your server's URL,
/// with your app's origin.
///
/// # Errors
///
/// Why it cannot be checked (not your server, an invalid URL or origin).
pub fn app_check(c: &Composition) -> Result<CheckRequest, String> {
    let ServerSetup::Yours { url, app_origin } = &c.server else { return Err("the server is not yours".to_owned()) };
    check_request(&call(c, url), app_origin, None)
}

/// The check from this page: the same request, with this page's origin
/// (and URL, for a same-origin `Referer`).
///
/// # Errors
///
/// Why it cannot be checked.
pub fn page_check(c: &Composition, page_origin: &str) -> Result<CheckRequest, String> {
    let ServerSetup::Yours { url, .. } = &c.server else { return Err("the server is not yours".to_owned()) };
    let page_url = web_sys::window().and_then(|w| Some(format!("{}{}", w.location().origin().ok()?, w.location().pathname().ok()?)));
    check_request(&call(c, url), page_origin, page_url)
}

/// What is wrong with the URL and the app's origin, as sentences.
pub fn problems(c: &Composition) -> Vec<String> {
    let ServerSetup::Yours { url, app_origin } = &c.server else { return Vec::new() };
    let mut out = Vec::new();
    if let Err(e) = parse_url(url) {
        out.push(format!("Your server's URL {url:?}: {e}"));
    }
    if let Err(e) = Origin::parse(app_origin) {
        out.push(format!("Your app's origin {app_origin:?}: {e}"));
    }
    out
}

/// The [address space](AddressSpace) a URL's host is in, as far as its
/// text tells: an IP address's own; `localhost` (and `*.localhost`) the
/// machine; `*.local` (mDNS) the local network; any other name is taken for
/// public (where it resolves is not known here).
fn space_of(url: &url::Url) -> Option<AddressSpace> {
    Some(match url.host()? {
        url::Host::Ipv4(ip) => AddressSpace::of(ip.into()),
        url::Host::Ipv6(ip) => AddressSpace::of(ip.into()),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                AddressSpace::Loopback
            } else if name.ends_with(".local") {
                AddressSpace::Local
            } else {
                AddressSpace::Public
            }
        }
    })
}

fn where_is(space: AddressSpace) -> &'static str {
    match space {
        AddressSpace::Public => "a public website",
        AddressSpace::Local => "on the user's local network",
        AddressSpace::Loopback => "on the user's own machine",
    }
}

/// The Local Network Access note, when your app's origin is in a less
/// private address space than your server's URL (a public website calling
/// `localhost` or a LAN address).
///
/// <https://wicg.github.io/local-network-access/#private-network-request>
pub fn local_network_note(c: &Composition) -> Option<String> {
    let ServerSetup::Yours { url, app_origin } = &c.server else { return None };
    let target = parse_url(url).ok()?;
    let app = url::Url::parse(app_origin).ok()?;
    let (from, to) = (space_of(&app)?, space_of(&target)?);
    if from >= to {
        return None;
    }
    let host = target.host_str().unwrap_or_default();
    Some(format!(
        "Local Network Access: your app's origin is {} and {host} is {}. Since Chromium 142 and Firefox 153 the browser asks the user's permission ({}) before such a request, and fails it like a network error when refused. The companion server's check shows no prompt: it reaches {host} from where it runs.",
        if from == AddressSpace::Public { "a public website" } else { where_is(from) },
        where_is(to),
        to.permission().unwrap_or_default(),
    ))
}

/// The notes under the URL and origin fields: their problems, and the Local
/// Network Access note.
pub fn notes_html(c: &Composition) -> String {
    let mut html = String::new();
    let problems = problems(c);
    if !problems.is_empty() {
        html.push_str("<ul class=\"problems\" role=\"alert\" data-role=\"yours-problems\">");
        for problem in &problems {
            let _ = write!(html, "<li>{}</li>", esc(problem));
        }
        html.push_str("</ul>");
    }
    if let Some(note) = local_network_note(c) {
        let _ = write!(html, "<p class=\"note\" data-role=\"local-network\">{}</p>", esc(&note));
    }
    html
}

/// Text from a server (or typed by the user), made visible: every control,
/// line-separator and bidi character as `\u{…}`, then HTML-escaped.
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    esc(&out)
}

/// Who sent the "from your app" view.
fn sent_by(url: &str, app_origin: &str) -> String {
    format!(
        "<p class=\"note\" data-role=\"sent-by\">Sent by the companion server ({}), not by this browser: it sends what each browser would send, with <code>Origin: {}</code>, to <code class=\"url\">{}</code>, and the engine judges what came back.</p>",
        esc(SERVER),
        shown(app_origin),
        shown(url)
    )
}

/// The "from your app" view (the prediction panel's body in this mode).
pub fn from_app_body(app: &App) -> String {
    let c = &app.composition;
    let ServerSetup::Yours { url, app_origin } = &c.server else { return String::new() };
    let mut html = sent_by(url, app_origin);
    match (app_check(c), &app.yours.from_app) {
        (Err(e), _) => {
            let _ = write!(html, "<p class=\"banner skip\" data-role=\"verdict\">Nothing to check yet: {}.</p>", shown(&e));
        }
        (Ok(check), Some(done)) if done.check == check => match &done.result {
            Ok(probed) => html.push_str(&from_app_result(probed, c.browser)),
            Err(e) => {
                let _ = write!(html, "<p class=\"banner fail\" data-role=\"probe-error\">The companion server could not check it: {}</p>", shown(e));
            }
        },
        _ => html.push_str("<p class=\"hint\" data-role=\"yours-hint\">Press <em>Check from your app</em>: the companion server sends the preflight and the request as each browser would, with your app's origin, and shows every step, what your server answered and what to change on it.</p>"),
    }
    html
}

/// While a check runs.
pub fn checking_body(c: &Composition) -> String {
    let ServerSetup::Yours { url, app_origin } = &c.server else { return String::new() };
    format!("{}<p class=\"banner info\" data-role=\"checking\">Checking: the companion server is sending it…</p>", sent_by(url, app_origin))
}

fn from_app_result(probed: &Probed, selected: Browser) -> String {
    let report = &probed.report;
    let blocked: Vec<&str> = report.browsers.iter().filter(|(_, b)| !b.passed).map(|(b, _)| b.profile().name).collect();
    let mut html = format!(
        "<p class=\"banner {}\" data-role=\"check-verdict\">{}</p>",
        if blocked.is_empty() { "pass" } else { "fail" },
        esc(&if blocked.is_empty() {
            format!("Every profile passes: your app at {} gets the response.", report.origin)
        } else {
            format!("Fails in {}: see what to change on the server below.", blocked.join(", "))
        })
    );
    if !probed.disagreements.is_empty() {
        let names: Vec<&str> = probed.disagreements.iter().map(|b| b.profile().name).collect();
        let _ = write!(html, "<p class=\"warning\">The companion server judged {} otherwise (another version of the engine?): this page shows its own judgement.</p>", esc(&names.join(", ")));
    }
    html.push_str(&per_browser(probed));
    let browser = if report.browsers.contains_key(&selected) { selected } else { report.browsers.keys().next().copied().unwrap_or(selected) };
    let name = browser.profile().name;
    if let Some(judged) = probed.judged(browser) {
        let _ = write!(html, "<h3>{}, step by step</h3>", esc(name));
        html.push_str(&decision_detail(&judged.decision, &judged.steps, true));
    }
    if let Some(verdict) = report.browsers.get(&browser) {
        let _ = write!(html, "<h3>What was sent, and what your server answered ({})</h3>", esc(name));
        html.push_str(&exchanges(verdict));
    }
    html.push_str("<h3>What to change on the server</h3>");
    html.push_str(&fix(&report.fix, report.passed));
    html
}

/// What the page could read, in words.
fn readable(e: &Expectation) -> String {
    match (e.outcome.as_str(), e.status) {
        ("opaque", _) => "an opaque response: nothing".to_owned(),
        (_, Some(status)) => {
            let headers = if e.visible_headers.is_empty() { "(none)".to_owned() } else { e.visible_headers.join(", ") };
            format!("status {status}, a {} response; headers: {headers}", e.response_type.as_deref().unwrap_or("?"))
        }
        ("type-error", _) => "nothing: fetch() throws".to_owned(),
        _ => "nothing: fetch() rejects with a TypeError".to_owned(),
    }
}

/// Each profile's verdict, its console line and what the page could read
/// (a list: the console lines are too long for a table's cells).
fn per_browser(probed: &Probed) -> String {
    let mut html = String::from("<h3>Each profile's verdict</h3><ul class=\"verdicts\" data-role=\"per-browser\">");
    for (browser, verdict) in &probed.report.browsers {
        let e = &verdict.expect;
        let outcome = match &e.cors_error {
            Some(error) => format!("{} ({error})", e.outcome),
            None => e.outcome.clone(),
        };
        let _ = write!(
            html,
            "<li data-browser=\"{}\"><strong>{}</strong>: <span class=\"{}\">{} {}</span>; the page could read {}.",
            browser.as_str(),
            esc(browser.profile().name),
            if verdict.passed { "pass" } else { "fail" },
            if verdict.passed { "✔ passes:" } else { "✘ blocked:" },
            shown(&outcome),
            shown(&readable(e)),
        );
        if let Some(console) = &e.console {
            let _ = write!(html, "<pre class=\"console\">{}</pre>", shown(console));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    html
}

/// The path and query of an absolute URL (the request line's target).
fn target(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(query) => format!("{}?{query}", u.path()),
            None => u.path().to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

/// One exchange as the HTTP text that went each way, every line made
/// [visible](shown) on its own (so no value can fake a line of its own).
fn exchange(e: &Exchange) -> String {
    let r = &e.request;
    let mut sent = vec![format!("{} {} HTTP/1.1", r.method, target(&r.url))];
    sent.extend(r.headers.iter().map(|(name, value)| format!("{name}: {value}")));
    if let Some(body) = &r.body {
        sent.extend([String::new(), body.clone()]);
    }
    let a = &e.response;
    let mut received = vec![format!("HTTP/1.1 {}", a.status)];
    received.extend(a.headers.iter().map(|(name, value)| format!("{name}: {value}")));
    received.extend([
        String::new(),
        format!("({} body bytes{})", a.body_bytes, a.remote_addr.as_deref().map(|addr| format!(", from {addr}")).unwrap_or_default()),
    ]);
    let lines = |lines: &[String]| lines.iter().map(|l| shown(l)).collect::<Vec<_>>().join("\n");
    format!(
        "<li><p><strong>{}</strong></p><pre class=\"http\" data-role=\"sent\">{}</pre><pre class=\"http\" data-role=\"received\">{}</pre></li>",
        if r.kind == WireKind::Preflight { "The preflight" } else { "The request" },
        lines(&sent),
        lines(&received)
    )
}

fn exchanges(verdict: &BrowserCheck) -> String {
    if verdict.exchanges.is_empty() {
        return "<p data-role=\"exchanges\">Nothing was sent: the browser refuses the request before any network activity.</p>".to_owned();
    }
    let mut html = String::from("<ol class=\"exchanges\" data-role=\"exchanges\">");
    for e in &verdict.exchanges {
        html.push_str(&exchange(e));
    }
    html.push_str("</ol>");
    for line in &verdict.unreadable {
        let _ = write!(html, "<p class=\"warning\">The engine could not read the header line {}: {}</p>", shown(&line.name), shown(&line.problem));
    }
    html
}

/// Text with `…` spans as code, the rest escaped.
fn with_code(text: &str) -> String {
    text.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", shown(part)) } else { shown(part) }).collect()
}

fn fix(fix: &Fix, passed: bool) -> String {
    let mut html = String::from("<div data-role=\"fix\">");
    if fix.is_empty() {
        html.push_str(if passed {
            "<p class=\"pass\">Nothing: every profile lets your app read the response.</p>"
        } else {
            "<p>The engine cannot say: the outcome is not modelled.</p>"
        });
    }
    if let Some(why) = &fix.not_on_the_server {
        let _ = write!(html, "<p>No server change helps: {}</p>", with_code(why));
    }
    if !fix.changes.is_empty() {
        html.push_str("<ol class=\"fix\">");
        for change in &fix.changes {
            let _ = write!(html, "<li><strong>{}</strong><br><span class=\"hint\">{}</span></li>", with_code(&change.describe()), with_code(change.why()));
        }
        html.push_str("</ol>");
    }
    if let Some(policy) = fix.policy.as_ref().filter(|_| !fix.changes.is_empty()) {
        let list = |values: &[String]| if values.is_empty() { "(none)".to_owned() } else { values.join(", ") };
        let _ = write!(
            html,
            "<p class=\"hint\" data-role=\"fix-policy\">As a CORS middleware's settings, the narrowest that lets it through: origins {}; methods {}; request headers {}; credentials {}.</p>",
            shown(&list(&policy.origins)),
            shown(&list(&policy.methods)),
            shown(&list(&policy.headers)),
            if policy.credentials { "allowed" } else { "not allowed" },
        );
    }
    html.push_str("</div>");
    html
}

/// The "from this page" view (the reality panel in this mode).
pub fn from_page_panel(app: &App) -> String {
    let c = &app.composition;
    let mut html = format!(
        "<h2 id=\"reality-title\">From this page</h2><p class=\"note\" data-role=\"this-page\">Press <em>Send for real from this page</em>: this browser sends it with <code>fetch()</code> from {} (so localhost, your LAN and this browser's cookies work), and the companion server checks the same request with this page's origin, beside it. No server log here: it is your server.</p>",
        esc(&app.page_origin)
    );
    let Some(done) = app.yours.from_page.as_ref().filter(|done| page_check(c, &app.page_origin).is_ok_and(|check| check == done.probe.check)) else {
        return html;
    };
    let name = c.browser.profile().name;
    let _ = write!(html, "<div class=\"grid\"><div><h3>Predicted for this page ({}, checked by the companion server)</h3>", esc(name));
    let expectation = match &done.probe.result {
        Ok(probed) => {
            if let Some(judged) = probed.judged(c.browser) {
                html.push_str(&decision_detail(&judged.decision, &judged.steps, false));
            }
            probed.report.browsers.get(&c.browser).map(|b| b.expect.clone())
        }
        Err(e) => {
            let _ = write!(html, "<p class=\"banner fail\" data-role=\"probe-error\">The companion server could not check it for this page: {}</p>", shown(e));
            None
        }
    };
    html.push_str("</div><div><h3>What fetch() did</h3>");
    html.push_str(&reality_body(&done.reality, expectation.as_ref()));
    html.push_str("</div></div>");
    html
}

/// Renders both views of the mode (the "from this page" one only when it
/// changed).
pub fn render(app: &mut App) {
    let html = from_page_panel(app);
    if html != app.yours.shown {
        set_html("reality", &html);
        app.yours.shown = html;
    }
}

/// "Check from your app": asks `/probe` with your app's origin.
pub async fn check_from_app(shared: &Shared) {
    let check = {
        let app = shared.borrow();
        let check = app_check(&app.composition);
        if check.is_ok() {
            set_html("prediction-body", &checking_body(&app.composition));
        }
        check
    };
    let check = match check {
        Ok(check) => check,
        Err(e) => {
            set_status(&format!("Nothing to check: {e}."));
            return;
        }
    };
    set_status("Checking from your app's origin…");
    let result = probe(&check).await;
    let status = match &result {
        Ok(p) if p.report.passed => "Checked from your app: every profile passes.",
        Ok(_) => "Checked from your app: blocked. See what to change on the server.",
        Err(_) => "The check from your app failed: the panel says why.",
    };
    {
        let mut app = shared.borrow_mut();
        app.yours.from_app = Some(Probe { check, result });
        if app.composition.server.is_yours() {
            repredict(&mut app);
        }
    }
    set_status(status);
}

/// "Send for real from this page": a real `fetch()` from this browser, and
/// `/probe` with this page's origin for the prediction beside it.
pub async fn send_from_page(shared: &Shared) {
    let check = {
        let app = shared.borrow();
        page_check(&app.composition, &app.page_origin)
    };
    let check = match check {
        Ok(check) => check,
        Err(e) => {
            set_status(&format!("Nothing to send: {e}."));
            return;
        }
    };
    set_status("Sending from this page, and checking it for this page's origin…");
    let result = probe(&check).await;
    // Shown at the URL it went to: no route of the lab's in between.
    let reality = send(&check.call, &check.call.url, 1, None).await;
    let mut app = shared.borrow_mut();
    let browser = app.composition.browser;
    let agrees = result.as_ref().ok().and_then(|p| p.report.browsers.get(&browser)).map(|b| reality.agrees_with(&b.expect));
    app.yours.from_page = Some(FromPage { probe: Probe { check, result }, reality });
    if app.composition.server.is_yours() {
        repredict(&mut app);
    }
    set_status(match agrees {
        Some(true) => "Sent from this page: what fetch() did agrees with the prediction.",
        Some(false) => "Sent from this page: see where fetch() and the prediction differ.",
        None => "Sent from this page; the check for this page's origin failed: the panel says why.",
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yours(url: &str, app: &str) -> Composition {
        Composition { server: ServerSetup::yours(url, app), ..Composition::default() }
    }

    #[test]
    fn the_fields_problems_are_sentences() {
        assert!(problems(&yours("http://localhost:3001/api", "http://localhost:3000")).is_empty());
        let p = problems(&yours("localhost:3001/api", "http://localhost:3000/"));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("Your server's URL \"localhost:3001/api\": "), "{p:?}");
        assert_eq!(p[1], "Your app's origin \"http://localhost:3000/\": origin must not end with '/'");
        assert!(problems(&yours("ftp://example.com/", "null"))[0].ends_with("only http and https URLs can be checked"));
        assert!(problems(&Composition::default()).is_empty());
    }

    #[test]
    fn a_public_app_calling_a_private_address_gets_the_local_network_note() {
        for url in ["http://localhost:3001/", "http://127.0.0.1:8080/x", "http://192.168.1.20/", "http://[::1]:81/", "http://printer.local/"] {
            let note = local_network_note(&yours(url, "https://app.example.com")).unwrap_or_default();
            assert!(note.contains("Chromium 142") && note.contains("Firefox 153"), "{url}: {note:?}");
        }
        let note = local_network_note(&yours("http://localhost:3001/", "https://app.example.com")).unwrap_or_default();
        assert!(note.contains("loopback-network") && note.contains("own machine"), "{note}");
        for (url, app) in [
            ("https://api.example.com/", "https://app.example.com"),
            ("http://localhost:3001/", "http://localhost:3000"),
            ("http://192.168.1.20/", "http://127.0.0.1:3000"),
            ("http://localhost:3001/", "not an origin"),
        ] {
            assert_eq!(local_network_note(&yours(url, app)), None, "{url} from {app}");
        }
        // A LAN page calling the machine itself needs the permission too.
        assert!(local_network_note(&yours("http://localhost:3001/", "http://192.168.1.5:3000")).is_some());
    }

    #[test]
    fn server_text_is_escaped_and_made_visible() {
        assert_eq!(shown("<b>\u{202e}x\x1b"), "&lt;b&gt;\\u{202e}x\\u{1b}");
        assert_eq!(with_code("send `A: <b>` now"), "send <code>A: &lt;b&gt;</code> now");
        assert_eq!(target("http://h:1/a/b?c=d"), "/a/b?c=d");
        let faked = Exchange {
            request: corslab::fetch::wire::WireRequest {
                kind: WireKind::Request,
                method: "GET".to_owned(),
                url: "http://h:1/x".to_owned(),
                headers: vec![("X-A".to_owned(), "1\nX-Fake: 2".to_owned())],
                body: None,
            },
            response: corslab::fetch::wire::WireResponse { status: 200, headers: vec![("a".to_owned(), "<i>".to_owned())], body_bytes: 0, remote_addr: None },
        };
        let html = exchange(&faked);
        assert!(html.contains(">GET /x HTTP/1.1\nX-A: 1\\u{a}X-Fake: 2</pre>"), "{html}");
        assert!(html.contains(">HTTP/1.1 200\na: &lt;i&gt;\n\n(0 body bytes)</pre>"), "{html}");
    }
}
