//! Sends one [`WireRequest`] exactly as written (its headers, in order, and
//! nothing else) over HTTP/1.1, plain or TLS, and reads the answer within
//! bounds: a time limit per exchange, a body limit, one connection per
//! request (as a fresh browser profile would open).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use corslab::fetch::wire::{WireRequest, WireResponse};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::{NetError, tls};

/// The default time one exchange may take (connect, send, read the answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default largest body read, in bytes.
pub const DEFAULT_MAX_BODY: u64 = 4 * 1024 * 1024;
/// The largest answer head, in bytes (hyper's buffer).
pub const MAX_HEAD: usize = 256 * 1024;

/// How the client connects.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Extra trusted certificates (PEM).
    pub cacert: Option<std::path::PathBuf>,
    /// Accept any certificate (curl's `-k`).
    pub insecure: bool,
    /// The time one exchange may take.
    pub timeout: Duration,
    /// The largest body read.
    pub max_body: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { cacert: None, insecure: false, timeout: DEFAULT_TIMEOUT, max_body: DEFAULT_MAX_BODY }
    }
}

/// A client for wire requests.
#[derive(Clone, Debug)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    max_body: u64,
}

/// Where a URL points, resolved.
#[derive(Clone, Debug)]
pub struct Target {
    /// `https` or not.
    pub tls: bool,
    /// The host as in the URL.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The addresses it resolves to.
    pub addresses: Vec<SocketAddr>,
}

impl Client {
    /// A client with `options`.
    ///
    /// # Errors
    ///
    /// A `--cacert` file that cannot be read.
    pub fn new(options: &ClientOptions) -> Result<Client, NetError> {
        Ok(Client {
            tls: tls::config(options.cacert.as_deref(), options.insecure)?,
            timeout: options.timeout,
            max_body: options.max_body,
        })
    }

    /// Resolves `url`'s host.
    ///
    /// # Errors
    ///
    /// A bad URL, another scheme, or a name that does not resolve in time.
    pub async fn resolve(&self, url: &str) -> Result<Target, NetError> {
        let parsed = url::Url::parse(url).map_err(|e| NetError::InvalidUrl { url: url.to_owned(), reason: e.to_string() })?;
        let tls = match parsed.scheme() {
            "http" => false,
            "https" => true,
            other => return Err(NetError::UnsupportedScheme { scheme: other.to_owned() }),
        };
        let host = parsed
            .host_str()
            .ok_or_else(|| NetError::InvalidUrl { url: url.to_owned(), reason: "no host".to_owned() })?
            .to_owned();
        let port = parsed.port_or_known_default().unwrap_or(if tls { 443 } else { 80 });
        // An IP literal is the address itself: the URL parser told it apart
        // (the core's origin keeps what it found), so nothing reads the
        // host text again; any other host is a name to resolve.
        let literal = corslab::Origin::from_url(&parsed).tuple().and_then(corslab::origin::TupleOrigin::ip);
        let addresses = if let Some(ip) = literal {
            vec![SocketAddr::new(ip, port)]
        } else {
            let lookup = tokio::net::lookup_host((host.as_str(), port));
            match tokio::time::timeout(self.timeout, lookup).await {
                Err(_) => return Err(NetError::Timeout { waiting_for: "the host name to resolve", after: self.timeout }),
                Ok(Err(e)) => return Err(NetError::Dns { host: host.clone(), reason: e.to_string() }),
                Ok(Ok(found)) => found.collect(),
            }
        };
        if addresses.is_empty() {
            return Err(NetError::Dns { host, reason: "no address".to_owned() });
        }
        Ok(Target { tls, host, port, addresses })
    }

    /// Sends `request` and reads the whole answer.
    ///
    /// # Errors
    ///
    /// Every way the network can fail, as a [`NetError`].
    pub async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError> {
        self.send_keeping(request, false).await.map(|(response, _)| response)
    }

    /// `GET url` with nothing but `Host`, and the answer's status and body
    /// as text (for reading a JSON endpoint such as the run log).
    ///
    /// # Errors
    ///
    /// Every way the network can fail.
    pub async fn get_text(&self, url: &str) -> Result<(u16, String), NetError> {
        let host = url::Url::parse(url).ok().and_then(|u| {
            u.host_str().map(|h| u.port().map_or_else(|| h.to_owned(), |p| format!("{h}:{p}")))
        });
        let request = WireRequest {
            kind: corslab::fetch::wire::WireKind::Request,
            method: "GET".to_owned(),
            url: url.to_owned(),
            headers: vec![("Host".to_owned(), host.unwrap_or_default())],
            body: None,
        };
        let (response, body) = self.send_keeping(&request, true).await?;
        Ok((response.status, String::from_utf8_lossy(&body).into_owned()))
    }

