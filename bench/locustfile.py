"""Realistic users of Tally for locust (Debian python3-locust 2.12), through Nginx over TLS.

Four weighted flows, each checking what it gets, not just the status code:

- BrowserUser: creates a session with first attributes, counts visits, patches attributes, reads the session
  back; its own expected visit count and attributes must equal what the server says, every time.
- ApiClient: increments its own counters with an Idempotency-Key (retried with the same key until a definite
  answer, so a fault never makes it count twice or lose one), sometimes sends the same key again on purpose
  (must be replayed, not counted), reads its counters and lists them by prefix; every value must be exact.
- JobProducer: submits noop, sleep and digest jobs and polls each until it is final: it must have succeeded,
  and a digest's result must equal the iterated SHA-256 computed here.
- LiveWatcher: holds a WebSocket on its own counter, increments it over HTTP and waits until the socket shows
  the true value; values must never go back.

A failed check is a locust failure named after the check (so `--csv` counts it), and it is also tallied in a
summary (increments acknowledged vs found, sessions, jobs accepted vs succeeded, live checks) written as JSON to
$TALLY_VERIFY_OUT when locust quits; bench/stress.sh and bench/soak.sh read it.

Environment: TALLY_CA (the run's certificate, deploy/local makes it; unset: no TLS verification, said on
stderr), TALLY_RUN_ID (name prefix, default from the clock), TALLY_WEIGHTS (browser=4,api=4,jobs=1,live=1),
TALLY_WAIT (seconds between tasks, "min,max", default 0.5,1.5), TALLY_JOB_TIMEOUT (60 s until a job must be
final), TALLY_LIVE_TIMEOUT (10 s until a socket must show the value), TALLY_VERIFY_OUT (file for the summary),
TALLY_REQUEST_LOG (a file that gets one CSV line per request, flow and check as it ends: epoch seconds, type,
name, milliseconds, failed 0/1; bench/stress.sh reads it to leave each step's first seconds out).
Run: locust -f bench/locustfile.py --host https://127.0.0.1:18543 --headless -u 20 -r 5 -t 60s
"""

import csv
import hashlib
import itertools
import json
import os
import random
import sys
import threading
import time
import uuid
from http.cookiejar import DefaultCookiePolicy

import gevent
import gevent.ssl
import websocket
from locust import FastHttpUser, between, events, task

CA = os.environ.get("TALLY_CA") or False
RUN_ID = os.environ.get("TALLY_RUN_ID") or f"lc{int(time.time())}"
JOB_TIMEOUT = float(os.environ.get("TALLY_JOB_TIMEOUT", "60"))
LIVE_TIMEOUT = float(os.environ.get("TALLY_LIVE_TIMEOUT", "10"))
WAIT = [float(x) for x in os.environ.get("TALLY_WAIT", "0.5,1.5").split(",")]
WEIGHTS = dict(
    (k, int(v)) for k, v in (p.split("=") for p in os.environ.get("TALLY_WEIGHTS", "browser=4,api=4,jobs=1,live=1").split(","))
)
# A request that gets no definite answer (connection error, 502/503/504) is sent again this often, with the same
# Idempotency-Key where there is one, before the flow gives up and counts it as uncertain. Between tries a user waits
# 0.2 s x the try's number, or the answer's Retry-After when that is longer (at most RETRY_AFTER_CAP), as the API
# tells clients (docs/api.md): Tally's 503 store-unavailable asks for 2 s. Waiting less gave up after 2 s in all,
# while Redis, killed at 160 users and restarted from its append-only file, took 3.6 s to load it.
RETRIES = 5
RETRY_AFTER_CAP = 5.0
COOKIE = "__Host-TALLY_SESSION"
if not CA:
    print("locustfile: TALLY_CA not set, TLS certificates are NOT verified", file=sys.stderr)

