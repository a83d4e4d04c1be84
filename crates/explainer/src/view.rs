//! The page's panels as HTML text (escaped), rendered into their containers.
//! Every input has a label; every action is a `<button data-action=...>`
//! handled by one listener on the page (event delegation).

use std::fmt::Write as _;

use corslab::Browser;
use corslab::formats::scenario::{Expectation, ScriptedResponse};
use corslab::trace::{Step, Verdict};
use corslab::fetch::client::ContextKind;
use corslab::fetch::local_network::AddressSpace;
use corslab::fetch::redirect::RedirectMode;
use corslab::{CredentialsMode, Decision, Outcome, RequestMode};

use crate::predict::Predicted;
use crate::reality::Reality;
use crate::state::{
    Composition, MAX_BODY_LEN, MAX_HEADER_ROWS, MAX_METHOD_LEN, MAX_NAME_LEN, MAX_ORIGIN_LEN, MAX_PATH_LEN, MAX_REPEAT,
    MAX_URL_LEN, MAX_VALUE_LEN, ServerSetup,
};

/// The "Send it" choices, one per count from 1 to [`MAX_REPEAT`] (the
/// array's length makes the two agree).
const REPEAT_LABELS: [&str; MAX_REPEAT as usize] = ["once", "twice in a row", "three times"];

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn option(value: &str, label: &str, selected: bool) -> String {
    format!("<option value=\"{}\"{}>{}</option>", esc(value), if selected { " selected" } else { "" }, esc(label))
}

fn text_input(id: &str, label: &str, value: &str, extra: &str) -> String {
    format!(
        "<label for=\"{id}\">{}</label><input id=\"{id}\" name=\"{id}\" type=\"text\" value=\"{}\" autocomplete=\"off\" spellcheck=\"false\"{extra}>",
        esc(label),
        esc(value)
    )
}

/// Header rows with add/remove buttons; `prefix` names the inputs.
fn header_rows(prefix: &str, legend: &str, headers: &[(String, String)]) -> String {
    let mut html = format!("<fieldset class=\"headers\" data-rows=\"{prefix}\"><legend>{}</legend>", esc(legend));
    for (i, (name, value)) in headers.iter().enumerate() {
        let _ = write!(
            html,
            "<div class=\"row\"><label class=\"sr\" for=\"{prefix}-n-{i}\">Header {n} name</label><input id=\"{prefix}-n-{i}\" class=\"hname\" value=\"{}\" placeholder=\"Name\" maxlength=\"{MAX_NAME_LEN}\" spellcheck=\"false\" autocomplete=\"off\"><label class=\"sr\" for=\"{prefix}-v-{i}\">Header {n} value</label><input id=\"{prefix}-v-{i}\" class=\"hvalue\" value=\"{}\" placeholder=\"value\" maxlength=\"{MAX_VALUE_LEN}\" spellcheck=\"false\" autocomplete=\"off\"><button type=\"button\" data-action=\"remove-row\" data-rows=\"{prefix}\" data-index=\"{i}\" aria-label=\"Remove header {n}\">✕</button></div>",
            esc(name),
            esc(value),
            n = i + 1,
        );
    }
    // At the limit the button is disabled (and says why), so the form never
    // holds more rows than a link may carry.
    let full = headers.len() >= MAX_HEADER_ROWS;
    let _ = write!(
        html,
        "<button type=\"button\" data-action=\"add-row\" data-rows=\"{prefix}\"{}>Add header</button>{}</fieldset>",
        if full { " disabled" } else { "" },
        if full { format!(" <span class=\"hint\">(at most {MAX_HEADER_ROWS})</span>") } else { String::new() },
    );
    html
}

/// The modes the request panel offers, in its order.
pub const MODES: [RequestMode; 3] = [RequestMode::Cors, RequestMode::NoCors, RequestMode::SameOrigin];
/// The credentials modes the request panel offers, in its order.
pub const CREDENTIALS: [CredentialsMode; 3] = [CredentialsMode::Omit, CredentialsMode::SameOrigin, CredentialsMode::Include];

/// The redirect modes the request panel offers, in its order.
pub const REDIRECTS: [RedirectMode; 3] = [RedirectMode::Follow, RedirectMode::Error, RedirectMode::Manual];
/// The contexts a fetch can run in, with their labels.
pub const CONTEXTS: [(ContextKind, &str); 4] = [
    (ContextKind::Window, "this page (window)"),
    (ContextKind::SandboxedIframe, "a sandboxed iframe (Origin: null)"),
    (ContextKind::DataIframe, "a data: iframe (Origin: null)"),
    (ContextKind::BlankIframe, "an about:blank iframe (this page's origin)"),
];
/// The address spaces, in their order.
pub const SPACES: [AddressSpace; 3] = [AddressSpace::Public, AddressSpace::Local, AddressSpace::Loopback];

