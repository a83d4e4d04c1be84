"""WebKitGTK driver for `corslab verify` (run by it; not a tool of its own).

Loads pages and runs one `fetch()` at a time in a WebKitWebView, as the
Rust side asks over stdin/stdout (one JSON object a line), and reports what
the page saw plus the console lines WebKit printed meanwhile.

WebKit prints console messages only with the setting
`enable-write-console-messages-to-stdout`, on a non-ephemeral context (a
WebsiteDataManager with directories: the fresh profile verify passes as the
only argument), and it writes them, despite the name, to the *stderr* its
web process inherits: `CONSOLE <SOURCE> <LEVEL> <text>`. So this script
points its fd 2 at a pipe before WebKit starts any process, reads the pipe
in the main loop, and keeps its own diagnostics on the original stderr. The
protocol goes to the original stdout; fd 1 is pointed at stderr so that
nothing else (GLib, WebKit) can write into the protocol.

Requests (stdin):
  {"cmd": "open", "url": URL}
  {"cmd": "fetch", "spec": FETCH_SPEC, "function": JS, "timeout_ms": N}
  {"cmd": "quit"}
Replies (stdout), one per request, after a first {"ready": true, "version": "2.50.6"}:
  {"ok": true} | {"error": MESSAGE}
  {"result": PAGE_RESULT_OR_NULL, "hung": BOOL, "console": [TEXT, ...]}

Run by Debian's /usr/bin/python3 (python3-gi, gir1.2-webkit2-4.1) under an
X display (verify starts Xvfb for it).
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

# How long, after a fetch settled, console lines may still arrive: a
# rejection waits (bounded) for the generic "Fetch API cannot load" line
# WebKit prints last for every failure, then a short quiet period catches
# stragglers; a resolved fetch only waits for the quiet period.
REJECTED_WAIT_MS = 1500
QUIET_MS = 25
POLL_MS = 5


def log(*parts):
    print("webkit-driver:", *parts, file=DIAG, flush=True)


# The protocol's channel and the diagnostics' channel, before fd 1 and 2
# are redirected.
PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
DIAG = os.fdopen(os.dup(2), "w", buffering=1)


class Driver:
    def __init__(self, profile):
        # The console pipe: fd 2 of this process and of every process WebKit
        # spawns from now on.
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.dup2(2, 1)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self.console_fd = read_end
        self.console_partial = b""
        self.console = []

        manager = WebKit2.WebsiteDataManager(
            base_data_directory=os.path.join(profile, "data"),
            base_cache_directory=os.path.join(profile, "cache"),
        )
        self.context = WebKit2.WebContext.new_with_website_data_manager(manager)
        self.context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
        self.view = WebKit2.WebView.new_with_context(self.context)
        settings = self.view.get_settings()
        settings.set_property("enable-write-console-messages-to-stdout", True)
        self.window = Gtk.OffscreenWindow()
        self.window.add(self.view)
        self.window.show_all()
        self.view.connect("load-changed", self.on_load_changed)
        self.view.connect("load-failed", self.on_load_failed)

        self.loop = GLib.MainLoop()
        self.stdin_partial = b""
        self.busy = None  # the request being served
        GLib.io_add_watch(self.console_fd, GLib.PRIORITY_HIGH, GLib.IO_IN | GLib.IO_HUP, self.on_console)
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, self.on_stdin)

    # --- channels -------------------------------------------------------

    def reply(self, message):
        PROTOCOL.write(json.dumps(message) + "\n")
        PROTOCOL.flush()

    def on_console(self, fd, condition):
        self.read_console()
        return True

    def read_console(self):
        while True:
            try:
                chunk = os.read(self.console_fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            self.console_partial += chunk
        *lines, self.console_partial = self.console_partial.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            if line.startswith("CONSOLE "):
                self.console.append(line)
            elif line.strip():
                log("stderr:", line)

    def on_stdin(self, fd, condition):
        chunk = os.read(0, 65536)
        if not chunk:
            self.loop.quit()
            return False
        self.stdin_partial += chunk
        *lines, self.stdin_partial = self.stdin_partial.split(b"\n")
        for line in lines:
            if line.strip():
                self.handle(json.loads(line))
        return True

    # --- requests -------------------------------------------------------

    def handle(self, request):
        command = request.get("cmd")
        if command == "open":
            self.busy = {"cmd": "open"}
            self.view.load_uri(request["url"])
        elif command == "fetch":
            self.start_fetch(request)
        elif command == "quit":
            self.loop.quit()
        else:
            self.reply({"error": "unknown command %r" % command})

    def on_load_changed(self, view, event):
        if event == WebKit2.LoadEvent.FINISHED and self.busy and self.busy["cmd"] == "open":
            self.busy = None
            self.read_console()
            self.console.clear()
            self.reply({"ok": True})

    def on_load_failed(self, view, event, uri, error):
        if self.busy and self.busy["cmd"] == "open":
            self.busy = None
            self.reply({"error": "cannot load %s: %s" % (uri, error.message)})
        return True

    def start_fetch(self, request):
        self.read_console()
        self.console.clear()
        state = {"cmd": "fetch", "url": request["spec"]["url"], "result": None, "done": False, "hung": False}
        self.busy = state
        body = "return (" + request["function"] + ")(spec);"
        arguments = GLib.Variant("a{sv}", {"spec": GLib.Variant("s", json.dumps(request["spec"]))})

        def finished(view, result):
            if state is not self.busy or state["done"]:
                return
            try:
                value = view.call_async_javascript_function_finish(result)
                state["result"] = json.loads(value.to_json(0))
            except GLib.Error as error:
                state["result"] = {"kind": "driver-error", "message": error.message}
            self.settle(state)

        def hung():
            if state is self.busy and not state["done"] and state["result"] is None:
                state["hung"] = True
                self.finish(state)
            return False

        self.view.call_async_javascript_function(body, -1, arguments, None, None, None, finished)
        GLib.timeout_add(int(request.get("timeout_ms", 10000)), hung)

    def settle(self, state):
        # A TypeError from the Request constructor happens before any
        # network activity: nothing to wait for.
        rejected = state["result"].get("kind") not in ("resolved", "type-error")
        waited = {"ms": 0, "quiet": 0, "seen": len(self.console)}
        generic = "Fetch API cannot load " + state["url"]

        def poll():
            if state["done"]:
                return False
            self.read_console()
            waited["ms"] += POLL_MS
            if len(self.console) != waited["seen"]:
                waited["seen"] = len(self.console)
                waited["quiet"] = 0
            else:
                waited["quiet"] += POLL_MS
            explained = any(generic in line for line in self.console)
            if rejected and not explained and waited["ms"] < REJECTED_WAIT_MS:
                return True
            if waited["quiet"] < QUIET_MS:
                return True
            self.finish(state)
            return False

        GLib.timeout_add(POLL_MS, poll)

    def finish(self, state):
        state["done"] = True
        self.busy = None
        self.read_console()
        lines, self.console = self.console, []
        self.reply({"result": state["result"], "hung": state["hung"], "console": lines})


def main():
    if len(sys.argv) != 2:
        print("usage: webkit_driver.py PROFILE_DIR", file=sys.stderr)
        return 2
    driver = Driver(sys.argv[1])
    version = "%d.%d.%d" % (WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
    driver.reply({"ready": True, "version": version})
    driver.loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
