// A document's page: its state, downloads, the content rendered beside its annotations. Entities are highlighted in
// the content; each extracted field and entity links to the page (or sheet) it came from.
"use strict";

(() => {
  const { el, getJson, size, seconds, time, stateBadge, final } = annotate;
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get("id") || "";

  function where(location) {
    if (!location) return "";
    const parts = [];
    if (location.page) parts.push("page " + location.page);
    if (location.sheet) parts.push("sheet " + location.sheet);
    if (location.cell) parts.push("cell " + location.cell);
    if (location.line) parts.push("line " + location.line);
    if (!parts.length && location.block !== undefined && location.block !== null) parts.push("block " + location.block);
    return parts.join(", ");
  }

  // Where in the rendered content a location is: the section of its page, or the heading of its sheet.
  function targetOf(location, text) {
    if (location && location.page) return document.getElementById("page-" + location.page);
    if (text) {
      const mark = [...$("content").querySelectorAll("mark.entity")].find((m) => m.textContent === text);
      if (mark) return mark;
    }
    if (!location) return null;
    if (location.sheet) {
      return [...$("content").querySelectorAll("h1, h2, h3")].find((h) => h.textContent.includes(location.sheet)) || null;
    }
    return null;
  }

  // A link to where a finding came from: its page or sheet, or else the place its text is marked in the content.
  function sourceLink(location, found) {
    const text = where(location);
    if (!text) return el("span", { class: "muted", text: "—" });
    const button = el("button", { type: "button", class: "link", text });
    button.addEventListener("click", () => {
      const target = targetOf(location, found);
      if (!target) return;
      target.scrollIntoView({ behavior: "smooth", block: "start" });
      target.classList.add("flash");
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      setTimeout(() => target.classList.remove("flash"), 1600);
    });
    return button;
  }

  function section(title, ...children) {
    return el("section", { class: "annotation" }, el("h3", { text: title }), ...children);
  }

  function table(headers, rows) {
    return el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c)))))));
  }

  function definitions(pairs) {
    return el("dl", { class: "pairs" }, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, typeof v === "object" && !(v instanceof Node) ? JSON.stringify(v) : v)]));
  }

  function value(v) {
    return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  // Marks each entity's text where it occurs in the content (text nodes only; the content's markup is left as it is).
  function highlight(entities) {
    const texts = [...new Set(entities.map((e) => e.text).filter((t) => t && t.trim().length >= 2))]
      .sort((a, b) => b.length - a.length).slice(0, 200);
    if (!texts.length) return;
    const escaped = texts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp("(" + escaped.join("|") + ")", "g");
    const types = new Map(entities.map((e) => [e.text, e.type]));
    const walker = document.createTreeWalker($("content"), NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const text = node.nodeValue;
      pattern.lastIndex = 0;
      if (!pattern.test(text)) continue;
      const fragment = document.createDocumentFragment();
      let last = 0;
      text.replace(pattern, (match, _group, offset) => {
        fragment.append(text.slice(last, offset));
        fragment.append(el("mark", { class: "entity", "data-type": types.get(match) || "", title: types.get(match) || "", text: match }));
        last = offset + match.length;
        return match;
      });
      fragment.append(text.slice(last));
      node.replaceWith(fragment);
    }
  }

  function renderAnnotations(a, record) {
    const parts = [];
    const properties = a.properties || {};
    parts.push(section("Document", definitions([
      ["Format", a.source && a.source.format],
      ["Size", a.source && size(a.source.sizeBytes)],
      ["Title", properties.title], ["Author", properties.author], ["Created", properties.created],
      ["Pages", a.statistics && a.statistics.pages], ["Sheets", a.statistics && a.statistics.sheets],
      ["Words", a.statistics && a.statistics.words], ["Rows", a.statistics && a.statistics.rows],
      ["Language", a.language && `${a.language.name} (${Math.round(a.language.confidence * 100)}%)`],
    ])));
    if (a.metadata) {
      const m = a.metadata;
      parts.push(section("Metadata (model)", definitions(Object.entries(m).filter(([k]) => k !== "provenance" && k !== "annotator")
        .map(([k, v]) => [k, value(v)]))));
    }
    if (a.extraction && a.extraction.fields) {
      parts.push(section("Extracted fields", table(["Field", "Value", "Source", "Status"],
        a.extraction.fields.map((f) => [el("code", { text: f.path }), value(f.value), sourceLink(f.location, f.text),
          el("span", { class: "badge " + (f.grounded ? "state-completed" : "state-failed"), text: f.status })]))));
    }
    if (a.entities && a.entities.length) {
      parts.push(section(`Entities (${a.entities.length})`, table(["Type", "Text", "Value", "Source"],
        a.entities.slice(0, 500).map((e) => [e.type, e.text, value(e.value) + (e.currency ? " " + e.currency : ""), sourceLink(e.location, e.text)]))));
    }
    if (a.columns && a.columns.length) {
      parts.push(section("Columns", table(["Sheet", "Column", "Type", "Count", "Empty", "Distinct", "Min", "Max"],
        a.columns.map((c) => [c.sheet || "", c.header, c.inferredType, String(c.count), Math.round(c.emptyRatio * 100) + "%",
          String(c.distinctCount), value(c.min), value(c.max)]))));
    }
    if (a.notices && a.notices.length) {
      parts.push(section("Notices", el("ul", {}, ...a.notices.map((n) => el("li", {}, el("code", { text: n.code || "" }), " ", n.message || "", n.location ? " · " : "", n.location ? sourceLink(n.location) : null)))));
    }
    const timings = record.timings || {};
    parts.push(section("Timings", definitions([
      ["Read", seconds(timings.readMs)], ["Annotate", seconds(timings.annotateMs)], ["Write", seconds(timings.writeMs)], ["Total", seconds(timings.totalMs)],
    ]), a.annotators && a.annotators.length ? table(["Annotator", "Status", "Time"],
      a.annotators.map((r) => [r.name, r.status + (r.reason ? ` (${r.reason})` : ""), seconds(r.durationMs) || "0 s"])) : null));
    const provenance = (a.extraction && a.extraction.provenance) || (a.metadata && a.metadata.provenance);
    parts.push(section("Provenance", definitions([
      ["Generator", a.generator && `${a.generator.name} ${a.generator.version}`],
      ["Generated", time(a.generatedAt)],
      ["SHA-256", a.source && a.source.sha256],
      ["Model", provenance && value(provenance.model || provenance)],
      ["Duplicate of", record.duplicateOf],
    ])));
    $("annotations").replaceChildren(...parts);
  }

  function renderRecord(record) {
    document.title = record.fileName + " · Annotate";
    $("doc-title").textContent = record.fileName;
    $("doc-state").replaceChildren(stateBadge(record.state), " ",
      el("span", { class: "muted", text: [record.profile ? "profile " + record.profile : "default profile", size(record.sizeBytes), "received " + time(record.receivedAt)].filter(Boolean).join(" · ") }));
    $("doc-message").hidden = !record.message;
    $("doc-message").textContent = record.message ? `${record.reason}: ${record.message}` : "";
    $("redrive").hidden = record.state !== "Failed";
    $("cancel").hidden = final(record.state);
    $("downloads").replaceChildren(...(record.outputs || []).map((o) =>
      el("li", {}, el("a", { href: o.url, download: o.name, text: o.name }), " ", el("span", { class: "muted", text: size(o.sizeBytes) }))));
  }

  async function load() {
    let record;
    try {
      record = await getJson("/api/documents/" + encodeURIComponent(id));
    } catch (error) {
      $("doc-title").textContent = error.status === 404 ? "No such document" : "The document could not be read";
      $("doc-message").textContent = error.message;
      $("doc-message").hidden = false;
      return;
    }
    renderRecord(record);
    if (!final(record.state)) {
      setTimeout(load, 1000);
      return;
    }
    if (record.state !== "Completed") {
      $("content").replaceChildren(el("p", { class: "muted", text: "Nothing to show: the document failed." }));
      $("annotations").replaceChildren();
      return;
    }
    const hasContent = (record.outputs || []).some((o) => o.name === "content.md");
    if (hasContent) {
      const response = await fetch("/api/documents/" + encodeURIComponent(id) + "/content.html");
      // Rendered on the server from Markdown with raw HTML escaped and unsafe links removed; the page's content security
      // policy allows no inline script either way.
      if (response.ok) $("content").innerHTML = await response.text();
    }
    const annotations = (record.outputs || []).find((o) => o.name === "annotations.json");
    if (annotations) {
      const a = await getJson(annotations.url);
      renderAnnotations(a, record);
      highlight(a.entities || []);
    }
    document.body.dataset.loaded = "true";
  }

  async function act(url, done) {
    $("action-status").textContent = "";
    const response = await fetch(url, { method: "POST" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      $("action-status").textContent = body.detail || response.statusText;
      $("action-status").className = "error";
      return;
    }
    done(body);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("redrive").addEventListener("click", () => act("/api/documents/" + encodeURIComponent(id) + "/redrive",
      (body) => location.assign("/document.html?id=" + encodeURIComponent(body.id))));
    $("cancel").addEventListener("click", () => act("/api/documents/" + encodeURIComponent(id) + "/cancel",
      () => { $("action-status").textContent = "Cancelled."; load(); }));
    load();
  });
})();