/// The request panel.
pub fn request_panel(c: &Composition) -> String {
    let r = &c.request;
    let mut html = String::from("<h2 id=\"request-title\">The request</h2><p class=\"hint\">What the page passes to <code>fetch()</code>.</p><div class=\"fields\">");
    html.push_str(&text_input("req-method", "Method (case kept, as fetch() gets it)", &r.method, &format!(" list=\"methods\" maxlength=\"{MAX_METHOD_LEN}\"")));
    html.push_str("<datalist id=\"methods\"><option value=\"GET\"><option value=\"HEAD\"><option value=\"POST\"><option value=\"PUT\"><option value=\"DELETE\"><option value=\"PATCH\"><option value=\"patch\"><option value=\"OPTIONS\"></datalist>");
    // Your server's URL is in the server panel; the path and the repeat
    // are the companion server's (kept, for when you switch back).
    let yours = c.server.is_yours();
    if !yours {
        html.push_str(&text_input("req-path", "Path on the companion server", &r.path, &format!(" maxlength=\"{MAX_PATH_LEN}\"")));
    }
    html.push_str("<label for=\"req-mode\">Mode</label><select id=\"req-mode\">");
    for mode in MODES {
        html.push_str(&option(mode.as_str(), mode.as_str(), r.mode == mode));
    }
    html.push_str("</select><label for=\"req-credentials\">Credentials</label><select id=\"req-credentials\">");
    for credentials in CREDENTIALS {
        html.push_str(&option(credentials.as_str(), credentials.as_str(), r.credentials == credentials));
    }
    html.push_str("</select>");
    if !yours {
        html.push_str("<label for=\"req-redirect\">Redirects</label><select id=\"req-redirect\">");
        for redirect in REDIRECTS {
            html.push_str(&option(redirect.as_str(), redirect.as_str(), r.redirect == redirect));
        }
        html.push_str("</select><label for=\"req-context\">Runs in</label><select id=\"req-context\">");
        for (context, label) in CONTEXTS {
            html.push_str(&option(context.as_str(), label, r.context == context));
        }
        html.push_str("</select>");
        html.push_str("<label for=\"req-repeat\">Send it</label><select id=\"req-repeat\">");
        // A composition is clamped to 1..=MAX_REPEAT when read; the clamp
        // here only keeps an unclamped one from showing no choice at all.
        let repeat = c.repeat.clamp(1, MAX_REPEAT);
        for (count, label) in (1..).zip(REPEAT_LABELS) {
            html.push_str(&option(&count.to_string(), label, count == repeat));
        }
        html.push_str("</select>");
    }
    html.push_str("</div>");
    if yours {
        html.push_str("<p class=\"hint\">Sent once to your server's URL (in the server's panel).</p>");
    }
    html.push_str(&header_rows("req-h", "Headers", &r.headers));
    let _ = write!(
        html,
        "<div class=\"fields\"><label class=\"check\"><input id=\"req-has-body\" type=\"checkbox\"{}> Body</label><label for=\"req-body\" class=\"sr\">Body text</label><textarea id=\"req-body\" rows=\"2\" maxlength=\"{MAX_BODY_LEN}\" spellcheck=\"false\"{}>{}</textarea></div>",
        if r.body.is_some() { " checked" } else { "" },
        if r.body.is_some() { "" } else { " disabled" },
        esc(r.body.as_deref().unwrap_or_default()),
    );
    html
}

