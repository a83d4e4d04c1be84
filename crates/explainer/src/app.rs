//! The page: panels, one delegated listener per event type, and the state
//! they share. Inputs update the composition and re-predict at once; the
//! composition lives in the URL fragment, so reload and links restore it.

use std::cell::RefCell;
use std::rc::Rc;

use corslab::policy::{CorsPolicy, PolicyConfig};
use corslab::formats::scenario::{Scenario, ScenarioFile, ScenarioRequest, ScriptedResponse};
use serde::Deserialize;
use corslab::Browser;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::dom::{document, page_origin};
use crate::predict::{Predicted, call, curl_snippet, fetch_snippet, live_url, predict};
use crate::reality::{Sending, send_from};
use crate::state::{Composition, MAX_HEADER_ROWS, ServerSetup, Spaces};
use corslab::fetch::local_network::{AddressSpace, NetworkEnvironment};
use corslab::formats::scenario::Hop;
use crate::{SERVER, avoid, fixes, har, import, probe, tour, view, yours};
use corslab::fix::stacks::Stack;

include!(concat!(env!("OUT_DIR"), "/scenario_files.rs"));

/// The page's state.
#[derive(Debug)]
pub struct App {
    /// What the user composed.
    pub composition: Composition,
    /// The page's origin.
    pub page_origin: String,
    /// The run id of the next send (each send gets a fresh one).
    pub run_id: String,
    /// The last prediction.
    pub predicted: Option<Predicted>,
    /// The recorded scenarios, once loaded (they come next to the page, as
    /// `scenarios/*.json`, so the wasm stays small).
    pub recorded: Vec<Scenario>,
    /// What "your server" has found so far.
    pub yours: yours::Found,
    /// The "Fix it in…" tab shown.
    pub fix_stack: Stack,
}

/// Shared, single-threaded handle to the state.
pub type Shared = Rc<RefCell<App>>;

/// A fresh run id: unique per send, so no two sends share a preflight cache
/// entry or a log.
pub fn new_run_id() -> String {
    let random = (js_sys::Math::random() * 1e12) as u64;
    format!("p{random:x}")
}

fn by_id(document: &Document, id: &str) -> Option<Element> {
    document.get_element_by_id(id)
}

/// Replaces the content of the element `id` (keeping focus, see
/// [`replace_keeping_focus`]).
pub(crate) fn set_html(id: &str, html: &str) {
    if let Some(element) = document().ok().and_then(|d| by_id(&d, id)) {
        replace_keeping_focus(&element, html);
    }
}

/// Replaces `element`'s content; when the focus was inside it, puts it back
/// on the control with the same id, so a keyboard user does not land on the
/// page's body. The panels are split so that the controls which trigger a
/// re-render are not inside what they re-render; this is the safety net for
/// everything else (a field cut to its limit, say).
fn replace_keeping_focus(element: &Element, html: &str) {
    let Some(document) = element.owner_document() else { return };
    // Every control in the panels has an id (radios too: the one an arrow
    // key focuses is the checked one, and it comes back checked).
    let focused = document.active_element().filter(|a| a != element && element.contains(Some(a))).map(|a| a.id());
    element.set_inner_html(html);
    if let Some(target) = focused
        .filter(|id| !id.is_empty())
        .and_then(|id| document.get_element_by_id(&id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = target.focus();
    }
}

fn input_value(document: &Document, id: &str) -> String {
    let Some(element) = by_id(document, id) else { return String::new() };
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        return input.value();
    }
    if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        return select.value();
    }
    if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        return area.value();
    }
    String::new()
}

