//! "Fix it in…": below the prediction, the server configuration that makes
//! the composed request pass, in each stack the core writes fixes for
//! (`corslab::fix::stacks`, the same text `corslab fix` writes and
//! `corslab test-fixes` runs on the real stacks), regenerated with every
//! prediction. The page works out the policy; the companion server's
//! `/fix/{stack}` writes it out (the generators' text would be a fifth of
//! the page's weight).
//!
//! Which policy: with the companion server's policy mode, the composed
//! policy while it lets the request through (the policy, in your stack);
//! otherwise, and with scripted answers, the narrowest policy the request
//! needs (`corslab::fix::Needs`: its exact origin, its method, its
//! non-safelisted header names, credentials when it sends them, never a
//! wildcard), as `corslab check --fix` prints it.

use std::fmt::Write as _;

use corslab::Outcome;
use corslab::fix::Needs;
use std::cell::RefCell;

use corslab::fix::stacks::Stack;
use serde::Deserialize;
use corslab::policy::{CorsPolicy, PolicyConfig};

use crate::predict::Predicted;
use crate::state::{Composition, ServerSetup};
use crate::view::esc;

/// The policy the tabs write, and the sentence that says which one it is;
/// `Err` with why there is none.
pub fn policy_for(c: &Composition, predicted: &Predicted) -> Result<(PolicyConfig, &'static str), String> {
    if predicted.error.is_some() {
        return Err("Nothing to fix until the composition can be predicted.".to_owned());
    }
    let decision = predicted.run.as_ref().and_then(|run| run.last()).ok_or("No prediction yet.")?;
    let passes = matches!(decision.outcome, Outcome::Ok | Outcome::Opaque);
    if let ServerSetup::Policy { query } = &c.server
        && passes
        && let Ok(policy) = CorsPolicy::from_query(query)
    {
        return Ok((policy.config().clone(), "The composed policy lets this request through; here it is in each stack."));
    }
    let request = decision
        .redirected_request
        .as_ref()
        .or(decision.request.as_ref())
        .ok_or("The browser sends nothing for this composition: no server configuration changes that.")?;
    let needs = Needs::of(request, c.browser.profile())
        .ok_or("CORS does not apply to this request (same origin, or not mode cors): no server configuration changes what the page gets.")?;
    let sentence = if passes {
        "This request passes; the narrowest policy that lets it through (its origin, method and headers, nothing wider), in each stack:"
    } else {
        "The narrowest policy that lets this request through (its exact origin, method and headers, credentials if it sends them; never a wildcard), in each stack:"
    };
    Ok((needs.policy(), sentence))
}

/// What the companion server's `/fix/{stack}` answers.
#[derive(Clone, Debug, Deserialize)]
pub struct FixAnswer {
    /// The file with the CORS configuration.
    #[serde(default)]
    pub entry: Option<String>,
    /// How to run the app.
    #[serde(default)]
    pub run: Option<String>,
    /// The entry file's text.
    #[serde(default)]
    pub text: Option<String>,
    /// What the stack does differently, and what to keep in mind.
    #[serde(default)]
    pub notes: Vec<String>,
    /// `name version` of each package it is tested with.
    #[serde(default)]
    pub tested_with: Vec<String>,
    /// Why the stack cannot express the policy exactly.
    #[serde(default)]
    pub unsupported: Vec<String>,
}

thread_local! {
    /// The last answers, by URL: a re-render with the same policy asks the
    /// server nothing.
    static ANSWERS: RefCell<Vec<(String, FixAnswer)>> = const { RefCell::new(Vec::new()) };
}

/// The most answers kept.
const KEPT: usize = 12;

/// The URL of `stack`'s fix for `policy` on the companion server `server`.
pub fn fix_url(server: &str, stack: Stack, policy: &PolicyConfig) -> String {
    format!("{server}/fix/{}?{}", stack.as_str(), policy.to_query())
}

/// The answer for `url`, when the page has it.
pub fn known(url: &str) -> Option<FixAnswer> {
    ANSWERS.with(|answers| answers.borrow().iter().find(|(u, _)| u == url).map(|(_, a)| a.clone()))
}

/// Keeps `answer` for `url`.
pub fn keep(url: &str, answer: FixAnswer) {
    ANSWERS.with(|answers| {
        let mut answers = answers.borrow_mut();
        answers.retain(|(u, _)| u != url);
        if answers.len() >= KEPT {
            answers.remove(0);
        }
        answers.push((url.to_owned(), answer));
    });
}

/// The "Fix it in…" section for `stack`: a tab per stack and, in
/// `#fix-body`, the chosen one's fix when the page has it (see [`body`]);
/// with the URL to ask the companion server for it when not.
pub fn section(c: &Composition, predicted: &Predicted, stack: Stack, server: &str) -> (String, Option<String>) {
    let mut html = String::from("<h2 id=\"fix-title\">Fix it in…</h2>");
    let (policy, sentence) = match policy_for(c, predicted) {
        Ok(found) => found,
        Err(why) => {
            let _ = write!(html, "<p class=\"hint\" data-role=\"fix-none\">{}</p>", esc(&why));
            return (html, None);
        }
    };
    let _ = write!(html, "<p class=\"hint\">{}</p><div role=\"tablist\" aria-label=\"Server stack\" class=\"tabs\">", esc(sentence));
    for s in Stack::ALL {
        let chosen = s == stack;
        let _ = write!(
            html,
            "<button type=\"button\" role=\"tab\" id=\"fix-tab-{id}\" data-action=\"fix-tab\" data-stack=\"{id}\" aria-selected=\"{chosen}\" aria-controls=\"fix-panel\"{tabindex}>{title}</button>",
            id = s.as_str(),
            tabindex = if chosen { "" } else { " tabindex=\"-1\"" },
            title = esc(s.title()),
        );
    }
    let url = fix_url(server, stack, &policy);
    let answer = known(&url);
    let _ = write!(
        html,
        "</div><div role=\"tabpanel\" id=\"fix-panel\" aria-labelledby=\"fix-tab-{}\"><div id=\"fix-body\" aria-live=\"polite\">{}</div><p class=\"hint\">Spring, ASP.NET Core and Go's rs/cors are not offered: they cannot be tested here at a current version, and CORS Lab writes no fix it has not run.</p></div>",
        stack.as_str(),
        answer.as_ref().map_or_else(|| "<p class=\"hint\">Asking the companion server for the fix…</p>".to_owned(), |a| body(stack, a)),
    );
    (html, answer.is_none().then_some(url))
}