fn scripted_answer(prefix: &str, legend: &str, answer: Option<&ScriptedResponse>, optional: bool) -> String {
    let mut html = format!("<fieldset class=\"answer\"><legend>{}</legend><div class=\"fields\">", esc(legend));
    if optional {
        let _ = write!(
            html,
            "<label class=\"check\"><input id=\"{prefix}-on\" type=\"checkbox\"{}> Scripted (otherwise a plain 404)</label>",
            if answer.is_some() { " checked" } else { "" }
        );
    }
    let status = answer.map_or(204, |a| a.status).to_string();
    html.push_str(&text_input(&format!("{prefix}-status"), "Status", &status, " inputmode=\"numeric\""));
    html.push_str("</div>");
    let headers = answer.map(|a| a.headers.clone()).unwrap_or_default();
    html.push_str(&header_rows(&format!("{prefix}-h"), "Headers ({origin} and {url} are filled in)", &headers));
    if !optional {
        let _ = write!(
            html,
            "<div class=\"fields\"><label for=\"{prefix}-body\">Body</label><textarea id=\"{prefix}-body\" rows=\"1\" maxlength=\"{MAX_BODY_LEN}\" spellcheck=\"false\">{}</textarea></div>",
            esc(answer.and_then(|a| a.body.as_deref()).unwrap_or_default())
        );
    }
    html.push_str("</fieldset>");
    html
}

/// Presets for the server panel: (value, label).
pub const PRESETS: [(&str, &str); 8] = [
    ("allow", "Scripted: allows the request (ACAO, -Methods, -Headers)"),
    ("no-cors", "Scripted: no CORS headers at all"),
    ("preflight-no-acao", "Scripted: preflight without Access-Control-Allow-Origin"),
    ("wildcard-credentials", "Scripted: * with credentials"),
    ("max-age", "Scripted: allows, cached 600 s (Access-Control-Max-Age)"),
    ("policy-this-origin", "Policy: allow this page's origin"),
    ("policy-any", "Policy: allow any origin"),
    ("policy-list", "Policy: allow a list (another origin and this one)"),
];

/// The server panel: its head (the preset select, the scripted/policy
/// switch) and, in `#server-answer`, the answer's fields.
pub fn server_panel(c: &Composition, policy_problems: &[String]) -> String {
    format!("{}<div id=\"server-answer\">{}</div>", server_head(c), server_answer(c, policy_problems))
}

/// The server panel's head. Choosing a preset or switching between scripted
/// and policy re-renders only the answer below it, never these controls, so
/// keyboard focus (and the select's position for the arrow keys) stays put.
pub fn server_head(c: &Composition) -> String {
    let mut html = String::from("<h2 id=\"server-title\">The server's answer</h2><p class=\"hint\">How the companion server answers: scripted responses, or a CORS policy it applies. Or your own server, at any URL, answering for itself.</p><div class=\"fields\"><label for=\"srv-preset\">Preset</label><select id=\"srv-preset\"><option value=\"\">Choose a preset…</option>");
    for (value, label) in PRESETS {
        html.push_str(&option(value, label, false));
    }
    html.push_str("</select>");
    html.push_str("<span class=\"label\" id=\"srv-kind-label\">Server</span><span class=\"radios\" role=\"radiogroup\" aria-labelledby=\"srv-kind-label\">");
    for (kind, label) in SERVER_KINDS {
        let _ = write!(
            html,
            "<label class=\"check\"><input type=\"radio\" name=\"srv-kind\" id=\"srv-kind-{kind}\" value=\"{kind}\"{}> {label}</label>",
            if server_kind(&c.server) == kind { " checked" } else { "" },
        );
    }
    html.push_str("</span></div>");
    html
}

/// The server panel's kinds: (value, label).
pub const SERVER_KINDS: [(&str, &str); 3] = [("scripted", "scripted"), ("policy", "policy"), ("yours", "your server")];

/// The kind of a server setup, as [`SERVER_KINDS`] names it.
pub fn server_kind(server: &ServerSetup) -> &'static str {
    match server {
        ServerSetup::Scripted { .. } => "scripted",
        ServerSetup::Policy { .. } => "policy",
        ServerSetup::Yours { .. } => "yours",
    }
}

