//! The fetch's client: the context the page's `fetch()` runs in (the
//! top-level window, or an iframe of it) and the origin that context has,
//! which becomes the request's origin. A sandboxed iframe without
//! `allow-same-origin` and a `data:` iframe have an opaque origin, serialized
//! `null`; an `about:blank` iframe inherits the origin of the page that made it.
//!
//! <https://html.spec.whatwg.org/multipage/browsers.html#concept-origin-opaque>

use serde::{Deserialize, Serialize};

use crate::fetch::site::is_potentially_trustworthy;
use crate::origin::Origin;

/// Where the page runs the `fetch()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextKind {
    /// The top-level page itself.
    #[default]
    Window,
    /// `<iframe sandbox="allow-scripts">` of the page (no
    /// `allow-same-origin`): an opaque origin.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#sandboxed-origin-browsing-context-flag>
    SandboxedIframe,
    /// `<iframe src="data:text/html,...">`: an opaque origin.
    ///
    /// <https://html.spec.whatwg.org/multipage/document-lifecycle.html#initialise-the-document-object>
    DataIframe,
    /// `<iframe>` without `src` (`about:blank`): the creator's origin.
    ///
    /// <https://html.spec.whatwg.org/multipage/document-sequences.html#determining-the-origin>
    BlankIframe,
}

impl ContextKind {
    /// `window`, `sandboxed-iframe`, `data-iframe` or `blank-iframe`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::Window => "window",
            ContextKind::SandboxedIframe => "sandboxed-iframe",
            ContextKind::DataIframe => "data-iframe",
            ContextKind::BlankIframe => "blank-iframe",
        }
    }

    /// Whether a context of this kind has an opaque origin.
    pub fn is_opaque(self) -> bool {
        matches!(self, ContextKind::SandboxedIframe | ContextKind::DataIframe)
    }
}

/// The fetch's client: its kind, the top-level page's origin and its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Client {
    /// Where the `fetch()` runs.
    pub kind: ContextKind,
    /// The top-level page's origin.
    pub top_origin: Origin,
    /// The context's origin: the request's origin (opaque in a sandboxed or
    /// `data:` iframe).
    pub origin: Origin,
}

impl Client {
    /// The client of kind `kind` inside (or being) the page at `top`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::Origin;
    /// use corslab::fetch::client::{Client, ContextKind};
    ///
    /// let top = Origin::parse("http://localhost:5050").unwrap();
    /// assert_eq!(Client::new(ContextKind::SandboxedIframe, &top).origin.to_string(), "null");
    /// assert_eq!(Client::new(ContextKind::BlankIframe, &top).origin, top);
    /// ```
    pub fn new(kind: ContextKind, top: &Origin) -> Client {
        let origin = if kind.is_opaque() { Origin::Opaque } else { top.clone() };
        Client { kind, top_origin: top.clone(), origin }
    }

    /// The top-level page itself.
    pub fn window(top: &Origin) -> Client {
        Client::new(ContextKind::Window, top)
    }

    /// Whether the client is a [secure context](https://html.spec.whatwg.org/multipage/webappapis.html#secure-context):
    /// its creator chain ends at a potentially trustworthy top-level page (a
    /// sandboxed or `data:` iframe of a secure page is one too).
    pub fn is_secure_context(&self) -> bool {
        is_potentially_trustworthy(&self.top_origin)
    }
}