fn checked(document: &Document, id: &str) -> bool {
    by_id(document, id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// The header rows of the fieldset `prefix`, in order.
fn rows(document: &Document, prefix: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0.. {
        let Some(name) = by_id(document, &format!("{prefix}-n-{i}")) else { break };
        let value = input_value(document, &format!("{prefix}-v-{i}"));
        let name = name.dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
        out.push((name, value));
    }
    out
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Reads the two form panels into a composition.
fn read_form(document: &Document, previous: &Composition) -> Composition {
    let mut c = previous.clone();
    c.request.method = input_value(document, "req-method");
    // Not shown for your server (its URL is in the server panel): kept.
    if by_id(document, "req-path").is_some() {
        c.request.path = input_value(document, "req-path");
    }
    // The select's values are the modes' own names (`view::request_panel`).
    let mode = input_value(document, "req-mode");
    c.request.mode = view::MODES.into_iter().find(|m| m.as_str() == mode).unwrap_or(previous.request.mode);
    let credentials = input_value(document, "req-credentials");
    c.request.credentials =
        view::CREDENTIALS.into_iter().find(|m| m.as_str() == credentials).unwrap_or(previous.request.credentials);
    // Every count and size is clamped by the caller (`read_form_clamped`).
    if by_id(document, "req-redirect").is_some() {
        let redirect = input_value(document, "req-redirect");
        c.request.redirect = view::REDIRECTS.into_iter().find(|r| r.as_str() == redirect).unwrap_or(previous.request.redirect);
        let context = input_value(document, "req-context");
        c.request.context = view::CONTEXTS.into_iter().map(|(c, _)| c).find(|c| c.as_str() == context).unwrap_or(previous.request.context);
    }
    if by_id(document, "req-repeat").is_some() {
        c.repeat = input_value(document, "req-repeat").parse().unwrap_or(1);
    }
    c.request.headers = rows(document, "req-h");
    c.request.body = checked(document, "req-has-body").then(|| input_value(document, "req-body"));
    c.server = match &previous.server {
        ServerSetup::Scripted { .. } => {
            let status = |id: &str, default: u16| input_value(document, id).trim().parse().unwrap_or(default);
            let preflight = checked(document, "pre-on").then(|| ScriptedResponse {
                status: status("pre-status", 204),
                headers: rows(document, "pre-h"),
                body: None,
            });
            let body = input_value(document, "res-body");
            let response = ScriptedResponse {
                status: status("res-status", 200),
                headers: rows(document, "res-h"),
                body: (!body.is_empty()).then_some(body),
            };
            // The hops, in the order shown.
            c.hops = (1..=previous.hops.len())
                .map(|n| {
                    let previous_hop = &previous.hops[n - 1];
                    let user = input_value(document, &format!("hop{n}-user"));
                    Hop {
                        server_origin: input_value(document, &format!("hop{n}-at")),
                        path: input_value(document, &format!("hop{n}-path")),
                        userinfo: (!user.is_empty()).then_some(user),
                        preflight_response: checked(document, &format!("hop{n}-pre-on"))
                            .then(|| previous_hop.preflight_response.clone().or_else(|| preflight.clone()))
                            .flatten(),
                        response: Some(ScriptedResponse {
                            status: status(&format!("hop{n}-status"), 200),
                            headers: rows(document, &format!("hop{n}-h")),
                            body: previous_hop.response.as_ref().and_then(|r| r.body.clone()),
                        }),
                    }
                })
                .collect();
            c.spaces = checked(document, "env-on").then(|| {
                let space = |id: &str, default: AddressSpace| {
                    let value = input_value(document, id);
                    view::SPACES.into_iter().find(|s| s.as_str() == value).unwrap_or(default)
                };
                let was = previous.spaces.as_ref();
                Spaces {
                    page: space("env-page", was.map_or(AddressSpace::Public, |s| s.page)),
                    server: space("env-server", was.map_or(AddressSpace::Loopback, |s| s.server)),
                    grants: Spaces::GRANTS.iter().filter(|g| checked(document, &format!("env-grant-{g}"))).map(|g| (*g).to_owned()).collect(),
                }
            });
            ServerSetup::Scripted { preflight, response }
        }
        ServerSetup::Policy { .. } => {
            let max_age = input_value(document, "pol-max-age").trim().to_owned();
            let config = PolicyConfig {
                origins: split_list(&input_value(document, "pol-origins")),
                methods: split_list(&input_value(document, "pol-methods")),
                headers: split_list(&input_value(document, "pol-headers")),
                expose: split_list(&input_value(document, "pol-expose")),
                credentials: checked(document, "pol-credentials"),
                max_age: (!max_age.is_empty()).then_some(max_age),
            };
            ServerSetup::Policy { query: config.to_query() }
        }
        ServerSetup::Yours { .. } => {
            ServerSetup::yours(input_value(document, "yours-url"), input_value(document, "yours-origin"))
        }
    };
    c.id = "custom".to_owned();
    c
}

/// Adds a hop at the end of the chain, and makes the answer before it a
/// 307 to it (`Location: {hopN}`) unless it already redirects there.
pub fn add_hop(c: &mut Composition) {
    if c.hops.len() >= crate::state::MAX_PAGE_HOPS {
        return;
    }
    let n = c.hops.len() + 1;
    let ServerSetup::Scripted { preflight, response } = &mut c.server else { return };
    let before = if n == 1 { Some(response) } else { c.hops[n - 2].response.as_mut() };
    if let Some(before) = before {
        let location = format!("{{hop{n}}}");
        if !(300..400).contains(&before.status) {
            before.status = 307;
        }
        match before.headers.iter_mut().find(|(name, _)| name.eq_ignore_ascii_case("location")) {
            Some((_, value)) => *value = location,
            None => before.headers.push(("Location".to_owned(), location)),
        }
    }
    c.hops.push(Hop {
        server_origin: crate::second_origin(),
        path: format!("/hop{n}"),
        userinfo: None,
        preflight_response: preflight.clone(),
        response: Some(ScriptedResponse {
            status: 200,
            headers: vec![("Access-Control-Allow-Origin".to_owned(), "*".to_owned()), ("Content-Type".to_owned(), "text/plain".to_owned())],
            body: Some("ok".to_owned()),
        }),
    });
}

/// Reads the form, clamped; when the clamp changed anything (a pasted value
/// over a limit), re-renders the forms so what they show is what is sent.
fn read_form_clamped(document: &Document, app: &App) -> Composition {
    let read = read_form(document, &app.composition);
    let clamped = read.clone().clamped();
    if clamped != read {
        render_forms(&clamped, &policy_problems(&clamped));
    }
    clamped
}

/// The problems of the composed policy, as sentences.
fn policy_problems(c: &Composition) -> Vec<String> {
    match &c.server {
        ServerSetup::Policy { query } => match CorsPolicy::from_query(query) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        },
        ServerSetup::Scripted { .. } | ServerSetup::Yours { .. } => Vec::new(),
    }
}

/// Renders both form panels from `c`.
fn render_forms(c: &Composition, problems: &[String]) {
    set_html("request-panel", &view::request_panel(c));
    set_html("server-panel", &view::server_panel(c, problems));
}

/// Renders the server panel's answer only (its head, the preset select and
/// the kind switch, keeps its state and focus), and sets the switch to the
/// composition's kind; the request panel too when your server's coming or
/// going changes its fields (the path and the repeat are the companion
/// server's).
fn render_server_answer(app: &App) {
    let Ok(document) = document() else { return };
    if by_id(&document, "server-answer").is_none() {
        render_forms(&app.composition, &policy_problems(&app.composition));
        return;
    }
    set_html("server-answer", &view::server_answer(&app.composition, &policy_problems(&app.composition)));
    let kind = view::server_kind(&app.composition.server);
    for (value, _) in view::SERVER_KINDS {
        if let Some(radio) = by_id(&document, &format!("srv-kind-{value}")).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
            radio.set_checked(value == kind);
        }
    }
    if by_id(&document, "req-path").is_some() == app.composition.server.is_yours() {
        set_html("request-panel", &view::request_panel(&app.composition));
    }
}

/// The reality panel before a send (the companion server's modes).
const REALITY_HINT: &str = "<h2 id=\"reality-title\">Reality</h2><p class=\"hint\">Press <em>Send for real</em>: the browser sends it, and the server reports what it received.</p>";

/// Shows the actions of the composition's mode: "Check from your app" for
/// your server only, and what "Send for real" does.
fn sync_actions(yours: bool) {
    let Ok(document) = document() else { return };
    if let Some(check) = by_id(&document, "check-app") {
        let _ = if yours { check.remove_attribute("hidden") } else { check.set_attribute("hidden", "") };
    }
    if let Some(send) = by_id(&document, "send") {
        let label = if yours { "Send for real from this page" } else { "Send for real" };
        if send.text_content().as_deref() != Some(label) {
            send.set_text_content(Some(label));
        }
    }
}

/// Re-predicts and renders the prediction (its body only, when the profile
/// switch above it already shows the composition's profile); stores the
/// fragment. For your server there is no local prediction: the panel shows
/// the view from your app, and the reality panel the view from this page.
pub fn repredict(app: &mut App) {
    let yours = app.composition.server.is_yours();
    let predicted = if yours {
        yours::predicted(&app.composition)
    } else {
        let (url, notes) = live_url(&app.composition, &app.page_origin, SERVER, &app.run_id);
        let mut predicted = predict(&app.composition, &app.page_origin, &url);
        predicted.notes.extend(notes);
        predicted
    };
    let body = if yours { yours::from_app_body(app) } else { view::prediction_body(&predicted) };
    let switch_agrees = document().is_ok_and(|d| {
        d.get_element_by_id("prediction-body").is_some() && input_checked_value(&d, "profile") == app.composition.browser.as_str()
    });
    if switch_agrees {
        set_html("prediction-body", &body);
    } else {
        set_html("prediction", &format!("{}<div id=\"prediction-body\">{body}</div>", view::prediction_head(&app.composition)));
    }
    if let Some(title) = document().ok().and_then(|d| by_id(&d, "prediction-title")) {
        title.set_text_content(Some(if yours { "From your app" } else { "Prediction" }));
    }
    sync_actions(yours);
    render_fixes(app.fix_stack, &app.composition, (!yours).then_some(&predicted));
    app.predicted = Some(predicted);
    if yours {
        yours::render(app);
    } else {
        app.yours.forget_shown();
    }
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&app.composition.to_fragment()));
        }
}

