//! Which browser the page itself runs in: reality is what *this* browser
//! did, so it is compared with this browser's prediction, and the reality
//! panel says which one that is.
//!
//! Read from `navigator.userAgent`, the one thing every engine reports:
//! Chromium's browsers (Chrome, Edge, Opera, Brave) carry `Chrome/` (or
//! `Chromium/`); Firefox carries `Firefox/` (and no `Chrome/`); Safari,
//! Epiphany and every iOS browser are WebKit, which writes `AppleWebKit/`
//! without `Chrome/` (iOS browsers say `CriOS/`, `FxiOS/` and `EdgiOS/` but
//! run WebKit, so they count as WebKit). Anything else gets no profile:
//! the panel then compares with the profile chosen above and says so.

use corslab::Browser;

/// The browser engine of a user agent string, and its product and version
/// as the string names them (`Firefox 153.8`), when it is one the core has
/// a profile for.
pub fn browser_of(user_agent: &str) -> Option<(Browser, String)> {
    let version_after = |token: &str| -> Option<String> {
        let at = user_agent.find(token)? + token.len();
        let version: String = user_agent[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        Some(version)
    };
    let named = |product: &str, token: &str| -> String {
        match version_after(token) {
            Some(v) if !v.is_empty() => format!("{product} {v}"),
            _ => product.to_owned(),
        }
    };
    // iOS: every browser is WebKit, whatever its name.
    for (token, product) in [("CriOS/", "Chrome for iOS (WebKit)"), ("FxiOS/", "Firefox for iOS (WebKit)"), ("EdgiOS/", "Edge for iOS (WebKit)")] {
        if user_agent.contains(token) {
            return Some((Browser::Webkit, named(product, token)));
        }
    }
    if user_agent.contains("Firefox/") && !user_agent.contains("Chrome/") {
        return Some((Browser::Firefox, named("Firefox", "Firefox/")));
    }
    if user_agent.contains("Chromium/") {
        return Some((Browser::Chrome, named("Chromium", "Chromium/")));
    }
    if user_agent.contains("Chrome/") {
        let product = if user_agent.contains("Edg/") {
            named("Edge (Chromium)", "Edg/")
        } else if user_agent.contains("HeadlessChrome/") {
            named("Chromium (headless)", "HeadlessChrome/")
        } else {
            named("Chrome", "Chrome/")
        };
        return Some((Browser::Chrome, product));
    }
    if user_agent.contains("AppleWebKit/") {
        let product = if user_agent.contains("Safari/") && user_agent.contains("Version/") {
            named("Safari", "Version/")
        } else {
            named("WebKit", "AppleWebKit/")
        };
        return Some((Browser::Webkit, product));
    }
    None
}

/// The browser this page runs in (`None` outside a browser, or for an
/// engine the core has no profile for).
pub fn this_browser() -> Option<(Browser, String)> {
    let user_agent = web_sys::window()?.navigator().user_agent().ok()?;
    browser_of(&user_agent)
}

/// The sentence the reality panel starts with: which browser sent the
/// request, and so which prediction reality is compared with.
pub fn compared_with(running: Option<&(Browser, String)>, chosen: Browser) -> String {
    match running {
        Some((browser, product)) => format!(
            "This page runs in {product}: reality is this browser's, compared with the {} prediction{}.",
            browser.profile().name,
            if *browser == chosen { String::new() } else { format!(" (the panel above shows {}'s)", chosen.profile().name) }
        ),
        None => format!(
            "This browser is none the core has a profile for (Chromium, Firefox, WebKit): reality is compared with the {} prediction chosen above.",
            chosen.profile().name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_name_their_engine() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", Browser::Chrome, "Chrome 156.0.0.0"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", Browser::Chrome, "Chromium (headless) 156.0.0.0"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Edg/156.0.0.0", Browser::Chrome, "Edge (Chromium) 156.0.0.0"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", Browser::Firefox, "Firefox 153.0"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15", Browser::Webkit, "Safari 26.0"),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)", Browser::Webkit, "WebKit 605.1.15"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/156.0 Mobile/15E148 Safari/604.1", Browser::Webkit, "Chrome for iOS (WebKit) 156.0"),
        ];
        for (user_agent, browser, product) in cases {
            assert_eq!(browser_of(user_agent), Some((browser, product.to_owned())), "{user_agent}");
        }
        assert_eq!(browser_of("curl/8.5.0"), None);
        assert_eq!(browser_of(""), None);
    }

    #[test]
    fn the_sentence_names_the_compared_prediction() {
        let firefox = (Browser::Firefox, "Firefox 153.0".to_owned());
        let text = compared_with(Some(&firefox), Browser::Chrome);
        assert!(text.starts_with("This page runs in Firefox 153.0: reality is this browser's, compared with the Firefox 153 prediction"), "{text}");
        assert!(text.contains("the panel above shows Chromium 156's"), "{text}");
        assert!(!compared_with(Some(&firefox), Browser::Firefox).contains("panel above"));
        assert!(compared_with(None, Browser::Webkit).contains("prediction chosen above"));
    }
}