/// The server panel's answer: the scripted answers' fields, or the policy's
/// (with its problems).
pub fn server_answer(c: &Composition, policy_problems: &[String]) -> String {
    let mut html = String::new();
    match &c.server {
        ServerSetup::Scripted { preflight, response } => {
            html.push_str(&scripted_answer("pre", "Answer to the preflight (OPTIONS)", preflight.as_ref(), true));
            html.push_str(&scripted_answer("res", "Answer to the request", Some(response), false));
            html.push_str(&redirect_chain(c));
            html.push_str(&address_spaces(c));
        }
        ServerSetup::Policy { query } => {
            let config = corslab::policy::PolicyConfig::from_query(query).unwrap_or_default();
            let list = |values: &[String]| values.join(", ");
            html.push_str("<fieldset class=\"answer\"><legend>CORS policy</legend><div class=\"fields\">");
            html.push_str(&text_input("pol-origins", "Allowed origins (comma-separated; *, https://*.example.com, http://localhost:*)", &list(&config.origins), ""));
            html.push_str(&text_input("pol-methods", "Allowed methods", &list(&config.methods), ""));
            html.push_str(&text_input("pol-headers", "Allowed request headers", &list(&config.headers), ""));
            html.push_str(&text_input("pol-expose", "Exposed response headers", &list(&config.expose), ""));
            let _ = write!(
                html,
                "<label class=\"check\"><input id=\"pol-credentials\" type=\"checkbox\"{}> Allow credentials</label>",
                if config.credentials { " checked" } else { "" }
            );
            html.push_str(&text_input("pol-max-age", "Max-Age (seconds, -1 to 86400)", &config.max_age.map(|m| m.to_string()).unwrap_or_default(), " inputmode=\"numeric\""));
            html.push_str("</div>");
            if !policy_problems.is_empty() {
                html.push_str("<ul class=\"problems\" role=\"alert\">");
                for problem in policy_problems {
                    let _ = write!(html, "<li>{}</li>", esc(problem));
                }
                html.push_str("</ul>");
            }
            html.push_str("</fieldset>");
        }
        ServerSetup::Yours { url, app_origin } => {
            html.push_str("<fieldset class=\"answer\"><legend>Your server</legend><div class=\"fields\">");
            html.push_str(&text_input("yours-url", "URL (http or https; localhost and your LAN too)", url, &format!(" inputmode=\"url\" maxlength=\"{MAX_URL_LEN}\" placeholder=\"https://api.example.com/items\"")));
            html.push_str(&text_input("yours-origin", "Your app's origin", app_origin, &format!(" maxlength=\"{MAX_ORIGIN_LEN}\" placeholder=\"http://localhost:3000\"")));
            html.push_str("</div><p class=\"hint\">Two views: <strong>from your app</strong>, where the companion server sends the request with your app's origin and the engine judges what came back (with the fix); and <strong>from this page</strong>, a real <code>fetch()</code> from this browser beside the prediction for this page's origin. A check sends the request to your server once per browser profile: mind a request that changes something there.</p>");
            let _ = write!(html, "<div id=\"yours-notes\" aria-live=\"polite\">{}</div></fieldset>", crate::yours::notes_html(c));
        }
    }
    html
}

/// The redirect chain: each hop the answers lead to (`{hop1}` in a
/// `Location` leads to hop 1), where it is served and how it answers.
fn redirect_chain(c: &Composition) -> String {
    let mut html = String::from("<fieldset class=\"answer\" id=\"hops\"><legend>Redirects</legend><p class=\"hint\">A <code>Location</code> of <code>{hop1}</code> leads to hop 1, and so on. <em>Add a redirect</em> makes the last answer a 307 to the new hop. The second origin is this server under its other name: another origin, no other port.</p>");
    let page = crate::state::this_page_origin().unwrap_or_default();
    let second = crate::second_origin();
    for (i, hop) in c.hops.iter().enumerate() {
        let n = i + 1;
        let _ = write!(html, "<fieldset class=\"hop\"><legend>Hop {n}</legend><div class=\"fields\"><label for=\"hop{n}-at\">Served by</label><select id=\"hop{n}-at\">");
        let mut choices = vec![(crate::SERVER.to_owned(), format!("the companion server ({})", crate::SERVER)), (second.clone(), format!("a second origin ({second})")), (page.clone(), format!("this page's origin ({page}; predicted only)"))];
        if !choices.iter().any(|(o, _)| *o == hop.server_origin) {
            choices.push((hop.server_origin.clone(), hop.server_origin.clone()));
        }
        for (origin, label) in &choices {
            html.push_str(&option(origin, label, *origin == hop.server_origin));
        }
        html.push_str("</select>");
        html.push_str(&text_input(&format!("hop{n}-path"), "Path", &hop.path, &format!(" maxlength=\"{MAX_PATH_LEN}\"")));
        html.push_str(&text_input(&format!("hop{n}-user"), "user:password in its URL (optional)", hop.userinfo.as_deref().unwrap_or_default(), ""));
        let _ = write!(
            html,
            "<label class=\"check\"><input id=\"hop{n}-pre-on\" type=\"checkbox\"{}> Answers a preflight as the first URL does</label>",
            if hop.preflight_response.is_some() { " checked" } else { "" }
        );
        let status = hop.response.as_ref().map_or(200, |r| r.status).to_string();
        html.push_str(&text_input(&format!("hop{n}-status"), "Status", &status, " inputmode=\"numeric\""));
        html.push_str("</div>");
        html.push_str(&header_rows(&format!("hop{n}-h"), "Its answer's headers", &hop.response.as_ref().map(|r| r.headers.clone()).unwrap_or_default()));
        let _ = write!(html, "<button type=\"button\" data-action=\"remove-hop\" data-index=\"{i}\">Remove hop {n}</button></fieldset>");
    }
    let full = c.hops.len() >= crate::state::MAX_PAGE_HOPS;
    let _ = write!(html, "<button type=\"button\" data-action=\"add-hop\" id=\"add-hop\"{}>Add a redirect</button></fieldset>", if full { " disabled" } else { "" });
    html
}