/// Renders the "Fix it in…" section for `stack` (hidden for your server,
/// whose fix the check from your app prints).
fn render_fixes(stack: Stack, c: &Composition, predicted: Option<&Predicted>) {
    let Ok(document) = document() else { return };
    let Some(section) = by_id(&document, "fix") else { return };
    match predicted {
        Some(predicted) => {
            let _ = section.remove_attribute("hidden");
            let (html, ask) = fixes::section(c, predicted, stack, SERVER);
            replace_keeping_focus(&section, &html);
            if let Some(url) = ask {
                wasm_bindgen_futures::spawn_local(async move { fetch_fix(stack, url).await });
            }
        }
        None => {
            let _ = section.set_attribute("hidden", "");
        }
    }
}

/// Asks the companion server for `stack`'s fix at `url`, and shows it in
/// the tab if that is still the one asked for.
async fn fetch_fix(stack: Stack, url: String) {
    let answer = match crate::net::get_text(&url).await {
        Some(text) => crate::json::parse::<fixes::FixAnswer>(&text).ok(),
        None => None,
    };
    let Some(answer) = answer else {
        set_html("fix-body", "<p class=\"banner skip\" data-role=\"fix-unreachable\">The companion server did not answer: its <code>/fix/</code> route writes the fix (<code>corslab fix</code> writes the same from the command line).</p>");
        return;
    };
    fixes::keep(&url, answer.clone());
    // Still the tab shown? (The user may have moved on.)
    let shown = document().ok().and_then(|d| by_id(&d, &format!("fix-tab-{stack}"))).and_then(|t| t.get_attribute("aria-selected"));
    if shown.as_deref() == Some("true") {
        set_html("fix-body", &fixes::body(stack, &answer));
    }
}

