// The dashboard: upload, a live list of documents with filters, and charts of the last hour. The list is read from
// /api/documents every 1.5 s (the newest 500); filters and charts work on that list.
"use strict";

(() => {
  const { el, getJson, size, seconds, time, stateBadge } = annotate;
  const $ = (id) => document.getElementById(id);
  const refreshMs = 1500;
  let documents = [];

  // Upload -------------------------------------------------------------------------------------------------------------
  async function loadProfiles() {
    try {
      const { names } = await getJson("/api/profiles");
      for (const name of names.filter((n) => n !== "default")) $("profile").append(el("option", { value: name, text: name }));
    } catch { /* the default profile still works */ }
  }

  async function upload(files) {
    for (const file of files) {
      const line = el("li", {}, el("span", { class: "filename", text: file.name }), " ", el("span", { class: "muted", text: "uploading…" }));
      $("upload-status").prepend(line);
      const form = new FormData();
      form.append("file", file, file.name);
      if ($("profile").value) form.append("profile", $("profile").value);
      try {
        const response = await fetch("/api/documents", { method: "POST", body: form });
        const body = await response.json().catch(() => ({}));
        line.lastChild.textContent = response.ok ? "accepted" : (body.detail || response.statusText);
        line.lastChild.className = response.ok ? "ok" : "error";
        if (response.ok && body.id) {
          line.firstChild.replaceWith(el("a", { href: "/document.html?id=" + encodeURIComponent(body.id), class: "filename", text: file.name }));
        }
      } catch (error) {
        line.lastChild.textContent = "could not be sent: " + error.message;
        line.lastChild.className = "error";
      }
    }
    refresh();
  }

  function wireUpload() {
    const drop = $("drop");
    $("file-input").addEventListener("change", (event) => { upload([...event.target.files]); event.target.value = ""; });
    for (const type of ["dragenter", "dragover"]) {
      drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add("over"); });
    }
    for (const type of ["dragleave", "drop"]) {
      drop.addEventListener(type, () => drop.classList.remove("over"));
    }
    drop.addEventListener("drop", (event) => { event.preventDefault(); upload([...event.dataTransfer.files]); });
  }

  // List ---------------------------------------------------------------------------------------------------------------
  function matches(d) {
    const search = $("search").value.trim().toLowerCase();
    const since = $("filter-since").value;
    return (!search || d.fileName.toLowerCase().includes(search))
      && stateMatches(d, $("filter-state").value)
      && (!$("filter-reason").value || d.reason === $("filter-reason").value)
      && (!$("filter-profile").value || (d.profile || "default") === $("filter-profile").value)
      && (!since || new Date(d.receivedAt) >= new Date(since + "T00:00:00"));
  }

  // Reviewed is a kind of Completed: a person checked the annotations (reviewedAt is set when they saved a review).
  function stateMatches(d, wanted) {
    if (wanted === "Reviewed") return d.state === "Completed" && !!d.reviewedAt;
    if (wanted === "Unreviewed") return d.state === "Completed" && !d.reviewedAt;
    return !wanted || d.state === wanted;
  }

  function row(d) {
    const duration = d.timings && d.timings.totalMs ? d.timings.totalMs
      : (d.finishedAt && d.receivedAt ? new Date(d.finishedAt) - new Date(d.receivedAt) : null);
    return el("tr", { "data-id": d.id, "data-state": d.state },
      el("td", { class: "name" }, el("a", { href: "/document.html?id=" + encodeURIComponent(d.id), class: "filename", title: d.fileName, text: d.fileName })),
      el("td", {}, stateBadge(d.state), d.reviewedAt ? el("span", { class: "badge reviewed", title: "Reviewed " + time(d.reviewedAt), text: "Reviewed" }) : null,
        d.duplicateOf ? el("span", { class: "muted", text: " duplicate" }) : null),
      el("td", { text: (d.digest && d.digest.format) || "" }),
      el("td", { text: d.profile || "default" }),
      el("td", { class: "num", text: size(d.sizeBytes) }),
      el("td", { class: "num", text: seconds(duration) }),
      el("td", { text: time(d.receivedAt) }),
      el("td", { class: "reason", title: d.message || "", text: d.reason || "" }));
  }

  function fillOptions(select, values) {
    const current = select.value;
    const known = new Set([...select.options].map((o) => o.value));
    for (const value of [...values].sort()) {
      if (!known.has(value)) select.append(el("option", { value, text: value }));
    }
    select.value = current;
  }

  function renderList() {
    const body = $("documents").tBodies[0];
    const shown = documents.filter(matches);
    body.replaceChildren(...shown.map(row));
    $("empty").hidden = documents.length > 0;
    fillOptions($("filter-reason"), new Set(documents.map((d) => d.reason).filter(Boolean)));
    fillOptions($("filter-profile"), new Set(documents.map((d) => d.profile || "default")));
  }

  // Totals and charts ----------------------------------------------------------------------------------------------------
  function renderTotals() {
    const counts = { Received: 0, Processing: 0, Completed: 0, Failed: 0 };
    for (const d of documents) counts[d.state] = (counts[d.state] || 0) + 1;
    $("totals").replaceChildren(...Object.entries(counts).flatMap(([state, count]) =>
      [el("dt", {}, stateBadge(state)), el("dd", { "data-state": state, text: String(count) })]));
  }

  function perMinute() {
    const now = Date.now();
    const minutes = Array.from({ length: 60 }, () => ({ completed: 0, failed: 0, durations: [] }));
    for (const d of documents) {
      if (!d.finishedAt) continue;
      const age = Math.floor((now - new Date(d.finishedAt)) / 60000);
      if (age < 0 || age >= 60) continue;
      const minute = minutes[59 - age];
      if (d.state === "Completed") minute.completed++;
      if (d.state === "Failed") minute.failed++;
      if (d.timings && d.timings.totalMs) minute.durations.push(d.timings.totalMs / 1000);
    }
    return minutes;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    return node;
  }

  function barChart(target, series, colours) {
    const chart = $(target);
    const max = Math.max(1, ...series.map((values) => values.reduce((a, b) => a + b, 0)));
    const width = 600 / series.length;
    const nodes = [svg("line", { x1: 0, y1: 110, x2: 600, y2: 110, class: "axis" })];
    series.forEach((values, i) => {
      let y = 110;
      values.forEach((value, k) => {
        if (!value) return;
        const height = (value / max) * 100;
        y -= height;
        const bar = svg("rect", { x: i * width + 1, y, width: Math.max(1, width - 2), height, class: colours[k] });
        bar.append(svg("title", {}));
        bar.firstChild.textContent = `${series.length - i} ${series.length === 24 ? "h" : "min"} ago: ${values.join(" / ")}`;
        nodes.push(bar);
      });
    });
    chart.replaceChildren(...nodes);
    chart.dataset.max = String(Math.round(max * 100) / 100);
    const caption = chart.parentElement.querySelector(".max");
    if (caption) caption.textContent = "(highest " + chart.dataset.max + ")";
    chart.dataset.total = String(series.reduce((sum, values) => sum + values[0] + (values[1] || 0), 0));
  }

  function redriveButton(reason) {
    const button = el("button", { type: "button", class: "secondary small", "data-reason": reason, text: "Send again", "aria-label": "Send all failed with " + reason + " again" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      const response = await fetch("/api/documents/redrive?reason=" + encodeURIComponent(reason), { method: "POST" });
      const body = await response.json().catch(() => ({}));
      $("upload-status").prepend(el("li", {}, el("span", { text: `${reason}: ` }),
        el("span", { class: response.ok ? "ok" : "error", text: response.ok ? `${body.redriven.length} sent again` + (body.notKept ? `, ${body.notKept} no longer kept` : "") : (body.detail || response.statusText) })));
      refresh();
    });
    return button;
  }

  // Sized through the CSS object model: the content security policy allows no style attributes.
  function bar(share, count) {
    const node = el("span", { class: "bar", "data-count": count });
    node.style.setProperty("--share", String(share));
    return node;
  }

  function median(values) {
    if (!values.length) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  function renderCharts() {
    const minutes = perMinute();
    barChart("throughput-chart", minutes.map((m) => [m.completed, m.failed]), ["completed", "failed"]);
    barChart("latency-chart", minutes.map((m) => [median(m.durations)]), ["latency"]);
    const reasons = {};
    for (const d of documents) if (d.state === "Failed") reasons[d.reason || "unknown"] = (reasons[d.reason || "unknown"] || 0) + 1;
    const max = Math.max(1, ...Object.values(reasons));
    $("failure-reasons").replaceChildren(...Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([reason, count]) =>
      el("li", {}, el("span", { class: "bar-label", text: reason }),
        bar(count / max, count), el("span", { class: "num", text: String(count) }), redriveButton(reason))));
    if (!Object.keys(reasons).length) $("failure-reasons").append(el("li", { class: "muted", text: "No failures." }));
  }

  // The state store's figures (GET /api/stats): per hour over the last day, latency percentiles and the failure rate.
  // They survive restarts and cover every document, not only the newest 500; the minute charts above are live.
  let statsTimer = null;
  async function refreshStats() {
    clearTimeout(statsTimer);
    try {
      const stats = await getJson("/api/stats");
      barChart("hourly-chart", stats.perHour.map((h) => [h.completed, h.failed]), ["completed", "failed"]);
      const latency = stats.latencyLastHour || {};
      const failures = stats.failuresLastDay || {};
      $("stats-summary").textContent = [
        latency.documents ? `Last hour: median ${seconds(latency.p50Ms)}, 95th percentile ${seconds(latency.p95Ms)} per document` : "Last hour: no document finished",
        failures.finished ? `last day: ${Math.round(failures.rate * 1000) / 10}% of ${failures.finished} failed` : null,
        stats.tokensLastHour && stats.tokensLastHour.out ? `model: ${stats.tokensLastHour.inPerSecond.toFixed(2)} tokens in, ${stats.tokensLastHour.outPerSecond.toFixed(2)} out per second over the last hour` : null,
        `${stats.inFlight} in flight`,
      ].filter(Boolean).join(" · ");
      $("stats").hidden = false;
    } catch {
      $("stats").hidden = true;
    }
    statsTimer = setTimeout(refreshStats, 10000);
  }

  // Refresh --------------------------------------------------------------------------------------------------------------
  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    try {
      documents = await getJson("/api/documents?limit=500");
      $("error").hidden = true;
      renderList();
      renderTotals();
      renderCharts();
    } catch (error) {
      $("error").textContent = "The list could not be refreshed: " + error.message;
      $("error").hidden = false;
    }
    timer = setTimeout(refresh, refreshMs);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    wireUpload();
    for (const id of ["search", "filter-state", "filter-reason", "filter-profile", "filter-since"]) {
      $(id).addEventListener("input", renderList);
    }
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    // Nothing is asked of the API before the caller is known (signed in, or no key needed).
    await annotate.session;
    loadProfiles();
    refresh();
    refreshStats();
  });
})();