    async fn send_keeping(&self, request: &WireRequest, keep: bool) -> Result<(WireResponse, Vec<u8>), NetError> {
        let target = self.resolve(&request.url).await?;
        match tokio::time::timeout(self.timeout, self.exchange(&target, request, keep)).await {
            Ok(result) => result,
            Err(_) => Err(NetError::Timeout { waiting_for: "the server's answer", after: self.timeout }),
        }
    }

    async fn exchange(&self, target: &Target, request: &WireRequest, keep: bool) -> Result<(WireResponse, Vec<u8>), NetError> {
        let (stream, remote) = connect(target).await?;
        if target.tls {
            let name = ServerName::try_from(target.host.trim_start_matches('[').trim_end_matches(']').to_owned())
                .map_err(|e| NetError::Tls { host: target.host.clone(), reason: e.to_string() })?;
            let connector = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls));
            let stream = connector
                .connect(name, stream)
                .await
                .map_err(|e| NetError::Tls { host: target.host.clone(), reason: e.to_string() })?;
            self.http(stream, request, remote, keep).await
        } else {
            self.http(stream, request, remote, keep).await
        }
    }

    async fn http<S>(&self, stream: S, request: &WireRequest, remote: SocketAddr, keep: bool) -> Result<(WireResponse, Vec<u8>), NetError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let protocol = |e: hyper::Error| NetError::Protocol { reason: e.to_string() };
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .title_case_headers(true)
            .max_buf_size(MAX_HEAD)
            .handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await
            .map_err(protocol)?;
        let driver = tokio::spawn(connection);
        let result = async {
            let http_request = build(request)?;
            let response = sender.send_request(http_request).await.map_err(protocol)?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), latin1(value.as_bytes())))
                .collect();
            let mut body = response.into_body();
            let mut body_bytes: u64 = 0;
            let mut kept = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(protocol)?;
                if let Some(data) = frame.data_ref() {
                    body_bytes += data.len() as u64;
                    if body_bytes > self.max_body {
                        return Err(NetError::BodyTooLarge { limit: self.max_body });
                    }
                    if keep {
                        kept.extend_from_slice(data);
                    }
                }
            }
            Ok((WireResponse { status, headers, body_bytes, remote_addr: Some(remote.to_string()) }, kept))
        }
        .await;
        driver.abort();
        result
    }
}

/// Connects to the first address that answers.
async fn connect(target: &Target) -> Result<(TcpStream, SocketAddr), NetError> {
    let mut last = None;
    for address in &target.addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok((stream, *address));
            }
            Err(e) => last = Some((address, e)),
        }
    }
    let shown = format!("{}:{}", target.host, target.port);
    Err(match last {
        Some((_, e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => NetError::Refused { address: shown },
        Some((_, e)) => NetError::Connect { address: shown, reason: e.to_string() },
        None => NetError::Connect { address: shown, reason: "no address".to_owned() },
    })
}

/// The hyper request: origin-form target, every header as written.
fn build(request: &WireRequest) -> Result<Request<Full<Bytes>>, NetError> {
    let url = url::Url::parse(&request.url)
        .map_err(|e| NetError::InvalidUrl { url: request.url.clone(), reason: e.to_string() })?;
    let mut target = url.path().to_owned();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let invalid = |what: String| NetError::InvalidUrl { url: request.url.clone(), reason: what };
    let mut builder = Request::builder().method(request.method.as_str()).uri(target);
    for (name, value) in &request.headers {
        let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("header name {name:?} cannot be sent")))?;
        let value = hyper::header::HeaderValue::from_bytes(&latin1_bytes(value))
            .map_err(|_| invalid(format!("header {name} has a value that cannot be sent")))?;
        builder = builder.header(name, value);
    }
    let body = Full::new(Bytes::from(request.body.clone().unwrap_or_default()));
    builder.body(body).map_err(|e| invalid(e.to_string()))
}

/// Bytes as text, one character per byte (ISO-8859-1), as the Fetch
/// standard reads header values: nothing lost, nothing invented.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// Text whose characters are all at most U+00FF back to bytes; others
/// become `?` (the core refuses them before this point).
fn latin1_bytes(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
}
