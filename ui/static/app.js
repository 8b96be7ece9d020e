// Studio web app: reads the hub REST API and follows the /ws live channel.
const $ = (id) => document.getElementById(id);

async function api(path, init) {
  const r = await fetch(path, init);
  const body = await r.json();
  if (body.status !== "ok") throw new Error(body.error || r.statusText);
  return body.result;
}

async function loadStatus() {
  try {
    const s = await api("/status");
    $("status").textContent = JSON.stringify(s, null, 2);
    if (s.temporal.web_ui) { $("temporal-ui").href = s.temporal.web_ui; $("temporal-ui").hidden = false; }
  } catch (e) { $("status").textContent = "error: " + e.message; }
}

async function loadCommands() {
  const list = await api("/commands?limit=50");
  $("commands").replaceChildren(...list.map((c) => {
    const tr = document.createElement("tr");
    for (const v of [c.id, c.type, c.status, new Date(c.start_time).toLocaleString(), c.duration.toFixed(1) + " s", c.failure || ""]) {
      const td = document.createElement("td"); td.textContent = v; tr.append(td);
    }
    if (c.status === "failed") tr.className = "failed";
    return tr;
  }));
}

function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  let timer;
  ws.onopen = () => {
    $("live").style.background = "#2a2";
    timer = setInterval(() => ws.send(JSON.stringify({ op: "ping", t: performance.now() })), 5000);
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.op === "pong") {
      const ms = performance.now() - msg.t;
      $("latency").textContent = ms.toFixed(0) + " ms";
      $("live").style.background = ms < 100 ? "#2a2" : ms < 500 ? "#e90" : "#c22";
      return;
    }
    if (msg.op !== "event") return;
    const line = document.createElement("div");
    const p = msg.progress && msg.progress.done !== undefined ? ` ${msg.progress.done}/${msg.progress.total || "?"} ${msg.progress.unit || ""}` : "";
    line.textContent = `${msg.time} ${msg.type} ${msg.workflow_id}${msg.activity_type ? " " + msg.activity_type : ""}${p}${msg.error ? " — " + msg.error : ""}`;
    $("events").prepend(line);
    if (msg.type.startsWith("workflow.")) loadCommands();
  };
  ws.onclose = () => { clearInterval(timer); $("live").style.background = "#c22"; setTimeout(connect, 2000); };
}

$("selfcheck").onclick = async () => { await api("/selfcheck", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }); };
loadStatus();
loadCommands();
connect();