/// The preset compositions of the server panel.
fn preset(name: &str, page_origin: &str, current: &Composition) -> Option<ServerSetup> {
    let h = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    let acao = h("Access-Control-Allow-Origin", "{origin}");
    let ok = |headers: Vec<(String, String)>| ScriptedResponse { status: 200, headers, body: Some("ok".to_owned()) };
    let allowed_headers: Vec<String> = current.request.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    let allow_preflight = |extra: Vec<(String, String)>| {
        let mut headers = vec![acao.clone(), h("Access-Control-Allow-Methods", &current.request.method)];
        if !allowed_headers.is_empty() {
            headers.push(h("Access-Control-Allow-Headers", &allowed_headers.join(", ")));
        }
        headers.extend(extra);
        Some(ScriptedResponse { status: 204, headers, body: None })
    };
    let policy = |config: PolicyConfig| ServerSetup::Policy { query: config.to_query() };
    let this_origin = |config: PolicyConfig| {
        let mut config = config.allow_origin(page_origin).allow_method(current.request.method.clone());
        for name in &allowed_headers {
            config = config.allow_header(name.clone());
        }
        config
    };
    Some(match name {
        "allow" => ServerSetup::Scripted { preflight: allow_preflight(Vec::new()), response: ok(vec![acao.clone(), h("Content-Type", "text/plain")]) },
        "no-cors" => ServerSetup::Scripted { preflight: None, response: ok(vec![h("Content-Type", "text/plain")]) },
        "preflight-no-acao" => ServerSetup::Scripted {
            preflight: Some(ScriptedResponse { status: 204, headers: vec![h("Access-Control-Allow-Methods", &current.request.method)], body: None }),
            response: ok(vec![acao.clone()]),
        },
        "wildcard-credentials" => ServerSetup::Scripted {
            preflight: Some(ScriptedResponse {
                status: 204,
                headers: vec![h("Access-Control-Allow-Origin", "*"), h("Access-Control-Allow-Credentials", "true"), h("Access-Control-Allow-Methods", "*"), h("Access-Control-Allow-Headers", "*")],
                body: None,
            }),
            response: ok(vec![h("Access-Control-Allow-Origin", "*"), h("Access-Control-Allow-Credentials", "true")]),
        },
        "max-age" => ServerSetup::Scripted {
            preflight: allow_preflight(vec![h("Access-Control-Max-Age", "600")]),
            response: ok(vec![acao.clone(), h("Content-Type", "text/plain")]),
        },
        "policy-this-origin" => policy(this_origin(PolicyConfig::new())),
        "policy-any" => policy({
            let mut config = PolicyConfig::new().allow_origin("*").allow_method(current.request.method.clone());
            for name in &allowed_headers {
                config = config.allow_header(name.clone());
            }
            config
        }),
        "policy-list" => policy(this_origin(PolicyConfig::new().allow_origin("https://app.example.com"))),
        _ => return None,
    })
}

/// Loads a composition into the page: forms, prediction, no reality yet.
pub fn load(shared: &Shared, composition: Composition) {
    let mut app = shared.borrow_mut();
    app.composition = composition.clamped();
    app.run_id = new_run_id();
    app.yours.clear_results();
    render_forms(&app.composition, &policy_problems(&app.composition));
    if !app.composition.server.is_yours() {
        set_html("reality", REALITY_HINT);
    }
    repredict(&mut app);
}

/// Builds the page inside `root`.
pub fn mount(root: &Element) -> Result<Shared, JsValue> {
    let page_origin = page_origin()?;
    root.set_inner_html(&skeleton());
    let fragment = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let composition = Composition::from_fragment(&fragment).unwrap_or_default();
    let shared: Shared =
        Rc::new(RefCell::new(App {
        composition,
        page_origin,
        run_id: new_run_id(),
        predicted: None,
        recorded: Vec::new(),
        yours: yours::Found::default(),
        fix_stack: Stack::Express,
    }));
    let initial = shared.borrow().composition.clone();
    load(&shared, initial);
    tour::render(&shared);
    avoid::render();
    {
        let shared = shared.clone();
        wasm_bindgen_futures::spawn_local(async move { load_recorded(&shared).await });
    }

    let on_click = {
        let shared = shared.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| on_click(&shared, &event))
    };
    root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    let on_input = {
        let shared = shared.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| on_input(&shared, &event))
    };
    root.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref())?;
    root.add_event_listener_with_callback("change", on_input.as_ref().unchecked_ref())?;
    // Attached once, for the life of the page.
    on_click.forget();
    on_input.forget();
    Ok(shared)
}

/// What the page reads of a recorded scenario file: what a composition
/// takes from each scenario ([`Composition::from_scenario`]). Its recorded
/// expectations are not read: a composition has none (and the wasm then
/// carries no reader for them).
#[derive(Deserialize)]
struct RecordedFile {
    format: String,
    scenarios: Vec<Recorded>,
}