_ids = itertools.count(1)
_lock = threading.Lock()
# What every flow checked, for the end of the run (one process: locust runs users as greenlets).
summary = {
    "increments_acknowledged": 0,  # sum of `by` the server acknowledged (first answers, not replays)
    "increments_found": 0,  # sum of the final values read back at each ApiClient's end
    "increments_uncertain": 0,  # increments without a definite answer after every retry
    "increments_interrupted": 0,  # counted but unanswered when locust stopped the user (found, not acknowledged)
    "replays_checked": 0,
    "counters_checked": 0,
    "counters_wrong": 0,
    "sessions_created": 0,
    "sessions_checked": 0,  # read-backs that compared visits and attributes
    "sessions_wrong": 0,
    "sessions_lost": 0,  # a live session the server no longer knew
    "sessions_interrupted": 0,  # a replacement under way when locust stopped the user: not checked, not lost
    "visits_uncertain": 0,
    "patches_uncertain": 0,  # patches without a definite answer: the next read tells whether they applied
    "jobs_accepted": 0,
    "jobs_succeeded": 0,
    "jobs_lost": 0,  # accepted but not final within TALLY_JOB_TIMEOUT, or gone (404)
    "jobs_wrong": 0,  # final but not succeeded, or a wrong result
    "live_checks": 0,
    "live_wrong": 0,  # a socket that went back or did not reach the true value in time
    "live_reconnects": 0,
    "check_failures": 0,
}


def count(key, n=1):
    with _lock:
        summary[key] += n


def next_uid(kind):
    return f"{RUN_ID}.{kind}.{next(_ids)}"


def definite(response):
    """An answer the server gave about the request itself (not Nginx's or a draining replica's refusal)."""
    return response.status_code != 0 and response.status_code not in (429, 502, 503, 504)


def problem_type(response):
    """The RFC 9457 type of an error answer (Tally's or Nginx's), for the failure's message."""
    try:
        return response.json().get("type", "")
    except Exception:  # noqa: BLE001 - no body, not JSON, a connection error: nothing to name
        return ""


def retry_after(response):
    """The seconds an answer's Retry-After asks for (delay-seconds form), capped; 0 without one."""
    headers = getattr(response, "headers", None) or {}  # none on a connection error
    try:
        return min(float(headers.get("Retry-After") or 0), RETRY_AFTER_CAP)
    except (TypeError, ValueError):  # an HTTP date or garbage: wait the backoff alone
        return 0.0


class Failed(Exception):
    """A verification that did not hold."""


def fail(response, what, summary_key=None):
    count("check_failures")
    if summary_key:
        count(summary_key)
    response.failure(Failed(what))


def report(environment, name, started, exception=None):
    """A whole flow (several requests) as one locust entry, so its end-to-end time has a row of its own."""
    environment.events.request.fire(
        request_type="FLOW", name=name, response_time=(time.perf_counter() - started) * 1000,
        response_length=0, exception=exception, context={})


def tls_context():
    return gevent.ssl.create_default_context(cafile=CA)


class TallyUser(FastHttpUser):
    """geventhttpclient (FastHttpUser) costs the load generator a fraction of what requests would, on 2 cores."""

    abstract = True
    wait_time = between(*WAIT)
    insecure = not CA
    ssl_context_factory = staticmethod(tls_context) if CA else None
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self):
        # Cookies are sent by hand: a jar would decide for itself about __Host- and Secure on 127.0.0.1.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def send(self, method, path, name, **kwargs):
        """A request retried while its answer is not definite; returns the last answer inside catch_response."""
        for attempt in range(RETRIES):
            ctx = self.client.request(method, path, name=name, catch_response=True, **kwargs)
            response = ctx.__enter__()
            if definite(response) or attempt == RETRIES - 1:
                return ctx, response
            response.failure(f"no definite answer ({response.status_code} {problem_type(response)}), retrying")
            ctx.__exit__(None, None, None)
            time.sleep(max(0.2 * (attempt + 1), retry_after(response)))


