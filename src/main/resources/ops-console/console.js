"use strict";
// The ops console. Every request it makes carries the operator's ops token (Authorization: Bearer), asked once per
// tab and kept in sessionStorage; a 401 asks again. The live feed is Server-Sent Events read through fetch(),
// because EventSource cannot send an Authorization header.
const TOKEN_KEY = "tally.ops.token";
const RECONNECT_MS = 1000;
const HISTORY_MS = 5 * 60 * 1000;
const HANGS_EVERY_MS = 2000;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const history = new Map(); // instance -> [[time, inFlight], ...]
let selfName = null;
let hangsAt = 0; // when /ops/hangs was last asked
let hangsBusy = false;

function text(value) { return value === undefined || value === null ? "–" : String(value); }
function cell(row, value, cls) {
  const td = document.createElement("td");
  td.textContent = text(value);
  if (cls) td.className = cls;
  row.appendChild(td);
}
function uptime(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
}

function renderReplicas(replicas) {
  const body = document.querySelector("#replicas tbody");
  body.replaceChildren();
  for (const r of replicas) {
    const row = document.createElement("tr");
    row.dataset.instance = r.instance;
    if (r.instance === selfName) row.className = "self";
    cell(row, r.instance, "instance");
    cell(row, r.version);
    cell(row, uptime(r.uptimeSeconds));
    cell(row, r.inFlight, "in-flight");
    const t = r.inFlightByThread || {};
    cell(row, text(t["event-loop"]) + " / " + text(t.worker) + " / " + text(t.virtual));
    cell(row, r.redisPool.active + "/" + r.redisPool.max + ", " + r.redisPool.waiting);
    cell(row, r.workerPool.active + "/" + r.workerPool.max + ", " + r.workerPool.waiting);
    cell(row, r.blockingWork.running + "/" + r.blockingWork.max);
    cell(row, r.cpuWork.running + "/" + r.cpuWork.max + ", " + r.cpuWork.waiting);
    cell(row, r.eventLoopDelayMaxMs.toFixed(1) + " ms", r.eventLoopDelayMaxMs > 100 ? "bad" : "");
    cell(row, r.stuckTotal, r.stuckTotal > 0 ? "bad" : "");
    cell(row, r.deadlockedThreads, r.deadlockedThreads > 0 ? "bad deadlocked" : "deadlocked");
    cell(row, r.shedTotal);
    cell(row, r.timedOutTotal);
    body.appendChild(row);
  }
  document.getElementById("replica-count").textContent = "(" + replicas.length + ")";
}

function renderSelf(self) {
  const dl = document.getElementById("self");
  dl.replaceChildren();
  const rows = [
    ["in flight", self.inFlight],
    ["on event loop / worker / virtual threads",
      self.inFlightByThread["event-loop"] + " / " + self.inFlightByThread.worker + " / " + self.inFlightByThread.virtual],
    ["Redis pool", self.redisPool.active + " of " + self.redisPool.max + " connections in use, " + self.redisPool.waiting + " waiting"],
    ["Vert.x worker pool", self.workerPool.active + " of " + self.workerPool.max + " threads busy, " + self.workerPool.waiting + " queued"],
    ["blocking work bulkhead", self.blockingWork.running + " of " + self.blockingWork.max],
    ["CPU work bulkhead", self.cpuWork.running + " of " + self.cpuWork.max + ", " + self.cpuWork.waiting + " waiting"],
    ["event-loop delay (max)", self.eventLoopDelayMaxMs.toFixed(2) + " ms"],
    ["stuck requests so far", self.stuckTotal],
    ["deadlocked threads", self.deadlockedThreads],
  ];
  for (const [name, value] of rows) {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); dd.textContent = text(value);
    dl.append(dt, dd);
  }
}

function element(tag, value, cls) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (cls) node.className = cls;
  return node;
}

/** One hanging thread or request: a title, details, and its stack (always textContent: never data as HTML). */
function hang(title, details, stack) {
  const box = element("div", "", "hang");
  box.append(element("div", title, "title"));
  for (const line of details) box.append(element("div", line, "muted"));
  box.append(element("pre", (stack || []).map(frame => "\tat " + frame).join("\n")));
  return box;
}

