//! "Fix it in…": below the prediction, the server configuration that makes
//! the composed request pass, in each stack the core writes fixes for
//! (`corslab::fix::stacks`, the same text `corslab fix` writes and
//! `corslab test-fixes` runs on the real stacks), regenerated with every
//! prediction.
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
use corslab::fix::stacks::{AppOptions, GenerateError, Stack, generate};
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

/// The "Fix it in…" section for `stack`: a tab per stack, the chosen one's
/// entry file, its notes and how to run it, and a copy button.
pub fn section(c: &Composition, predicted: &Predicted, stack: Stack) -> String {
    let mut html = String::from("<h2 id=\"fix-title\">Fix it in…</h2>");
    let (policy, sentence) = match policy_for(c, predicted) {
        Ok(found) => found,
        Err(why) => {
            let _ = write!(html, "<p class=\"hint\" data-role=\"fix-none\">{}</p>", esc(&why));
            return html;
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
    let _ = write!(html, "</div><div role=\"tabpanel\" id=\"fix-panel\" aria-labelledby=\"fix-tab-{}\">", stack.as_str());
    match generate(stack, &policy, &AppOptions::default()) {
        Ok(app) => {
            let _ = write!(
                html,
                "<p><code>{entry}</code>, a whole runnable app (run it with <code>{run}</code>; tested on {versions}) <button type=\"button\" data-action=\"copy-fix\">Copy</button></p><pre class=\"snippet\" data-role=\"fix-snippet\">{text}</pre>",
                entry = esc(&app.entry),
                run = esc(&app.run),
                versions = esc(&versions(stack)),
                text = esc(app.entry_text()),
            );
            if !app.notes.is_empty() {
                html.push_str("<ul class=\"notes\">");
                for note in &app.notes {
                    let _ = write!(html, "<li>{}</li>", esc(note));
                }
                html.push_str("</ul>");
            }
        }
        Err(GenerateError::Unsupported { why, .. }) => {
            let _ = write!(html, "<p class=\"banner skip\" data-role=\"fix-unsupported\">{} cannot express this policy exactly:</p><ul>", esc(stack.title()));
            for reason in why {
                let _ = write!(html, "<li>{}</li>", esc(&reason));
            }
            html.push_str("</ul>");
        }
        Err(GenerateError::Invalid(errors)) => {
            let _ = write!(html, "<p class=\"banner skip\">The policy does not check out: {}</p>", esc(&errors.to_string()));
        }
    }
    html.push_str("<p class=\"hint\">Spring, ASP.NET Core and Go's rs/cors are not offered: they cannot be tested here at a current version, and CORS Lab writes no fix it has not run.</p></div>");
    html
}

/// The entry file's text for `stack`, as the tab shows it (for the copy
/// button).
pub fn snippet(c: &Composition, predicted: &Predicted, stack: Stack) -> Option<String> {
    let (policy, _) = policy_for(c, predicted).ok()?;
    generate(stack, &policy, &AppOptions::default()).ok().map(|app| app.entry_text().to_owned())
}

/// `express 5.3.0, cors 2.8.6` (nginx: the one Debian ships).
fn versions(stack: Stack) -> String {
    let packages = stack.packages();
    if packages.is_empty() {
        return "Debian's nginx".to_owned();
    }
    packages.iter().map(|(name, version)| format!("{name} {version}")).collect::<Vec<_>>().join(", ")
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
            let html = section(&c, &p, stack);
            assert!(html.contains("data-role=\"fix-snippet\""), "{stack}: {html}");
            assert!(html.contains(&format!("aria-selected=\"true\" aria-controls=\"fix-panel\">{}", esc(stack.title()))), "{stack}");
            let text = snippet(&c, &p, stack).expect("a snippet");
            assert!(text.contains("localhost:5050"), "{stack}: {text}");
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
        assert!(snippet(&c, &p, Stack::FastApi).expect("fastapi").contains(r"\.example\.com"));
    }

    #[test]
    fn a_same_origin_request_has_nothing_to_fix() {
        let mut c = Composition::default();
        c.request.mode = corslab::RequestMode::SameOrigin;
        let p = predicted(&c);
        let html = section(&c, &p, Stack::Express);
        assert!(html.contains("data-role=\"fix-none\""), "{html}");
    }
}