class BrowserUser(TallyUser):
    weight = WEIGHTS.get("browser", 4)

    def on_start(self):
        super().on_start()
        self.uid = next_uid("browser")
        self.cookie = None
        self.new_session()

    def headers(self, content_type=None):
        h = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        if content_type:
            h["Content-Type"] = content_type
        return h

    def new_session(self):
        self.attributes = {"user": self.uid, "cart": []}
        self.attributes_maybe = None  # the state after a patch without a definite answer, until a read tells
        self.visits = 0
        self.visits_uncertain = 0
        # Creating with a cookie drops the old session. Until the answer names the new one, neither cookie is known
        # to be live: if locust stops this user meanwhile, its final read has nothing to check.
        self.replacing = True
        ctx, r = self.send("POST", "/api/v1/sessions", "browser: create session", json=self.attributes,
                           headers=self.headers())
        self.replacing = False
        with ctx:
            cookie = r.headers.get("Set-Cookie", "")
            if r.status_code != 201 or not cookie.startswith(COOKIE + "="):
                self.cookie = None
                return fail(r, f"session create: {r.status_code}, cookie '{cookie[:40]}'")
            self.cookie = cookie.split(";", 1)[0].split("=", 1)[1]
            count("sessions_created")
            self.check_view(r, "create")

    def check_view(self, r, what):
        body = r.json()
        if "attributes" in body and self.attributes_maybe is not None:
            if body["attributes"] == self.attributes_maybe:  # the uncertain patch was applied
                self.attributes = self.attributes_maybe
            self.attributes_maybe = None
        if "attributes" in body and body["attributes"] != self.attributes:  # a visit's answer has only the count
            return fail(r, f"session {what}: attributes {body.get('attributes')} != {self.attributes}", "sessions_wrong")
        if "visits" in body:
            # After visits without a definite answer the truth is anywhere from the acknowledged count up to
            # that many more; the server's figure, once inside that range, is the count from there on.
            got = body["visits"]
            if not self.visits <= got <= self.visits + self.visits_uncertain:
                return fail(r, f"session {what}: visits {got}, expected {self.visits}"
                               f"{f' to {self.visits + self.visits_uncertain}' if self.visits_uncertain else ''}",
                            "sessions_wrong")
            self.visits, self.visits_uncertain = got, 0
        return True

    def ensure_session(self):
        if self.cookie is None:
            self.new_session()
        return self.cookie is not None

    @task(5)
    def visit(self):
        if not self.ensure_session():
            return
        # Sent once, never retried: a visit is not idempotent, and an answer like a 503 after Redis froze may come
        # for a visit that did count once Redis went on. Uncertain from the moment it is sent: if locust stops this
        # user before the answer, the visit may have counted, and the final read may show it.
        self.visits_uncertain += 1
        with self.client.post("/api/v1/sessions/current/visits", name="browser: visit", headers=self.headers(),
                              catch_response=True) as r:
            if not definite(r):
                # It may or may not have counted: the next answer with the count tells, so it is not a loss.
                count("visits_uncertain")
                return r.failure(f"visit: no definite answer ({r.status_code} {problem_type(r)})")
            self.visits_uncertain -= 1
            if r.status_code == 404:
                self.cookie = None
                return fail(r, "visit: the session is gone", "sessions_lost")
            if r.status_code != 200:
                return fail(r, f"visit: {r.status_code}")
            self.visits += 1  # this visit counted; earlier uncertain ones may have too
            self.check_view(r, "visit")

    @task(2)
    def patch(self):
        if not self.ensure_session():
            return
        change = {"theme": random.choice(["dark", "light", None]), "cart": [random.randint(1, 99)]}
        patched = {k: v for k, v in {**self.attributes, **change}.items() if v is not None}  # null deletes
        # Until a definite answer (and if locust stops this user meanwhile) the patch may or may not have applied.
        self.attributes_maybe = patched
        ctx, r = self.send("PATCH", "/api/v1/sessions/current", "browser: patch attributes", json=change,
                           headers=self.headers("application/merge-patch+json"))
        with ctx:
            if not definite(r):
                # Applied or not (a 503 after Redis' command timeout may come for a patch Redis then ran): the next
                # read may show either state, and the one it shows is the truth from there on.
                count("patches_uncertain")
                return r.failure(f"patch: no definite answer ({r.status_code} {problem_type(r)})")
            if r.status_code != 200:
                self.attributes_maybe = None
                return fail(r, f"patch: {r.status_code}", "sessions_lost" if r.status_code == 404 else None)
            self.attributes, self.attributes_maybe = patched, None
            self.check_view(r, "patch")

    @task(3)
    def read(self):
        if not self.ensure_session():
            return
        self.read_back("browser: read session")

    def read_back(self, name):
        ctx, r = self.send("GET", "/api/v1/sessions/current", name, headers=self.headers())
        with ctx:
            if r.status_code != 200:
                return fail(r, f"read: {r.status_code}", "sessions_lost" if r.status_code == 404 else None)
            if self.check_view(r, "read"):
                count("sessions_checked")

    @task(1)
    def restart(self):
        """A new login: a fresh session replaces the old one (which the server drops)."""
        self.new_session()

    def on_stop(self):
        if getattr(self, "replacing", False):
            count("sessions_interrupted")
        elif self.cookie is not None:
            self.read_back("browser: final read")


