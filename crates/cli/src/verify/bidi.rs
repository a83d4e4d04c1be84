//! A small WebDriver BiDi client over a WebSocket: commands matched to their
//! answers by id, events on a channel. Just what the Firefox driver needs
//! (<https://w3c.github.io/webdriver-bidi/#protocol>).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_tungstenite::WebSocketSender;
use async_tungstenite::tokio::{ConnectStream, connect_async};
use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::driver::DriverError;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// A BiDi session's connection.
pub(crate) struct Bidi {
    sink: WebSocketSender<ConnectStream>,
    pending: Pending,
    events: mpsc::UnboundedReceiver<Value>,
    reader: JoinHandle<()>,
    next_id: u64,
}

impl std::fmt::Debug for Bidi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bidi").field("next_id", &self.next_id).finish_non_exhaustive()
    }
}

/// An event: its `method` and `params`.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) method: String,
    pub(crate) params: Value,
}

impl Bidi {
    /// Connects to `url` (`ws://127.0.0.1:PORT/session`).
    pub(crate) async fn connect(url: &str) -> Result<Bidi, DriverError> {
        let (socket, _) = connect_async(url).await.map_err(|e| DriverError::Browser(format!("BiDi {url}: {e}")))?;
        let (sink, mut stream) = socket.split();
        let pending: Pending = Arc::default();
        let (tx, events) = mpsc::unbounded_channel();
        let waiting = Arc::clone(&pending);
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if value["type"] == "event" {
                    let _ = tx.send(value);
                } else if let Some(id) = value["id"].as_u64() {
                    let sender = waiting.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
                    if let Some(sender) = sender {
                        let _ = sender.send(value);
                    }
                }
            }
            // The connection is gone: every waiting command fails at once.
            waiting.lock().unwrap_or_else(PoisonError::into_inner).clear();
        });
        Ok(Bidi { sink, pending, events, reader, next_id: 0 })
    }

    /// Sends a command and waits (at most `timeout`) for its result.
    pub(crate) async fn command(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, DriverError> {
        self.next_id += 1;
        let id = self.next_id;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).insert(id, tx);
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        if let Err(e) = self.sink.send(Message::text(message)).await {
            self.pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
            return Err(DriverError::Browser(format!("BiDi {method}: {e}")));
        }
        let answer = match tokio::time::timeout(timeout, rx).await {
            Err(_) => {
                self.pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
                return Err(DriverError::Hung(timeout));
            }
            Ok(Err(_)) => return Err(DriverError::Browser(format!("BiDi {method}: the connection closed"))),
            Ok(Ok(answer)) => answer,
        };
        if answer["type"] == "error" {
            return Err(DriverError::Browser(format!(
                "BiDi {method}: {}: {}",
                answer["error"].as_str().unwrap_or("error"),
                answer["message"].as_str().unwrap_or_default()
            )));
        }
        Ok(answer["result"].clone())
    }

    /// The next event that arrived, without waiting.
    pub(crate) fn try_event(&mut self) -> Option<Event> {
        let mut value = self.events.try_recv().ok()?;
        Some(Event {
            method: value["method"].as_str().unwrap_or_default().to_owned(),
            params: value["params"].take(),
        })
    }

    /// Closes the connection (the browser may already be gone).
    pub(crate) async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.sink.close(None)).await;
        self.reader.abort();
    }
}