/// A fix as the tab shows it: the entry file, how to run it, its notes;
/// or why the stack cannot express the policy.
pub fn body(stack: Stack, answer: &FixAnswer) -> String {
    let mut html = String::new();
    match &answer.text {
        Some(text) => {
            let _ = write!(
                html,
                "<p><code>{entry}</code>, a whole runnable app (run it with <code>{run}</code>; tested on {versions}) <button type=\"button\" data-action=\"copy-fix\">Copy</button></p><pre class=\"snippet\" data-role=\"fix-snippet\">{text}</pre>",
                entry = esc(answer.entry.as_deref().unwrap_or_default()),
                run = esc(answer.run.as_deref().unwrap_or_default()),
                versions = esc(&if answer.tested_with.is_empty() { "Debian's nginx".to_owned() } else { answer.tested_with.join(", ") }),
                text = esc(text),
            );
            if !answer.notes.is_empty() {
                html.push_str("<ul class=\"notes\">");
                for note in &answer.notes {
                    let _ = write!(html, "<li>{}</li>", esc(note));
                }
                html.push_str("</ul>");
            }
        }
        None => {
            let _ = write!(html, "<p class=\"banner skip\" data-role=\"fix-unsupported\">{} cannot express this policy exactly:</p><ul>", esc(stack.title()));
            for reason in &answer.unsupported {
                let _ = write!(html, "<li>{}</li>", esc(reason));
            }
            html.push_str("</ul>");
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::{live_url, predict};

    const PAGE: &str = "http://localhost:5050";

    fn predicted(c: &Composition) -> Predicted {
        let (url, _) = live_url(c, PAGE, crate::SERVER, "t1");
        predict(c, PAGE, &url)
    }

    #[test]
    fn a_blocked_request_gets_the_narrowest_policy_in_every_stack() {
        let refusing = PolicyConfig::new().allow_origin("https://app.example.com").allow_method("PUT");
        let mut c = Composition { server: ServerSetup::Policy { query: refusing.to_query() }, ..Composition::default() };
        c.request.method = "PUT".to_owned();
        c.request.headers = vec![("X-Request-Id".to_owned(), "1".to_owned())];
        let p = predicted(&c);
        let (policy, sentence) = policy_for(&c, &p).expect("a policy");
        assert!(sentence.starts_with("The narrowest policy"), "{sentence}");
        assert_eq!(policy.origins, [PAGE]);
        assert_eq!(policy.methods, ["PUT"]);
        assert_eq!(policy.headers, ["x-request-id"]);
        for stack in Stack::ALL {
            let (html, ask) = section(&c, &p, stack, "http://localhost:8080");
            assert!(html.contains(&format!("aria-selected=\"true\" aria-controls=\"fix-panel\">{}", esc(stack.title()))), "{stack}");
            let url = ask.expect("the page asks the server");
            assert!(url.starts_with(&format!("http://localhost:8080/fix/{stack}?origin=")), "{url}");
            // Once answered, the tab shows it without asking again.
            keep(&url, FixAnswer { entry: Some("app.js".into()), run: Some("node app.js".into()), text: Some("x-request-id".into()), notes: vec![], tested_with: vec![], unsupported: vec![] });
            let (html, ask) = section(&c, &p, stack, "http://localhost:8080");
            assert!(ask.is_none() && html.contains("data-role=\"fix-snippet\">x-request-id"), "{stack}: {html}");
        }
    }

    #[test]
    fn a_passing_policy_is_written_as_composed() {
        let allowing = PolicyConfig::new().allow_origin("https://*.example.com").allow_origin(PAGE).allow_method("PUT");
        let mut c = Composition { server: ServerSetup::Policy { query: allowing.to_query() }, ..Composition::default() };
        c.request.method = "PUT".to_owned();
        c.request.headers.clear();
        let p = predicted(&c);
        let (policy, sentence) = policy_for(&c, &p).expect("a policy");
        assert!(sentence.starts_with("The composed policy"), "{sentence}");
        assert_eq!(policy.origins.len(), 2);
        assert!(policy.to_query().contains("example.com"));
    }

    #[test]
    fn a_same_origin_request_has_nothing_to_fix() {
        let mut c = Composition::default();
        c.request.mode = corslab::RequestMode::SameOrigin;
        let p = predicted(&c);
        let (html, ask) = section(&c, &p, Stack::Express, "http://localhost:8080");
        assert!(ask.is_none());
        assert!(html.contains("data-role=\"fix-none\""), "{html}");
    }
}