class ApiClient(TallyUser):
    weight = WEIGHTS.get("api", 4)
    counters_per_user = 3

    def on_start(self):
        super().on_start()
        self.prefix = next_uid("api") + "."
        self.expected = {f"{self.prefix}{k}": 0 for k in range(self.counters_per_user)}
        # The increment under way per counter: when locust stops this user (the run's end; a task that outlasts
        # --stop-timeout is killed) it may have counted without its answer, so the final read may show it.
        self.in_flight = {name: 0 for name in self.expected}

    def path(self, name):
        return f"/api/v1/counters/{name}"

    def increment_once(self, name, by, key, call):
        """One increment under one Idempotency-Key, resent with the same key until definite; the answer's value."""
        ctx, r = self.send("POST", self.path(name) + "/increment", call, json={"by": by},
                           headers={"Idempotency-Key": key})
        with ctx:
            if not definite(r):
                count("increments_uncertain", by)
                fail(r, f"increment {name}: no definite answer after {RETRIES} tries ({r.status_code})")
                return None, None
            if r.status_code != 200:
                fail(r, f"increment {name}: {r.status_code} {r.text[:120]}")
                return None, None
            return r.json().get("value"), r.headers.get("Idempotent-Replayed") == "true"

    @task(6)
    def increment(self):
        name = random.choice(list(self.expected))
        by = random.randint(1, 5)
        key = uuid.uuid4().hex
        self.in_flight[name] = by
        value, replayed = self.increment_once(name, by, key, "api: increment")
        self.in_flight[name] = 0
        if value is None:
            return
        # A replay here is fine only after a retry of ours; the first answer's value is then what we expect.
        self.expected[name] += by
        count("increments_acknowledged", by)
        if value != self.expected[name]:
            count("check_failures")
            count("counters_wrong")
            self.flag("api: increment", f"{name} = {value}, expected {self.expected[name]}")
        if random.random() < 0.3:  # a client that did not see the answer sends the same key again
            again, replayed = self.increment_once(name, by, key, "api: retry same key")
            if again is not None:
                count("replays_checked")
                if not replayed or again != self.expected[name]:
                    count("check_failures")
                    count("counters_wrong")
                    self.flag("api: retry same key", f"{name}: replayed={replayed} value={again}, "
                                                     f"expected a replay of {self.expected[name]}")

    def flag(self, name, what):
        self.environment.events.request.fire(request_type="CHECK", name=name, response_time=0, response_length=0,
                                             exception=Failed(what), context={})

    @task(3)
    def read(self):
        name = random.choice(list(self.expected))
        self.read_counter(name, "api: read")

    def read_counter(self, name, call, slack=0):
        """Reads a counter, which must equal what was acknowledged (up to `slack` more: an interrupted increment)."""
        ctx, r = self.send("GET", self.path(name), call)
        with ctx:
            if r.status_code != 200:
                return fail(r, f"read {name}: {r.status_code}"), None
            value = r.json().get("value")
            if not self.expected[name] <= value <= self.expected[name] + slack:
                fail(r, f"read {name}: {value}, expected {self.expected[name]}"
                        f"{f' to {self.expected[name] + slack}' if slack else ''}", "counters_wrong")
            return None, value

    @task(1)
    def listing(self):
        """Follows the cursor to the end; every counter of ours that exists must be there with its value."""
        seen, cursor, pages = {}, None, 0
        while True:
            params = {"prefix": self.prefix, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            ctx, r = self.send("GET", "/api/v1/counters", "api: list page", params=params)
            with ctx:
                pages += 1
                if r.status_code != 200:
                    return fail(r, f"list: {r.status_code}")
                body = r.json()
                seen.update((i["name"], i["value"]) for i in body["items"])  # a rehash may repeat one: a dict
                cursor = body.get("next")
                if cursor and pages >= 200:
                    return fail(r, "list: more than 200 pages")
                if not cursor:
                    want = {n: v for n, v in self.expected.items() if v != 0}
                    if seen != want:
                        fail(r, f"list: {seen} != {want}", "counters_wrong")
                    return

    def on_stop(self):
        for name in self.expected:
            _, value = self.read_counter(name, "api: final read", self.in_flight[name])
            count("counters_checked")
            if value is not None:
                interrupted = value - self.expected[name]
                if 0 < interrupted <= self.in_flight[name]:  # counted, never answered: not a loss, not acknowledged
                    count("increments_interrupted", interrupted)
                    value = self.expected[name]
                count("increments_found", value)


class JobProducer(TallyUser):
    weight = WEIGHTS.get("jobs", 1)

    @task
    def job(self):
        kind = random.choices(["noop", "sleep", "digest"], weights=[5, 3, 2])[0]
        payload, expect = None, None
        if kind == "sleep":
            payload = {"ms": random.randint(20, 200)}
        elif kind == "digest":
            text = uuid.uuid4().hex
            payload = {"text": text, "iterations": 1000}
            state = text.encode()
            for _ in range(1000):
                state = hashlib.sha256(state).digest()
            expect = {"iterations": 1000, "sha256": state.hex()}
        started = time.perf_counter()
        body = {"type": kind} if payload is None else {"type": kind, "payload": payload}
        with self.client.post("/api/v1/jobs", json=body, name="job: submit", catch_response=True) as r:
            if r.status_code != 202 or not r.headers.get("Location"):
                # Not accepted (a 503 may still have queued it): a failed request, not a lost job, so not a failed
                # verification either (those make bench/stress.sh exit 1).
                return r.failure(f"submit {kind}: {r.status_code} {r.text[:120]}")
            location = r.headers["Location"]
        count("jobs_accepted")
        deadline = time.monotonic() + JOB_TIMEOUT
        delay = 0.05
        while True:
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
            with self.client.get(location, name="job: poll", catch_response=True) as r:
                if not definite(r):
                    r.failure(f"poll: {r.status_code} {problem_type(r)}")
                elif r.status_code == 404:
                    fail(r, f"job {location} is gone", "jobs_lost")
                    return report(self.environment, "job: submit until final", started, Failed("gone"))
                elif r.status_code != 200:
                    r.failure(f"poll: {r.status_code}")
                else:
                    job = r.json()
                    status = job.get("status")
                    if status in ("succeeded", "failed", "cancelled", "dead"):
                        if status != "succeeded":
                            fail(r, f"job {kind} ended {status}: {job.get('error')}", "jobs_wrong")
                            return report(self.environment, "job: submit until final", started, Failed(status))
                        if expect is not None and job.get("result") != expect:
                            fail(r, f"digest result {job.get('result')} != {expect}", "jobs_wrong")
                            return report(self.environment, "job: submit until final", started, Failed("result"))
                        count("jobs_succeeded")
                        return report(self.environment, "job: submit until final", started)
            if time.monotonic() > deadline:
                count("jobs_lost")
                count("check_failures")
                return report(self.environment, "job: submit until final", started,
                              Failed(f"job {location} not final after {JOB_TIMEOUT}s"))


class LiveWatcher(TallyUser):
    weight = WEIGHTS.get("live", 1)

    def on_start(self):
        super().on_start()
        self.name = next_uid("live")
        self.expected = 0
        self.last = None
        self.ws = None

    def url(self):
        base = self.host.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return f"{base}/api/v1/counters/{self.name}/live"

    def connect(self):
        started = time.perf_counter()
        try:
            options = {"ca_certs": CA} if CA else {"cert_reqs": 0, "check_hostname": False}
            # No Origin header: this is a server-side client, not a browser page (an Origin outside
            # tally.cors.origins is refused with a 403, web/CrossOrigin)
            self.ws = websocket.create_connection(self.url(), timeout=LIVE_TIMEOUT, sslopt=options, suppress_origin=True)
            self.last = None
            report(self.environment, "live: connect", started)
        except Exception as e:  # noqa: BLE001 - a failed handshake is a failed request, whatever raised it
            self.ws = None
            report(self.environment, "live: connect", started, e)

    def receive_until(self, value, deadline):
        """Reads messages until one carries `value`; a value below the one seen before is a step back."""
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if not message:  # closed (a replica going away closes with 1001): reconnect, it sends the value first
                raise websocket.WebSocketConnectionClosedException("closed")
            got = json.loads(message)["value"]
            if self.last is not None and got < self.last:
                raise Failed(f"socket went back from {self.last} to {got}")
            self.last = got
            if got == value:
                return True
            if got > value:
                raise Failed(f"socket shows {got}, above the true value {value}")
        return False

    @task
    def watch(self):
        if self.ws is None:
            self.connect()
            if self.ws is None:
                return
        started = time.perf_counter()
        try:
            if self.last is None and not self.receive_until(self.expected, time.monotonic() + LIVE_TIMEOUT):
                raise Failed(f"first message was not the current value {self.expected}")
            for _ in range(random.randint(1, 3)):
                by = random.randint(1, 3)
                ctx, r = self.send("POST", f"/api/v1/counters/{self.name}/increment", "live: increment",
                                   json={"by": by}, headers={"Idempotency-Key": uuid.uuid4().hex})
                with ctx:
                    if r.status_code != 200:
                        fail(r, f"live increment: {r.status_code}")
                        continue
                    self.expected += by
            if not self.receive_until(self.expected, time.monotonic() + LIVE_TIMEOUT):
                raise Failed(f"socket did not show {self.expected} within {LIVE_TIMEOUT}s (last {self.last})")
            count("live_checks")
            report(self.environment, "live: increment until seen", started)
        except Failed as e:
            count("live_wrong")
            count("check_failures")
            report(self.environment, "live: increment until seen", started, e)
            self.close()
        except (websocket.WebSocketException, OSError) as e:
            count("live_reconnects")
            report(self.environment, "live: socket", started, e)
            self.close()

    def close(self):
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001 - closing a broken socket may fail in many ways; it is gone either way
                pass
        self.ws = None

    def on_stop(self):
        self.close()


def write_summary_file():
    out = os.environ.get("TALLY_VERIFY_OUT")
    if out:
        with _lock:
            text = json.dumps(summary, indent=1)
        with open(out + ".tmp", "w") as f:
            f.write(text)
        os.replace(out + ".tmp", out)


@events.test_start.add_listener
def keep_writing_summary(environment, **_kwargs):
    """Every 2 s, so that bench/soak.sh can see whether anything was lost around each fault it injects."""
    def loop():
        while True:
            gevent.sleep(2)
            write_summary_file()

    gevent.spawn(loop)


_request_log = open(os.environ["TALLY_REQUEST_LOG"], "a", buffering=1 << 16) if os.environ.get("TALLY_REQUEST_LOG") else None
_request_rows = csv.writer(_request_log) if _request_log is not None else None


@events.request.add_listener
def log_request(request_type, name, response_time, exception=None, **_kwargs):
    if _request_rows is not None:
        _request_rows.writerow((f"{time.time():.3f}", request_type, name, f"{response_time:.1f}",
                                0 if exception is None else 1))


@events.quitting.add_listener
def write_summary(environment, **_kwargs):
    if _request_log is not None:
        _request_log.flush()
    print("locustfile: verified " + " ".join(f"{k}={v}" for k, v in summary.items()), file=sys.stderr)
    write_summary_file()