/// The address spaces for Local Network Access (predicted only).
fn address_spaces(c: &Composition) -> String {
    let spaces = c.spaces.as_ref();
    let mut html = format!(
        "<fieldset class=\"answer\" id=\"spaces\"><legend>Local Network Access</legend><label class=\"check\"><input id=\"env-on\" type=\"checkbox\"{}> Put the page and the server in address spaces</label>",
        if spaces.is_some() { " checked" } else { "" }
    );
    if let Some(spaces) = spaces {
        html.push_str("<div class=\"fields\">");
        for (id, label, current) in [("env-page", "The page is on", spaces.page), ("env-server", "The server is on", spaces.server)] {
            let _ = write!(html, "<label for=\"{id}\">{label}</label><select id=\"{id}\">");
            for space in SPACES {
                html.push_str(&option(space.as_str(), space.as_str(), space == current));
            }
            html.push_str("</select>");
        }
        html.push_str("</div><p>The user granted the page:</p><div class=\"fields\">");
        for grant in crate::state::Spaces::GRANTS {
            let _ = write!(
                html,
                "<label class=\"check\"><input id=\"env-grant-{grant}\" type=\"checkbox\"{}> {grant}</label>",
                if spaces.grants.iter().any(|g| g == grant) { " checked" } else { "" }
            );
        }
        html.push_str("</div>");
        html.push_str("<p class=\"note\" data-role=\"lna-predicted\">Predicted only: a page cannot change how its browser classifies addresses (that is fixed when the browser starts, and under <code>make run</code> everything is loopback), so <em>Send for real</em> shows what this browser does here, not these spaces. <code>corslab verify</code> replays such scenarios in browsers started with them.</p>");
    }
    html.push_str("</fieldset>");
    html
}

fn verdict_mark(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Pass => ("pass", "✔"),
        Verdict::Fail => ("fail", "✘"),
        Verdict::Skipped => ("skip", "–"),
        Verdict::Info => ("info", "ℹ"),
    }
}

/// One decision's steps as an ordered list.
pub fn steps(steps: &[Step]) -> String {
    let mut html = String::from("<ol class=\"steps\">");
    for step in steps {
        let (class, mark) = verdict_mark(step.verdict);
        let _ = write!(
            html,
            "<li class=\"step {class}\" data-step=\"{}\"><span class=\"mark\" aria-label=\"{class}\">{mark}</span> <strong>{}</strong>",
            esc(step.id),
            esc(step.title)
        );
        if !step.compared.is_empty() {
            html.push_str("<dl>");
            for compared in &step.compared {
                let _ = write!(html, "<dt>{}</dt><dd><code>{}</code></dd>", esc(compared.what), esc(&compared.value));
            }
            html.push_str("</dl>");
        }
        if !step.detail.is_empty() {
            let _ = write!(html, "<p>{}</p>", esc(&step.detail));
        }
        let _ = write!(html, "<a class=\"spec\" href=\"{}\" target=\"_blank\" rel=\"noopener\">spec</a></li>", esc(step.spec));
    }
    html.push_str("</ol>");
    html
}

fn outcome_banner(decision: &Decision) -> String {
    let (class, text) = match decision.outcome {
        Outcome::Ok => ("pass", format!("fetch() resolves: status {}", decision.status.unwrap_or_default())),
        Outcome::Opaque => ("info", "fetch() resolves with an opaque response (status 0, nothing readable)".to_owned()),
        Outcome::CorsError => ("fail", "Blocked by CORS: fetch() rejects with a TypeError".to_owned()),
        Outcome::NetworkError => ("fail", "fetch() rejects with a TypeError: a network error, not CORS".to_owned()),
        Outcome::Pending => ("skip", "fetch() never settles: it waits for a permission nobody gives".to_owned()),
        Outcome::TypeError => (
            "fail",
            format!(
                "fetch() throws before sending anything: {}",
                decision.type_error.as_ref().map(ToString::to_string).unwrap_or_default()
            ),
        ),
        Outcome::Unknown => ("skip", format!("Not modelled: {}", decision.unknown_reason.clone().unwrap_or_default())),
    };
    format!("<p class=\"banner {class}\" data-role=\"verdict\">{}</p>", esc(&text))
}

