#!/usr/bin/python3
"""The demo's "team chat" and mailbox, for the inbox's relay (scripts/demo starts it).

- http://127.0.0.1:8790/       the team chat: every notification the inbox pushed to its
                               generic webhook channel (POST /hook), newest first; the page
                               reloads itself every 3 s.
- http://127.0.0.1:8790/mail   the mailbox: every mail the inbox sent over SMTP to
                               127.0.0.1:8025 (team mail and the visitor's acknowledgement
                               and replies).

POST /hook checks the webhook exactly as the README tells a receiver to: the HMAC-SHA256 of
"<X-Reach-Us-Timestamp>.<raw body>" with the shared secret (DEMO_HOOK_SECRET), compared in
constant time, and the timestamp within 5 minutes; it answers 401 otherwise. Notifications
are kept by their "id", so a repeat after an inbox crash shows once.
Standard library plus Debian's python3-aiosmtpd.
"""
import hashlib, hmac, html, json, os, sys, threading, time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("DEMO_HOOK_SECRET", "demo-secret").encode()
HTTP_PORT = int(os.environ.get("DEMO_CHAT_PORT", "8790"))
SMTP_PORT = int(os.environ.get("DEMO_SMTP_PORT", "8025"))
chat, mails, seen, lock = [], [], set(), threading.Lock()


def verify(headers, body):
    ts = headers.get("X-Reach-Us-Timestamp", "")
    sig = headers.get("X-Reach-Us-Signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    want = "sha256=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, sig)


PAGE = """<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=3>
<title>{title}</title><style>body{{font:15px system-ui,sans-serif;max-width:48rem;margin:1rem auto}}
pre{{white-space:pre-wrap;background:#f4f4f4;padding:.6rem;border-radius:6px}}</style>
<h1>{title}</h1><p><a href=/>Team chat</a> · <a href=/mail>Mailbox</a></p>{items}"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, text, ctype="text/html; charset=utf-8"):
        b = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/hook":
            return self.send(404, "not found", "text/plain")
        if not verify(self.headers, body):
            return self.send(401, "bad signature or stale timestamp", "text/plain")
        with lock:
            for n in json.loads(body).get("notifications", []):
                if n["id"] not in seen:
                    seen.add(n["id"])
                    chat.append((time.strftime("%H:%M:%S"), n["text"]))
        self.send(200, "{}", "application/json")

    def do_GET(self):
        with lock:
            if self.path == "/mail":
                items = "".join(f"<h2>{html.escape(s)}</h2><p>{html.escape(t)} · {w}</p><pre>{html.escape(b)}</pre>"
                                for w, t, s, b in reversed(mails)) or "<p>No mail yet.</p>"
                return self.send(200, PAGE.format(title="Mailbox (127.0.0.1:%d)" % SMTP_PORT, items=items))
            if self.path == "/":
                items = "".join(f"<p>{w}</p><pre>{html.escape(t)}</pre>" for w, t in reversed(chat)) or "<p>Nothing yet: send a report from the demo page.</p>"
                return self.send(200, PAGE.format(title="Team chat", items=items))
        self.send(404, "not found", "text/plain")


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        m = message_from_bytes(envelope.content, policy=policy.default)
        part = m.get_body(preferencelist=("plain",))
        with lock:
            mails.append((time.strftime("%H:%M:%S"), ", ".join(envelope.rcpt_tos), str(m["subject"]),
                          part.get_content() if part else ""))
        return "250 OK"


def main():
    from aiosmtpd.controller import Controller
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    print(f"demo: team chat http://127.0.0.1:{HTTP_PORT}/ — mailbox http://127.0.0.1:{HTTP_PORT}/mail (SMTP 127.0.0.1:{SMTP_PORT})", flush=True)
    try:
        ThreadingHTTPServer(("127.0.0.1", HTTP_PORT), Handler).serve_forever()
    finally:
        smtp.stop()


if __name__ == "__main__":
    sys.exit(main())