function renderHangs(hangs) {
  const deadlock = document.getElementById("deadlock");
  deadlock.replaceChildren(...hangs.deadlocked.map(t => hang(
    "\"" + t.name + "\" #" + t.id + (t.virtual ? " (virtual)" : "") + " " + t.state,
    [text(t.waitKind) + " " + text(t.waitingOn) + ", held by " + text(t.lockOwner)], t.stack)));
  if (!hangs.deadlocked.length) deadlock.append(element("p", "no deadlock", "muted"));
  const stuck = document.getElementById("stuck");
  stuck.replaceChildren(...hangs.stuck.map(r => hang(
    r.method + " " + r.path + " running for " + r.ageMs + " ms",
    ["request id " + r.requestId + " on " + r.threadKind + " thread " + r.thread], r.stack)));
  if (!hangs.stuck.length) stuck.append(element("p", "no stuck request", "muted"));
  document.getElementById("hangs-note").textContent = "(requests past " + hangs.stuckThresholdMs
    + " ms; as of " + new Date().toLocaleTimeString() + ")";
}

/** At most every HANGS_EVERY_MS, one request at a time: the live feed's tick drives it. */
async function refreshHangs() {
  if (hangsBusy || Date.now() - hangsAt < HANGS_EVERY_MS) return;
  hangsBusy = true;
  hangsAt = Date.now();
  try {
    const response = await opsFetch("/ops/hangs");
    if (response.ok) renderHangs(await response.json());
  } catch (failure) {
    // a refused token asks again; the next tick retries
  } finally {
    hangsBusy = false;
  }
}

/**
 * A flight recording of the next N seconds: its summary shown as text, or its .jfr kept as a Blob and offered
 * through a blob: link (the page cannot navigate to /ops/recordings itself: that needs the token's header).
 */
async function record(summary) {
  const status = document.getElementById("recording-status");
  const buttons = [document.getElementById("record-summary"), document.getElementById("record-file")];
  const seconds = document.getElementById("recording-seconds").value;
  await ensureToken();
  buttons.forEach(button => button.disabled = true);
  status.textContent = "recording " + seconds + " s…";
  try {
    const response = await opsFetch("/ops/recordings?seconds=" + encodeURIComponent(seconds)
      + (summary ? "&format=summary" : ""), undefined, "POST");
    if (!response.ok) {
      status.textContent = "refused: " + await problemDetail(response);
      return;
    }
    if (summary) {
      const pre = document.getElementById("recording-summary");
      pre.textContent = await response.text();
      pre.hidden = false;
    } else {
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const blob = await response.blob();
      const link = document.getElementById("recording-file");
      if (link.href) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(blob);
      link.download = name ? name[1] : "tally.jfr";
      link.textContent = link.download + " (" + Math.round(blob.size / 1024) + " KiB)";
      link.hidden = false;
      link.click();
    }
    status.textContent = "done";
  } catch (failure) {
    status.textContent = failure.message;
  } finally {
    buttons.forEach(button => button.disabled = false);
  }
}

function remember(replicas, now) {
  for (const r of replicas) {
    if (!history.has(r.instance)) history.set(r.instance, []);
    history.get(r.instance).push([now, r.inFlight]);
  }
  for (const [name, points] of history) {
    while (points.length && points[0][0] < now - HISTORY_MS) points.shift();
    if (!points.length) history.delete(name);
  }
}