fn messages(decision: &Decision) -> String {
    let mut html = String::new();
    if let Some(report) = &decision.report {
        let _ = write!(
            html,
            "<div class=\"messages\"><p><strong>Why:</strong> {}</p><p><strong>Chromium</strong> <code>{}</code>{}</p><pre class=\"console\" data-role=\"chromium-console\">{}</pre><p><strong>Firefox</strong> <a href=\"{}\" target=\"_blank\" rel=\"noopener\"><code>{}</code></a></p><pre class=\"console\" data-role=\"firefox-console\">{}</pre></div>",
            esc(&report.summary),
            esc(report.chromium.name),
            report.chromium.failed_parameter.as_ref().map(|p| format!(" (failed parameter <code>{}</code>)", esc(p))).unwrap_or_default(),
            esc(&report.chromium.console),
            esc(report.firefox.mdn.as_deref().unwrap_or("https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors")),
            esc(report.firefox.code),
            esc(&report.firefox.console),
        );
    }
    for warning in &decision.warnings {
        let _ = write!(html, "<p class=\"warning\"><strong>Firefox warns:</strong> {}</p>", esc(&warning.firefox_console(&decision.url)));
    }
    html
}

fn cache_table(decision: &Decision) -> String {
    if decision.cache.is_empty() {
        return String::new();
    }
    let mut html = String::from("<p><strong>Preflight cache</strong> after this request:</p><ul class=\"cache\">");
    for entry in &decision.cache {
        let methods: Vec<&str> = entry.methods.iter().map(|t| &*t.token).collect();
        let headers: Vec<&str> = entry.headers.iter().map(|t| &*t.token).collect();
        let seconds = entry.expires_ms() / 1000;
        let _ = write!(
            html,
            "<li>methods <code>{}</code>, headers <code>{}</code>{}: {}</li>",
            esc(&methods.join(", ")),
            esc(&headers.join(", ")),
            if entry.credentials { " (credentialed)" } else { "" },
            if seconds == 0 { "expires at once".to_owned() } else { format!("reusable for {seconds} s") },
        );
    }
    html.push_str("</ul>");
    html
}

/// The per-profile summary table.
fn per_browser(rows: &[(Browser, Expectation)]) -> String {
    let mut html = String::from("<table class=\"browsers\"><caption>The same request in each profile</caption><thead><tr><th scope=\"col\">Profile</th><th scope=\"col\">Preflight</th><th scope=\"col\">Outcome</th><th scope=\"col\">Error</th></tr></thead><tbody>");
    for (browser, e) in rows {
        let name = browser.profile().name;
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(name),
            if e.preflight { "yes" } else { "no" },
            esc(&e.outcome),
            esc(e.cors_error.as_deref().unwrap_or("–")),
        );
    }
    html.push_str("</tbody></table>");
    html
}

/// The prediction panel: its head (the profile switch) and, in
/// `#prediction-body`, the prediction.
pub fn prediction_panel(c: &Composition, p: &Predicted) -> String {
    format!("{}<div id=\"prediction-body\">{}</div>", prediction_head(c), prediction_body(p))
}

/// The prediction panel's head: the profile switch. A new prediction
/// re-renders only the body, so a radio moved with the arrow keys keeps focus.
pub fn prediction_head(c: &Composition) -> String {
    let mut html = String::from("<h2 id=\"prediction-title\">Prediction</h2><div class=\"radios\" role=\"radiogroup\" aria-label=\"Browser profile\">");
    for browser in Browser::ALL {
        let _ = write!(
            html,
            "<label class=\"check\"><input type=\"radio\" name=\"profile\" id=\"profile-{id}\" value=\"{id}\"{}> {}</label>",
            if browser == c.browser { " checked" } else { "" },
            esc(browser.profile().name),
            id = browser.as_str(),
        );
    }
    html.push_str("</div>");
    html
}

