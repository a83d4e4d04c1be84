//! The seed article's server, as pure functions: a route without CORS, then
//! the three fixes (allow one origin, allow any origin, allow a list).
//!
//! The companion server answers its seed routes with these, and the explainer
//! predicts them with the same code: the rule lives here once.

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName};
use crate::origin::Origin;
use crate::fetch::response::ServerResponse;

/// The body every seed route answers, as in the article.
pub const HELLO: &str = "Hello from the server!";

/// One of the article's server variants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "kebab-case")]
pub enum ArticleRoute {
    /// `GET /`: no CORS headers at all; the browser blocks the page from
    /// reading the answer.
    NoCors,
    /// `/allow/origin`: `Access-Control-Allow-Origin` naming one origin,
    /// whatever origin asks.
    AllowOrigin(Origin),
    /// `/allow/any`: `Access-Control-Allow-Origin: *`.
    AllowAny,
    /// `/allow/list`: echoes the request's origin when it is listed, with
    /// `Vary: Origin` (always: the answer depends on the origin).
    AllowList(Vec<Origin>),
}

impl ArticleRoute {
    /// The route's path on the server.
    pub fn path(&self) -> &'static str {
        match self {
            ArticleRoute::NoCors => "/",
            ArticleRoute::AllowOrigin(_) => "/allow/origin",
            ArticleRoute::AllowAny => "/allow/any",
            ArticleRoute::AllowList(_) => "/allow/list",
        }
    }

    /// The answer to a `GET` carrying `Origin: request_origin` (or none).
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::policy::article::ArticleRoute;
    /// use corslab::Origin;
    ///
    /// let page = Origin::parse("http://localhost:5050").unwrap();
    /// let list = ArticleRoute::AllowList(vec![page.clone()]);
    /// let answer = list.answer(Some(&page));
    /// assert_eq!(answer.headers.get("access-control-allow-origin").as_deref(), Some("http://localhost:5050"));
    /// assert_eq!(answer.headers.get("vary").as_deref(), Some("Origin"));
    /// ```
    pub fn answer(&self, request_origin: Option<&Origin>) -> ServerResponse {
        let mut headers = HeaderList::new();
        headers.append(HeaderName::from_static("content-type"), "text/plain".to_owned());
        let allow = |headers: &mut HeaderList, value: String| {
            headers.append(HeaderName::from_static("access-control-allow-origin"), value);
        };
        match self {
            ArticleRoute::NoCors => {}
            ArticleRoute::AllowOrigin(origin) => allow(&mut headers, origin.to_string()),
            ArticleRoute::AllowAny => allow(&mut headers, "*".to_owned()),
            ArticleRoute::AllowList(list) => {
                // Caches must key on Origin whether or not this one is allowed.
                headers.append(HeaderName::from_static("vary"), "Origin".to_owned());
                if let Some(origin) = request_origin.filter(|o| !o.is_opaque() && list.contains(o)) {
                    allow(&mut headers, origin.to_string());
                }
            }
        }
        headers.append(HeaderName::from_static("content-length"), HELLO.len().to_string());
        ServerResponse { status: 200, headers, body: Some(HELLO.to_owned()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn article_routes_answer_as_the_article_says() {
        let page = Origin::parse("http://localhost:5050").ok();
        let other = Origin::parse("http://localhost:3000").ok();
        let acao = |r: &ServerResponse| r.headers.get("access-control-allow-origin");
        assert_eq!(acao(&ArticleRoute::NoCors.answer(page.as_ref())), None);
        assert_eq!(acao(&ArticleRoute::AllowAny.answer(page.as_ref())).as_deref(), Some("*"));
        let one = ArticleRoute::AllowOrigin(Origin::parse("http://localhost:5050").unwrap());
        assert_eq!(acao(&one.answer(other.as_ref())).as_deref(), Some("http://localhost:5050"));
        let list = ArticleRoute::AllowList(vec![Origin::parse("http://localhost:5050").unwrap()]);
        assert_eq!(acao(&list.answer(other.as_ref())), None);
        assert_eq!(list.answer(None).headers.get("vary").as_deref(), Some("Origin"));
        assert_eq!(ArticleRoute::AllowAny.answer(None).body.as_deref(), Some(HELLO));
    }
}