/// One scenario, as [`RecordedFile`] reads it.
#[derive(Deserialize)]
struct Recorded {
    id: String,
    #[serde(default)]
    note: Option<String>,
    request: ScenarioRequest,
    #[serde(default)]
    repeat: Option<u32>,
    #[serde(default)]
    preflight_response: Option<ScriptedResponse>,
    response: ScriptedResponse,
    #[serde(default)]
    hops: Vec<Hop>,
    #[serde(default)]
    environment: RecordedEnvironment,
}

/// What the page reads of a scenario's `environment`: the address spaces
/// and the grants (the browsers' prefs and switches are verify's).
#[derive(Default, Deserialize)]
struct RecordedEnvironment {
    #[serde(default)]
    address_space: corslab::SortedMap<String, AddressSpace>,
    #[serde(default)]
    grant: Vec<String>,
}

/// The scenarios of a recorded file's JSON text as the page reads them
/// (without their hops, environment and expectations), once the core has
/// checked the file (its format, unique ids); `None` for anything else.
pub fn recorded_scenarios(text: &str) -> Option<Vec<Scenario>> {
    let file: RecordedFile = crate::json::parse(text).ok()?;
    let scenarios = file
        .scenarios
        .into_iter()
        .map(|r| Scenario {
            id: r.id,
            note: r.note,
            request: r.request,
            repeat: r.repeat,
            preflight_response: r.preflight_response,
            response: r.response,
            hops: r.hops,
            environment: NetworkEnvironment { address_space: r.environment.address_space, grant: r.environment.grant, ..Default::default() },
            expect: Default::default(),
        })
        .collect();
    let file = ScenarioFile { format: file.format, recorded_with: Default::default(), scenarios };
    Some(file.checked().ok()?.scenarios)
}

/// Fetches the recorded scenario files and fills the list.
async fn load_recorded(shared: &Shared) {
    let mut scenarios = Vec::new();
    for name in SCENARIO_FILES {
        if let Some(text) = crate::net::get_text(&format!("scenarios/{name}")).await
            && let Some(file) = recorded_scenarios(&text) {
                scenarios.extend(file);
            }
    }
    let mut options = String::from("<option value=\"\">Choose a recorded scenario…</option>");
    for scenario in &scenarios {
        options.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            view::esc(&scenario.id),
            view::esc(&format!("{} — {}", scenario.id, scenario.note.as_deref().unwrap_or_default()))
        ));
    }
    if scenarios.is_empty() {
        options = "<option value=\"\">No recorded scenarios next to this page</option>".to_owned();
    }
    set_html("recorded-select", &options);
    shared.borrow_mut().recorded = scenarios;
}

fn skeleton() -> String {
    let recorded = "<option value=\"\">Loading the recorded scenarios…</option>";
    format!(
        "<p class=\"origins\"><span id=\"page-origin\">This page: {page}</span> · <span id=\"server-origin\">Server: {SERVER}</span></p>\
<section id=\"tour\" aria-labelledby=\"tour-title\"></section>\
<section id=\"import\" aria-labelledby=\"import-title\">{import}</section>\
<section id=\"lab\" aria-labelledby=\"lab-title\"><h2 id=\"lab-title\">Compose a request</h2>\
<div class=\"recorded\"><label for=\"recorded-select\">Recorded scenarios (what Chromium and Firefox really did)</label><select id=\"recorded-select\">{recorded}</select></div>\
<div class=\"grid\"><form id=\"request-panel\" aria-labelledby=\"request-title\" onsubmit=\"return false\"></form><form id=\"server-panel\" aria-labelledby=\"server-title\" onsubmit=\"return false\"></form></div>\
<div class=\"actions\"><button type=\"button\" class=\"primary\" data-action=\"check-app\" id=\"check-app\" hidden>Check from your app</button><button type=\"button\" class=\"primary\" data-action=\"send\" id=\"send\">Send for real</button><button type=\"button\" data-action=\"copy-fetch\">Copy as fetch()</button><button type=\"button\" data-action=\"copy-curl\">Copy as curl</button><button type=\"button\" data-action=\"share\">Copy link</button><span id=\"status\" role=\"status\" aria-live=\"polite\"></span></div>\
<pre id=\"snippet\" class=\"snippet\" hidden></pre>\
<div class=\"grid\"><section id=\"prediction\" aria-labelledby=\"prediction-title\"></section><section id=\"reality\" aria-labelledby=\"reality-title\"></section></div>\
<section id=\"fix\" aria-labelledby=\"fix-title\"></section></section>\
<section id=\"avoid\" aria-labelledby=\"avoid-title\"></section>",
        page = view::esc(&page_origin().unwrap_or_default()),
        import = import::skeleton(),
    )
}

fn target_element(event: &Event) -> Option<Element> {
    event.target().and_then(|t| t.dyn_into::<Element>().ok())
}