/// The prediction itself: verdict, messages, preflight, steps, cache, and
/// the per-profile table. Every URL in it is the composed one (`p.url`).
pub fn prediction_body(p: &Predicted) -> String {
    let mut html = String::new();
    if let Some(error) = &p.error {
        let _ = write!(html, "<p class=\"banner skip\" data-role=\"verdict\">{}</p>", esc(error));
        return html;
    }
    for note in &p.notes {
        let _ = write!(html, "<p class=\"note\">{}</p>", esc(note));
    }
    let Some(run) = &p.run else { return html };
    let count = run.decisions.len();
    for (i, (decision, trace)) in run.decisions.iter().zip(&run.steps).enumerate() {
        let last = i + 1 == count;
        if count > 1 {
            let _ = write!(html, "<h3>Request {} of {count}{}</h3>", i + 1, if decision.preflight.sent { "" } else { " (no preflight)" });
        }
        if last {
            html.push_str(&outcome_banner(decision));
            html.push_str(&messages(decision));
        }
        if let Some(preflight) = decision.preflight.request.as_ref().filter(|_| decision.preflight.sent) {
            let _ = write!(html, "<details{}><summary>The preflight it sends</summary><pre class=\"http\" data-role=\"preflight-http\">{}</pre></details>", if last { " open" } else { "" }, esc(&preflight.to_http()));
        }
        let _ = write!(html, "<details{}><summary>Every step ({})</summary>{}</details>", if last { " open" } else { "" }, trace.len(), steps(trace));
        if last {
            html.push_str(&cache_table(decision));
        }
    }
    html.push_str(&per_browser(&p.per_browser));
    html
}

/// The reality panel: which browser sent it (`running`, a sentence), what
/// happened, and whether the prediction agreed.
pub fn reality_panel(reality: &Reality, predicted: Option<&Expectation>, running: &str) -> String {
    format!(
        "<h2 id=\"reality-title\">Reality</h2><p class=\"hint\" data-role=\"running-browser\">{}</p>{}",
        esc(running),
        reality_body(reality, predicted)
    )
}

/// A decision in short: the verdict, the browsers' messages, the steps.
pub fn decision_summary(decision: &Decision, trace: &[Step]) -> String {
    decision_detail(decision, trace, false)
}

/// A decision: the verdict, the browsers' messages, the steps (shown at
/// once when `open`).
pub fn decision_detail(decision: &Decision, trace: &[Step], open: bool) -> String {
    let mut html = outcome_banner(decision);
    html.push_str(&messages(decision));
    let _ = write!(html, "<details{}><summary>Every step ({})</summary>{}</details>", if open { " open" } else { "" }, trace.len(), steps(trace));
    html
}

/// What happened, and whether the prediction agreed (no heading).
pub fn reality_body(reality: &Reality, predicted: Option<&Expectation>) -> String {
    let mut html = String::new();
    let _ = write!(html, "<p class=\"hint\">Sent to <code class=\"url\">{}</code></p>", esc(&reality.url));
    if reality.routed {
        html.push_str("<p class=\"hint\" data-role=\"routed\">The lab sends it through a route of the same server that answers as you composed (same origin: the browser decides alike); URLs show as you composed them.</p>");
    }
    let _ = write!(html, "<p class=\"banner {}\" data-role=\"reality-verdict\">{}</p>", if reality.outcome == "ok" { "pass" } else if reality.outcome == "opaque" { "info" } else { "fail" }, esc(&reality.describe()));
    if !reality.body.is_empty() {
        let _ = write!(html, "<p>Body: <code data-role=\"reality-body\">{}</code></p>", esc(&reality.body));
    }
    if let Some(log) = &reality.log {
        html.push_str("<p><strong>What the server received</strong> (its log for this run):</p><ol class=\"log\" data-role=\"server-log\">");
        if log.is_empty() {
            html.push_str("<li>nothing</li>");
        }
        for entry in log {
            let _ = write!(html, "<li>{}</li>", esc(entry));
        }
        html.push_str("</ol>");
    }
    if let Some(predicted) = predicted {
        html.push_str("<table class=\"agree\" data-role=\"agreement\"><caption>Prediction vs reality</caption><thead><tr><th scope=\"col\">Fact</th><th scope=\"col\">Predicted</th><th scope=\"col\">Observed</th><th scope=\"col\">Agree</th></tr></thead><tbody>");
        for (fact, p, o) in reality.facts(predicted) {
            let agree = match &o {
                Some(o) => {
                    if *o == p { "<span class=\"pass\" aria-label=\"agrees\">✔</span>" } else { "<span class=\"fail\" aria-label=\"disagrees\">✘</span>" }
                }
                None => "<span class=\"skip\" title=\"a page cannot see this; DevTools shows it\">–</span>",
            };
            let _ = write!(
                html,
                "<tr><th scope=\"row\">{}</th><td><code>{}</code></td><td><code>{}</code></td><td>{agree}</td></tr>",
                esc(fact),
                esc(&p),
                esc(o.as_deref().unwrap_or("not visible to the page")),
            );
        }
        html.push_str("</tbody></table>");
    }
    html
}

