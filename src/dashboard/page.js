// The Arr dashboard's script (compiled into the binary): follows /events (Server-Sent
// Events, messages described in src/dashboard/collect.rs) and draws the current
// computation: progress per node, the task stream per worker, memory held against the
// budget, elements per second, and the plan graph lighting up.
"use strict";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const $ = (id) => document.getElementById(id);

let run = null;          // the current computation
let dirty = false;

function human(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i + 1 < u.length) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${u[i]}`;
}
function si(n) {
  const u = ["", "k", "M", "G", "T"];
  let i = 0;
  while (n >= 1000 && i + 1 < u.length) { n /= 1000; i++; }
  return `${n.toFixed(i ? 1 : 0)}${u[i]}`;
}

function onPlan(m) {
  run = {
    id: m.run, kind: m.kind, nodes: m.nodes, threads: m.threads, budget: m.memory_limit,
    done: m.nodes.map(() => 0), running: m.nodes.map(() => 0), other: 0,
    lanes: [], bars: 0, tasks: 0, tEnd: 0, ended: null,
    memory: [[0, m.memory]], rates: [], lastElements: 0, lastT: 0, elements: 0,
    expected: m.nodes.reduce((s, n) => s + n.tasks, 0),
  };
  $("runinfo").textContent =
    `computation ${m.run} (${m.kind}): ${m.nodes.length} nodes, ${run.expected} tasks expected, ` +
    `${m.threads} threads, budget ${human(m.memory_limit)}, projected peak ${human(m.projected_peak)}`;
  setStatus("running", "running");
  const tbody = $("nodes").querySelector("tbody");
  tbody.innerHTML = "";
  for (const n of m.nodes) {
    if (n.tasks === 0) continue;
    const tr = document.createElement("tr");
    tr.id = `row${n.id}`;
    tr.innerHTML = `<td><i style="color:${colour(n.id)}">■</i> #${n.id} ${esc(n.name)}</td>` +
      `<td>${esc(n.type)}</td><td>${esc(n.chunks)}</td><td class="cnt">0 / ${n.tasks}</td>` +
      `<td class="mini"><div class="bar"><div style="width:0%"></div></div></td>`;
    tbody.appendChild(tr);
  }
  $("plan").innerHTML = m.svg;
  const legend = $("legend");
  legend.innerHTML = "";
  for (const n of m.nodes) {
    if (n.tasks === 0) continue;
    const s = document.createElement("span");
    s.innerHTML = `<i style="background:${colour(n.id)}"></i>#${n.id} ${esc(n.name)}`;
    legend.appendChild(s);
  }
  dirty = true;
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
}
function colour(node) { return node < 0 ? "#888" : PALETTE[node % PALETTE.length]; }

function onTick(m) {
  if (!run || m.run !== run.id) return;
  run.done = m.done; run.running = m.running; run.other = m.other;
  for (const b of m.bars) {
    const [worker, node, start, end, count] = b;
    while (run.lanes.length <= worker) run.lanes.push([]);
    run.lanes[worker].push([start, end, node, count]);
    run.bars += 1;
    run.tasks += count;
  }
  run.tEnd = Math.max(run.tEnd, m.t);
  run.memory.push([m.t, m.memory]);
  const dt = m.t - run.lastT;
  if (dt > 0.02) {
    run.rates.push([m.t, Math.max(0, m.elements - run.lastElements) / dt]);
    run.lastElements = m.elements; run.lastT = m.t;
  }
  run.elements = m.elements;
  dirty = true;
}

function onEnd(m) {
  if (!run || m.run !== run.id) return;
  run.ended = m;
  $("status").dataset.tasks = m.tasks;
  run.tEnd = Math.max(run.tEnd, m.t);
  if (m.t > run.lastT) {
    run.rates.push([m.t, Math.max(0, m.elements - run.lastElements) / (m.t - run.lastT)]);
  }
  setStatus(m.ok ? "finished" : "failed",
            m.ok ? `finished: ${m.tasks} tasks in ${m.t.toFixed(2)} s` : "failed or cancelled");
  dirty = true;
}

function setStatus(state, text) {
  const s = $("status");
  s.dataset.state = state;
  s.textContent = text;
}

function percent() {
  if (!run) return 0;
  if (run.ended && run.ended.ok) return 100;
  let done = 0;
  run.nodes.forEach((n, i) => { done += Math.min(run.done[i] || 0, n.tasks); });
  return run.expected > 0 ? Math.min(99, Math.floor(100 * done / run.expected)) : 0;
}

function draw() {
  requestAnimationFrame(draw);
  if (!dirty || !run) return;
  dirty = false;
  const p = percent();
  $("percent").textContent = `${p} %`;
  $("percent").dataset.percent = p;
  $("progress").style.width = `${p}%`;
  const done = run.done.reduce((a, b) => a + b, 0) + run.other;
  $("counts").textContent = `${done} tasks done, ${run.running.reduce((a, b) => a + Math.max(0, b), 0)} running`;
  const rate = run.ended ? run.elements / Math.max(run.tEnd, 1e-9)
    : (run.rates.length ? run.rates[run.rates.length - 1][1] : 0);
  $("rate").textContent = `${si(run.elements)} elements, ${si(rate)} elements/s` + (run.ended ? " on average" : "");
  $("rate").dataset.rate = rate;
  run.nodes.forEach((n, i) => {
    const row = $(`row${i}`);
    if (!row) return;
    const d = run.done[i] || 0;
    const total = Math.max(n.tasks, d);
    const f = run.ended && run.ended.ok ? 1 : (total ? d / total : 0);
    row.querySelector(".cnt").textContent = `${d} / ${total}`;
    row.querySelector(".mini .bar div").style.width = `${(100 * f).toFixed(1)}%`;
  });
  drawStream();
  drawMemory();
  drawRates();
  lightPlan();
}