function drawChart(now) {
  const canvas = document.getElementById("chart");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 30;
  g.clearRect(0, 0, w, h);
  let max = 1;
  for (const points of history.values()) for (const [, v] of points) max = Math.max(max, v);
  g.strokeStyle = "#ccd"; g.fillStyle = "#69707d"; g.font = "11px sans-serif";
  g.beginPath(); g.moveTo(pad, 5); g.lineTo(pad, h - pad); g.lineTo(w - 5, h - pad); g.stroke();
  // The window grows with the data (at least 30 s) up to 5 minutes, so a fresh console is readable at once.
  let oldest = now;
  for (const points of history.values()) if (points.length) oldest = Math.min(oldest, points[0][0]);
  const span = Math.min(HISTORY_MS, Math.max(30000, now - oldest));
  const x = t => pad + (w - pad - 5) * (1 - (now - t) / span);
  const y = v => h - pad - (h - pad - 10) * v / max;
  g.fillText(String(max), 4, 12); g.fillText("0", 18, h - pad);
  g.fillText("-" + Math.round(span / 1000) + " s", pad, h - 10); g.fillText("now", w - 30, h - 10);
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  [...history.keys()].sort().forEach((name, i) => {
    const color = COLORS[i % COLORS.length];
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    history.get(name).forEach(([t, v], j) => j ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v)));
    g.stroke();
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = color; // through the CSSOM: the policy allows no inline style attribute
    item.append(swatch, name);
    legend.appendChild(item);
  });
}

function handle(data) {
  const now = Date.now();
  selfName = data.self.instance;
  document.getElementById("self-name").textContent = selfName;
  // The cluster view comes from Redis (up to a second old); this replica's own figures are fresh.
  const replicas = data.cluster.filter(r => r.instance !== selfName).concat([data.self])
    .sort((a, b) => a.instance.localeCompare(b.instance));
  renderReplicas(replicas);
  renderSelf(data.self);
  remember(replicas, now);
  drawChart(now);
  refreshHangs();
}

function setStatus(text, cls) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = cls;
}

function token() { return sessionStorage.getItem(TOKEN_KEY); }

/** A refusal's RFC 9457 detail, or its status when the body is no problem document. */
async function problemDetail(response) {
  try { return (await response.json()).detail || String(response.status); } catch (ignored) { return String(response.status); }
}

/** fetch() with the token; a 401 or 403 forgets it, asks again and rejects (the caller retries once connected). */
async function opsFetch(path, signal, method = "GET") {
  const response = await fetch(path, {
    method, headers: { "Authorization": "Bearer " + token() }, cache: "no-store", signal });
  if (response.status === 401 || response.status === 403) {
    const detail = await problemDetail(response);
    askForToken(detail);
    throw new Error("not authorized: " + detail);
  }
  return response;
}

let asking = null; // resolves once the operator has entered a token
let feed = null; // aborts the live feed's connection
function askForToken(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (feed) feed.abort();
  setStatus("token needed", "down");
  document.getElementById("login-error").textContent = reason || "";
  const form = document.getElementById("login");
  form.hidden = false;
  document.getElementById("token").focus();
  if (!asking) {
    asking = new Promise(resolve => {
      form.onsubmit = event => {
        event.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
        document.getElementById("token").value = "";
        form.hidden = true;
        asking = null;
        resolve();
      };
    });
  }
  return asking;
}

async function ensureToken() {
  while (!token()) await askForToken("");
}

/** One connection to the feed: reads "data:" lines of the event stream until it ends or fails. */
async function stream() {
  feed = new AbortController();
  const response = await opsFetch("/ops/events", feed.signal);
  if (!response.ok || !response.body) throw new Error("feed answered " + response.status);
  setStatus("live", "live");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (line.startsWith("data: ")) handle(JSON.parse(line.slice(6)));
      }
    }
  }
}

async function connect() {
  for (;;) {
    await ensureToken();
    try {
      await stream();
    } catch (failure) {
      // a refused token has already asked for a new one; anything else is a lost connection
    }
    if (token()) setStatus("reconnecting", "down");
    await new Promise(resolve => setTimeout(resolve, RECONNECT_MS));
  }
}

/** The links of the header: their answers need the token too, so they are fetched and shown in the page. */
async function show(path) {
  const view = document.getElementById("view");
  await ensureToken();
  try {
    const response = await opsFetch(path);
    view.textContent = path + " (" + response.status + ")\n\n" + await response.text();
  } catch (failure) {
    view.textContent = path + ": " + failure.message;
  }
  view.hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => show(button.dataset.view));
  }
  document.getElementById("forget").addEventListener("click", () => askForToken("token forgotten"));
  document.getElementById("record-summary").addEventListener("click", () => record(true));
  document.getElementById("record-file").addEventListener("click", () => record(false));
  connect();
});