fn on_click(shared: &Shared, event: &Event) {
    let Some(button) = target_element(event).and_then(|e| e.closest("[data-action]").ok().flatten()) else { return };
    let action = button.get_attribute("data-action").unwrap_or_default();
    let Ok(document) = document() else { return };
    match action.as_str() {
        "import-text" => {
            let text = input_value(&document, "import-text");
            let base = shared.borrow().composition.clone();
            match import::read_text(&text, &base) {
                Ok(import::Pasted::Copied { composition, html }) => {
                    load(shared, composition);
                    set_html("import-result", &html);
                    set_status("Read the copied request: the lab points at its server.");
                }
                Ok(import::Pasted::Console { composition, html }) => {
                    if let Some(composition) = composition {
                        load(shared, composition);
                    }
                    set_html("import-result", &html);
                    set_status("Read the console line.");
                }
                Err(html) => set_html("import-result", &html),
            }
        }
        "add-hop" | "remove-hop" => {
            let mut app = shared.borrow_mut();
            let mut c = read_form_clamped(&document, &app);
            if action == "add-hop" {
                add_hop(&mut c);
            } else if let Some(index) = button.get_attribute("data-index").and_then(|i| i.parse::<usize>().ok())
                && index < c.hops.len()
            {
                c.hops.remove(index);
            }
            app.composition = c.clamped();
            render_forms(&app.composition, &policy_problems(&app.composition));
            repredict(&mut app);
            if let Some(element) = by_id(&document, "add-hop").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.focus();
            }
        }
        "fix-tab" => {
            let Some(stack) = button.get_attribute("data-stack").and_then(|s| s.parse::<Stack>().ok()) else { return };
            let mut app = shared.borrow_mut();
            app.fix_stack = stack;
            render_fixes(stack, &app.composition, app.predicted.as_ref().filter(|_| !app.composition.server.is_yours()));
            if let Some(tab) = by_id(&document, &format!("fix-tab-{stack}")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = tab.focus();
            }
        }
        "copy-fix" => {
            let app = shared.borrow();
            let text = app
                .predicted
                .as_ref()
                .and_then(|p| fixes::policy_for(&app.composition, p).ok())
                .and_then(|(policy, _)| fixes::known(&fixes::fix_url(SERVER, app.fix_stack, &policy)))
                .and_then(|answer| answer.text);
            if let Some(text) = text {
                copy_to_clipboard(&text);
            }
        }
        "add-row" | "remove-row" => {
            let prefix = button.get_attribute("data-rows").unwrap_or_default();
            let mut app = shared.borrow_mut();
            let mut c = read_form_clamped(&document, &app);
            let list = match (prefix.as_str(), &mut c.server) {
                ("req-h", _) => Some(&mut c.request.headers),
                ("pre-h", ServerSetup::Scripted { preflight: Some(p), .. }) => Some(&mut p.headers),
                ("res-h", ServerSetup::Scripted { response, .. }) => Some(&mut response.headers),
                (hop, ServerSetup::Scripted { .. }) if hop.starts_with("hop") => hop
                    .strip_prefix("hop")
                    .and_then(|rest| rest.strip_suffix("-h"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| c.hops.get_mut(n.checked_sub(1)?))
                    .map(|hop| &mut hop.response.get_or_insert_with(|| ScriptedResponse { status: 200, headers: Vec::new(), body: None }).headers),
                _ => None,
            };
            let Some(list) = list else { return };
            let focus_index = if action == "add-row" {
                // The button is disabled at the limit; this keeps it so.
                if list.len() < MAX_HEADER_ROWS {
                    list.push((String::new(), String::new()));
                }
                list.len().saturating_sub(1)
            } else {
                let index: usize = button.get_attribute("data-index").and_then(|i| i.parse().ok()).unwrap_or(usize::MAX);
                if index < list.len() {
                    list.remove(index);
                }
                index.saturating_sub(1)
            };
            app.composition = c.clamped();
            render_forms(&app.composition, &policy_problems(&app.composition));
            repredict(&mut app);
            // The new (or previous) row's name; with no rows left, the add button.
            let focus = by_id(&document, &format!("{prefix}-n-{focus_index}"))
                .or_else(|| document.query_selector(&format!("[data-rows=\"{prefix}\"] button")).ok().flatten());
            if let Some(element) = focus.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.focus();
            }
        }
        "send" => {
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move { send_composition(&shared).await });
        }
        "check-app" => {
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move { yours::check_from_app(&shared).await });
        }
        "copy-fetch" | "copy-curl" | "share" => {
            let app = shared.borrow();
            let text = match action.as_str() {
                "share" => web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default(),
                "copy-fetch" => app.predicted.as_ref().map(|p| fetch_snippet(&call(&app.composition, &p.url))).unwrap_or_default(),
                // Your server: the request from your app's origin, and the
                // preflight the selected profile sends first.
                _ if app.composition.server.is_yours() => match yours::app_check(&app.composition) {
                    Ok(check) => curl_snippet(&check.call, &check.page.to_string(), probe::preflight_of(&check, app.composition.browser).as_ref()),
                    Err(e) => format!("# nothing to copy: {e}\n"),
                },
                _ => app
                    .predicted
                    .as_ref()
                    .map(|p| {
                        let preflight = p.run.as_ref().and_then(|r| r.decisions.first()).and_then(|d| d.preflight.request.as_ref());
                        curl_snippet(&call(&app.composition, &p.url), &app.page_origin, preflight)
                    })
                    .unwrap_or_default(),
            };
            if let Some(snippet) = by_id(&document, "snippet") {
                snippet.set_text_content(Some(&text));
                let _ = snippet.remove_attribute("hidden");
            }
            copy_to_clipboard(&text);
            let what = match action.as_str() {
                "share" => "link",
                "copy-fetch" => "fetch() call",
                _ => "curl commands",
            };
            set_status(&format!("Copied the {what} (shown below)."));
        }
        "tour" => {
            let step: usize = button.get_attribute("data-step").and_then(|s| s.parse().ok()).unwrap_or(0);
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move { tour::run_step(&shared, step).await });
        }
        "avoid" => {
            let demo = button.get_attribute("data-demo").unwrap_or_default();
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move { avoid::run_demo(&shared, &demo).await });
        }
        _ => {}
    }
}