function drawStream() {
  const c = $("taskstream");
  const lanes = Math.max(run.lanes.length, 1);
  const laneH = 22;
  c.height = lanes * laneH + 20;
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  const left = 70, w = c.width - left - 10;
  const span = Math.max(run.tEnd, 1e-3);
  g.font = "11px sans-serif";
  g.fillStyle = "#555";
  for (let l = 0; l < lanes; l++) {
    g.fillText(l < run.threads ? `worker ${l}` : "main", 4, l * laneH + 15);
  }
  for (let l = 0; l < run.lanes.length; l++) {
    // Bars closer than a pixel in one colour are painted as one rectangle.
    let px0 = -1, px1 = -1, col = null;
    const flush = () => { if (col) { g.fillStyle = col; g.fillRect(px0, l * laneH + 3, Math.max(1, px1 - px0), laneH - 6); } };
    for (const [s, e, node] of run.lanes[l]) {
      const x0 = left + Math.floor(w * s / span), x1 = left + Math.ceil(w * e / span);
      const cc = colour(node);
      // Bars a few pixels wide or more keep a one-pixel gap, so each task shows.
      if (x1 - x0 >= 3) { flush(); col = null; g.fillStyle = cc; g.fillRect(x0, l * laneH + 3, x1 - x0 - 2, laneH - 6); continue; }
      if (cc === col && x0 <= px1 + 1) { px1 = Math.max(px1, x1); continue; }
      flush();
      px0 = x0; px1 = x1; col = cc;
    }
    flush();
  }
  g.fillStyle = "#555";
  g.fillText(`${span.toFixed(2)} s`, c.width - 60, c.height - 4);
  c.dataset.tasks = run.tasks;
  c.dataset.bars = run.bars;
  c.dataset.lanes = run.lanes.length;
}

function chart(canvas, points, limit, fmt) {
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  const left = 70, w = canvas.width - left - 10, h = canvas.height - 20;
  const span = Math.max(run.tEnd, 1e-3);
  let top = limit || 0;
  for (const [, v] of points) top = Math.max(top, v);
  top = top * 1.05 || 1;
  const y = (v) => 5 + h - h * v / top;
  g.font = "11px sans-serif";
  g.fillStyle = "#555";
  g.fillText(fmt(top), 2, 12);
  g.fillText("0", 2, h + 5);
  if (limit) {
    g.strokeStyle = "#d62728"; g.setLineDash([6, 4]);
    g.beginPath(); g.moveTo(left, y(limit)); g.lineTo(left + w, y(limit)); g.stroke();
    g.setLineDash([]);
    g.fillStyle = "#d62728";
    g.fillText(`budget ${fmt(limit)}`, left + 4, y(limit) - 3);
  }
  g.strokeStyle = "#1f77b4"; g.lineWidth = 2;
  g.beginPath();
  points.forEach(([t, v], i) => {
    const x = left + w * t / span;
    if (i === 0) g.moveTo(x, y(v)); else g.lineTo(x, y(v));
  });
  g.stroke();
  g.lineWidth = 1;
}

function drawMemory() {
  const c = $("memory");
  chart(c, run.memory, run.budget, human);
  const held = run.memory.reduce((m, p) => Math.max(m, p[1]), 0);
  c.dataset.maxHeld = held;
  const g = c.getContext("2d");
  g.fillStyle = "#1f77b4";
  g.font = "12px sans-serif";
  g.fillText(`held now ${human(run.memory[run.memory.length - 1][1])}, peak ${human(held)}`, 80, c.height - 25);
  c.dataset.budget = run.budget;
  c.dataset.samples = run.memory.length;
}

function drawRates() {
  const c = $("elements");
  chart(c, run.rates, 0, (v) => `${si(v)}/s`);
  c.dataset.maxRate = run.rates.reduce((m, p) => Math.max(m, p[1]), 0);
}

function lightPlan() {
  run.nodes.forEach((n, i) => {
    const groups = document.querySelectorAll(`#plan [data-node="${i}"]`);
    if (!groups.length) return;
    const o = n.owner;
    const total = run.nodes[o].tasks;
    const d = run.done[o] || 0;
    let f = run.ended && run.ended.ok ? 1 : (total ? Math.min(1, d / total) : 0);
    const busy = (run.running[o] || 0) > 0;
    const lit = `rgb(${Math.round(255 - 120 * f)}, ${Math.round(255 - 40 * f)}, ${Math.round(255 - 120 * f)})`;
    for (const g of groups) {
      g.dataset.progress = f.toFixed(3);
      for (const r of g.querySelectorAll("rect")) {
        r.setAttribute("fill", lit);
        r.setAttribute("stroke", busy ? "#e6a100" : (f >= 1 ? "#2c7a3f" : "#44546a"));
        r.setAttribute("stroke-width", busy || f >= 1 ? "3" : "1");
      }
    }
  });
}

function connect() {
  const es = new EventSource("/events");
  es.onopen = () => { if (!run) setStatus("connected", "connected, waiting for a computation"); };
  es.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === "plan") onPlan(m);
    else if (m.type === "tick") onTick(m);
    else if (m.type === "end") onEnd(m);
    else if (m.type === "bye") {
      es.close();
      const s = $("status");
      s.textContent += " — program ended";
      document.body.dataset.closed = "true";
    }
  };
  es.onerror = () => {
    if (document.body.dataset.closed === "true") return;
    setStatus(run && run.ended ? $("status").dataset.state : "disconnected", "disconnected");
  };
}

connect();
requestAnimationFrame(draw);