#[cfg(test)]
mod tests {
    use corslab::formats::scenario::ScenarioFile;
    use corslab::policy::PolicyConfig;

    use super::*;
    use crate::SERVER;
    use crate::predict::{call, curl_snippet, fetch_snippet, live_url, predict};

    const PAGE: &str = "http://localhost:5050";

    fn recorded(id: &str) -> Composition {
        let file = ScenarioFile::parse(include_str!("../../core/testdata/scenarios/recorded.json")).expect("scenarios");
        Composition::from_scenario(file.scenarios.iter().find(|s| s.id == id).expect("scenario"), Browser::Chrome)
    }

    /// The prediction panel and both snippets, as the page shows them.
    fn shown(c: &Composition) -> (String, String, String) {
        let (live, _) = live_url(c, PAGE, SERVER, "p4f2a");
        let p = predict(c, PAGE, &live);
        assert!(p.error.is_none(), "{:?}", p.error);
        let preflight = p.run.as_ref().and_then(|r| r.decisions.first()).and_then(|d| d.preflight.request.as_ref());
        let curl = curl_snippet(&call(c, &p.url), PAGE, preflight);
        (prediction_panel(c, &p), fetch_snippet(&call(c, &p.url)), curl)
    }

    fn assert_no_machinery(text: &str) {
        assert!(!text.contains("/replay/") && !text.contains("/policy/") && !text.contains("p4f2a"), "{text}");
    }

    #[test]
    fn a_preflighted_prediction_shows_the_composed_url_only() {
        let policy = Composition {
            server: ServerSetup::Policy { query: PolicyConfig::new().allow_origin("https://app.example.com").allow_method("PUT").to_query() },
            ..Composition::default()
        };
        for c in [Composition::default(), recorded("preflight-status-200-no-acao"), recorded("method-put-preflight"), policy] {
            let (panel, fetch, curl) = shown(&c);
            for text in [&panel, &fetch, &curl] {
                assert_no_machinery(text);
            }
            assert!(panel.contains("data-role=\"preflight-http\">OPTIONS /data HTTP/1.1"), "{}: {panel}", c.id);
            assert!(fetch.starts_with(&format!("await fetch(\"{SERVER}/data\"")), "{fetch}");
            assert!(curl.contains(&format!("curl -i -X OPTIONS '{SERVER}/data'")), "{curl}");
        }
        // A blocked request: both browsers' console lines name the composed URL.
        let (panel, _, _) = shown(&recorded("preflight-status-200-no-acao"));
        assert!(panel.contains(&format!("Access to fetch at &#39;{SERVER}/data&#39; from origin &#39;{PAGE}&#39;")), "{panel}");
        assert!(panel.contains(&format!("the remote resource at {SERVER}/data.")), "{panel}");
    }

    #[test]
    fn the_form_shows_the_clamped_repeat_that_is_sent() {
        let link = Composition { repeat: 1_000_000, ..Composition::default() }.to_fragment();
        let c = Composition::from_fragment(&link).expect("a composition");
        let html = request_panel(&c);
        assert_eq!(html.matches(" selected>").count(), 5, "mode, credentials, redirect, context, repeat: {html}");
        assert!(html.contains("<option value=\"3\" selected>three times</option>"), "{html}");
        assert_eq!(c.repeat, 3);
        let scenario = c.scenario().expect("scripted");
        assert_eq!(scenario.repeat(), 3);
    }

    #[test]
    fn the_add_button_is_disabled_at_the_row_limit() {
        let mut c = Composition::default();
        c.request.headers = (0..MAX_HEADER_ROWS).map(|i| (format!("X-{i}"), String::new())).collect();
        assert!(request_panel(&c).contains("data-rows=\"req-h\" disabled>Add header"));
        assert!(!request_panel(&Composition::default()).contains(" disabled>Add header"));
    }
}