fn on_input(shared: &Shared, event: &Event) {
    let Some(target) = target_element(event) else { return };
    let id = target.id();
    let name = target.get_attribute("name").unwrap_or_default();
    let Ok(document) = document() else { return };
    if id == "import-file" {
        if event.type_() == "change"
            && let Some(file) = target.dyn_ref::<HtmlInputElement>().and_then(HtmlInputElement::files).and_then(|files| files.get(0))
        {
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move { read_har_file(&shared, file).await });
        }
        return;
    }
    if id == "import-har-select" {
        if event.type_() != "change" {
            return;
        }
        let index: Option<usize> = input_value(&document, "import-har-select").parse().ok();
        let browser = shared.borrow().composition.browser;
        if let Some((composition, html)) = index.and_then(|i| har::pick(i, browser)) {
            set_html("import-har-request", &html);
            if let Some(composition) = composition {
                load(shared, composition);
            }
        }
        return;
    }
    if id == "import-text" {
        return;
    }
    if id == "recorded-select" {
        let value = input_value(&document, "recorded-select");
        let browser = shared.borrow().composition.browser;
        // Built while borrowed, so no scenario is cloned (a clone of its
        // maps weighs in the wasm).
        let composition = shared.borrow().recorded.iter().find(|s| s.id == value).map(|s| Composition::from_scenario(s, browser));
        if let Some(composition) = composition {
            load(shared, composition);
            set_status(&format!("Loaded the recorded scenario {value}."));
        }
        return;
    }
    // Radios and selects that change the panels' shape act on "change".
    if event.type_() == "input" && (name == "profile" || name == "srv-kind" || id == "srv-preset") {
        return;
    }
    let mut app = shared.borrow_mut();
    if name == "profile" {
        app.composition.browser = input_checked_value(&document, "profile").parse().unwrap_or(Browser::Chrome);
        repredict(&mut app);
        return;
    }
    let mut c = read_form_clamped(&document, &app);
    let was_yours = c.server.is_yours();
    if was_yours {
        app.yours.setup = Some(c.server.clone());
    }
    if name == "srv-kind" {
        let page = app.page_origin.clone();
        let server = match input_checked_value(&document, "srv-kind").as_str() {
            "policy" => preset("policy-this-origin", &page, &c),
            "yours" => Some(app.yours.setup.clone().unwrap_or_else(yours::default_setup)),
            _ => preset("allow", &page, &c),
        };
        c.server = server.unwrap_or(c.server);
        app.composition = c.clamped();
        // The switch keeps focus: only the answer below it is re-rendered.
        render_server_answer(&app);
        left_yours(&app, was_yours);
        // The preset no longer describes the server.
        if let Some(select) = by_id(&document, "srv-preset").and_then(|e| e.dyn_into::<HtmlSelectElement>().ok()) {
            select.set_value("");
        }
        repredict(&mut app);
        return;
    }
    if id == "srv-preset" {
        let value = input_value(&document, "srv-preset");
        let page = app.page_origin.clone();
        if let Some(server) = preset(&value, &page, &c) {
            c.server = server;
            app.composition = c.clamped();
            // The select keeps focus and its value, so the arrow keys go on
            // from this preset: only the answer below it is re-rendered.
            render_server_answer(&app);
            left_yours(&app, was_yours);
            repredict(&mut app);
        }
        return;
    }
    if id == "req-has-body"
        && let Some(area) = by_id(&document, "req-body").and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok()) {
            area.set_disabled(!checked(&document, "req-has-body"));
        }
    let problems_before = policy_problems(&app.composition);
    let notes_before = yours::notes_html(&app.composition);
    app.composition = c;
    if app.composition.server.is_yours() {
        // The URL's and the origin's problems, without moving focus out of
        // the field (and announced only when they change).
        let notes = yours::notes_html(&app.composition);
        if notes != notes_before {
            set_html("yours-notes", &notes);
        }
    }
    if policy_problems(&app.composition) != problems_before {
        // Re-render the problem list without moving focus out of the field.
        if let Some(list) = document.query_selector("#server-panel .problems").ok().flatten() {
            list.remove();
        }
        if let Some(fieldset) = document.query_selector("#server-panel fieldset.answer").ok().flatten() {
            let problems = policy_problems(&app.composition);
            if !problems.is_empty() {
                let items: String = problems.iter().map(|p| format!("<li>{}</li>", view::esc(p))).collect();
                let _ = fieldset.insert_adjacent_html("beforeend", &format!("<ul class=\"problems\" role=\"alert\">{items}</ul>"));
            }
        }
    }
    repredict(&mut app);
}

/// After the server's kind changed: when it was your server and is no more,
/// the reality panel goes back to the companion server's.
fn left_yours(app: &App, was_yours: bool) {
    if was_yours && !app.composition.server.is_yours() {
        set_html("reality", REALITY_HINT);
    }
}

fn input_checked_value(document: &Document, name: &str) -> String {
    document
        .query_selector(&format!("input[name=\"{name}\"]:checked"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Reads a HAR file the user chose: whole, as the File API gives it, so one
/// bigger than [`har::MAX_HAR_BYTES`] is refused unread.
pub async fn read_har_file(shared: &Shared, file: web_sys::File) {
    let size = file.size();
    if size > har::MAX_HAR_BYTES {
        set_html(
            "import-result",
            &format!(
                "<p class=\"banner skip\" data-role=\"import-har-error\">{} is {} MB: the page reads HAR files up to 50 MB (the browser hands a file over whole). <code>corslab har FILE.har</code> streams any size.</p>",
                view::esc(&file.name()),
                // Whole megabytes: an integer (a float's `Display` would
                // link Rust's float formatter into the page).
                (size / 1_048_576.0).round() as u64
            ),
        );
        return;
    }
    set_html("import-result", "<p class=\"hint\">Reading the HAR…</p>");
    let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await else {
        set_html("import-result", "<p class=\"banner fail\" data-role=\"import-har-error\">The browser could not read that file.</p>");
        return;
    };
    let browser = shared.borrow().composition.browser;
    #[cfg(target_arch = "wasm32")]
    let html = har::read_js(&text, browser);
    #[cfg(not(target_arch = "wasm32"))]
    let html = har::read_text(&text.as_string().unwrap_or_default(), browser);
    set_html("import-result", &html);
}

/// Shows a short status line.
pub fn set_status(text: &str) {
    if let Some(status) = document().ok().and_then(|d| by_id(&d, "status")) {
        status.set_text_content(Some(text));
    }
}

fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let promise = window.navigator().clipboard().write_text(text);
        // Refused in some contexts (no focus, insecure origin): the snippet
        // is on the page anyway.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// Sends the composed request for real and renders what happened (for
/// your server: from this page, beside the check for this page's origin).
pub async fn send_composition(shared: &Shared) {
    if shared.borrow().composition.server.is_yours() {
        yours::send_from_page(shared).await;
        return;
    }
    let (call, shown_url, repeat, log_url, expected) = {
        let mut app = shared.borrow_mut();
        // A fresh run: its own URL, its own (empty) log and preflight cache.
        app.run_id = new_run_id();
        repredict(&mut app);
        let Some(predicted) = app.predicted.as_ref() else { return };
        if predicted.error.is_some() {
            set_status("Nothing to send: fix the composition first.");
            return;
        }
        let log_url = format!("{SERVER}/log/{}", app.run_id);
        // Reality is this browser's: compared with this browser's
        // prediction (the chosen profile's when the core has none for it).
        let running = crate::running::this_browser();
        let expected = running.as_ref().map_or(app.composition.browser, |(browser, _)| *browser);
        let expectation = predicted.per_browser.iter().find(|(b, _)| *b == expected).map(|(_, e)| e.clone());
        let sentence = crate::running::compared_with(running.as_ref(), app.composition.browser);
        // Sent to the live URL; shown at the composed one.
        let sending = Sending { redirect: app.composition.request.redirect, context: app.composition.request.context };
        (call(&app.composition, &predicted.live_url), predicted.url.clone(), app.composition.repeat, log_url, (expectation, sentence, sending))
    };
    let (expected, mut sentence, sending) = expected;
    if shared.borrow().composition.spaces.is_some() {
        sentence.push_str(" Local Network Access is predicted only: this browser classifies the addresses itself (under make run, all loopback).");
    }
    set_status("Sending…");
    let reality = send_from(&call, sending, &shown_url, repeat, Some(&log_url)).await;
    set_html("reality", &view::reality_panel(&reality, expected.as_ref(), &sentence));
    let agrees = expected.as_ref().is_some_and(|e| reality.agrees_with(e));
    set_status(if agrees { "Sent: reality agrees with the prediction." } else { "Sent: see where reality and the prediction differ." });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_reads_every_recorded_file_as_the_core_does() {
        for text in [
            include_str!("../../core/testdata/scenarios/recorded.json"),
            include_str!("../../core/testdata/scenarios/frontier.json"),
        ] {
            let core = ScenarioFile::parse(text).expect("a scenario file").scenarios;
            let page = recorded_scenarios(text).expect("the page reads it");
            // The page reads no expectations, nor the browsers' prefs and
            // switches (verify's).
            let without = |s: &Scenario| Scenario {
                environment: NetworkEnvironment {
                    address_space: s.environment.address_space.clone(),
                    grant: s.environment.grant.clone(),
                    ..Default::default()
                },
                expect: Default::default(),
                ..s.clone()
            };
            assert_eq!(page, core.iter().map(without).collect::<Vec<_>>());
        }
        assert_eq!(recorded_scenarios(r#"{"format": "cors-scenarios/9", "scenarios": []}"#), None);
        assert_eq!(recorded_scenarios("not json"), None);
    }
}
