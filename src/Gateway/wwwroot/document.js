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

  // Review: each reviewable value is an input holding the model's value; saving sends the ones changed.
  const editors = [];
  function editor(kind, name, original, label, attributes) {
    const text = original === null || original === undefined ? "" : typeof original === "string" ? original : JSON.stringify(original);
    const input = el("input", { type: "text", class: "review-input", "aria-label": label || `${kind === "field" ? "Field" : "Metadata"} ${name}`, "data-kind": kind, "data-name": name, value: text, ...(attributes || {}) });
    input.value = text;
    editors.push({ kind, name, original, input, text });
    return input;
  }

  const rowKey = (block, row, field) => `${block}:${row}:${field}`;
  const shownRows = 500;

  // The model's row fields of each annotated table, editable; a label field offers the labels the model used.
  function rowsSection(rows) {
    const fields = rows.fields || [];
    const lists = fields.map((field, i) => el("datalist", { id: "row-values-" + i },
      ...[...new Set(rows.tables.flatMap((t) => t.rows.map((r) => r.values[field])).filter((v) => v))].slice(0, 50).map((v) => el("option", { value: v }))));
    let shown = 0;
    let total = 0;
    const parts = [];
    for (const t of rows.tables || []) {
      total += t.rows.length;
      const lines = t.rows.slice(0, Math.max(0, shownRows - shown)).map((r) => [String(r.row),
        ...fields.map((field, i) => editor("row", rowKey(t.block, r.row, field), r.values[field], `Row ${r.row} ${field}`,
          { list: "row-values-" + i, "data-block": String(t.block), "data-row": String(r.row), "data-field": field }))]);
      shown += lines.length;
      parts.push(el("h4", { text: [t.sheet || "data", t.table && t.table !== t.sheet ? t.table : null].filter(Boolean).join(" · ") }),
        table(["Row", ...fields], lines));
    }
    if (total > shown) parts.push(el("p", { class: "muted", text: `The first ${shown} of ${total} annotated rows are shown; the review API takes corrections for any row.` }));
    return section("Row annotations (model)", ...lists, ...parts);
  }

  function parsed(text, original) {
    // A value that was not text (a number, a list) is read back as JSON when it parses; otherwise it is text.
    if (typeof original !== "string" && original !== null && original !== undefined) {
      try { return JSON.parse(text); } catch { /* text */ }
    }
    return text;
  }

  function reviewForm() {
    const reviewer = el("input", { type: "text", id: "reviewer", autocomplete: "name", "aria-label": "Your name" });
    reviewer.value = localStorage.getItem("annotate.reviewer") || "";
    const save = el("button", { type: "button", id: "save-review", text: "Save review" });
    const status = el("span", { id: "review-status", role: "status" });
    save.addEventListener("click", async () => {
      const body = { reviewer: reviewer.value, fields: {}, metadata: {}, rows: [] };
      for (const e of editors) {
        if (e.input.value === e.text) continue;
        if (e.kind === "row") {
          const [block, row] = e.name.split(":");
          body.rows.push({ block: Number(block), row: Number(row), field: e.input.dataset.field, value: e.input.value === "" ? null : e.input.value });
        } else {
          (e.kind === "field" ? body.fields : body.metadata)[e.name] = parsed(e.input.value, e.original);
        }
      }
      localStorage.setItem("annotate.reviewer", reviewer.value);
      const response = await fetch("/api/documents/" + encodeURIComponent(id) + "/review",
        { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = answer.detail || response.statusText;
        status.className = "error";
        return;
      }
      showReview(answer);
    });
    return section("Review", el("p", { class: "muted", text: "Correct the values above and save: the model's annotations stay as they were, and annotations.reviewed.json holds yours with the originals beside them." }),
      el("p", { class: "row" }, el("label", { for: "reviewer", text: "Reviewer" }), reviewer, save), status,
      el("p", {}, el("a", { id: "reviewed-download", href: "/api/documents/" + encodeURIComponent(id) + "/review", download: "annotations.reviewed.json", hidden: true, text: "annotations.reviewed.json" })));
  }

  function showReview(review) {
    const status = $("review-status");
    if (!status) return;
    const rows = (review.rows || []).map((r) => ({ ...r, kind: "row", name: rowKey(r.block, r.row, r.field) }));
    const changed = [...review.fields, ...review.metadata, ...rows].filter((v) => v.changed).length;
    status.textContent = `Reviewed by ${review.reviewedBy}, ${time(review.reviewedAt)}: ${changed} value(s) corrected.`;
    status.className = "ok";
    $("reviewed-download").hidden = false;
    for (const v of [...review.fields.map((f) => ({ ...f, kind: "field" })), ...review.metadata.map((m) => ({ ...m, kind: "metadata" })), ...rows]) {
      const e = editors.find((x) => x.kind === v.kind && x.name === v.name);
      if (e && v.changed) {
        e.input.value = typeof v.value === "string" ? v.value : JSON.stringify(v.value);
        e.input.classList.add("corrected");
        e.input.title = "Model: " + value(v.original);
      }
    }
    $("doc-state").querySelector(".reviewed")?.remove();
    $("doc-state").append(el("span", { class: "badge reviewed", text: "Reviewed" }));
    // The reviewed downloads appear once the review is stored.
    getJson("/api/documents/" + encodeURIComponent(id)).then(renderDownloads).catch(() => { /* the links stay as they were */ });
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
      const reviewable = ["title", "documentType", "summary", "keywords"];
      parts.push(section("Metadata (model)", definitions(Object.entries(m).filter(([k]) => k !== "provenance" && k !== "annotator")
        .map(([k, v]) => [k, reviewable.includes(k) ? editor("metadata", k, v) : value(v)]))));
    }
    if (a.extraction && a.extraction.fields) {
      parts.push(section("Extracted fields", table(["Field", "Value", "Source", "Status"],
        a.extraction.fields.map((f) => [el("code", { text: f.path }), editor("field", f.path, f.value), sourceLink(f.location, f.text),
          el("span", { class: "badge " + (f.grounded ? "state-completed" : "state-failed"), text: f.status })]))));
    }
    if (a.rows && a.rows.tables.length) {
      parts.push(rowsSection(a.rows));
    }
    // After every value it saves.
    if ((a.extraction && a.extraction.fields && a.extraction.fields.length) || a.metadata || (a.rows && a.rows.tables.length)) {
      parts.push(reviewForm());
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
    renderDownloads(record);
    renderFamily(record);
  }

  // An e-mail's attachments and an archive's entries are documents of their own: link them, and link a child to its parent.
  function renderFamily(record) {
    const link = (documentId, text) => el("a", { href: "/document.html?id=" + encodeURIComponent(documentId), class: "filename", text: text });
    $("doc-parent").hidden = !record.parentId;
    $("doc-parent").replaceChildren(...(record.parentId ? ["Found inside ", link(record.parentId, "its parent document")] : []));
    const children = record.children || [];
    $("doc-children").hidden = children.length === 0;
    $("doc-children").replaceChildren(...children.map((c) =>
      el("li", {}, link(c.id, c.fileName), " ", stateBadge(c.state), c.reason ? el("span", { class: "muted", text: " " + c.reason }) : null)));
  }

  function reviewedName(name) {
    const dot = name.lastIndexOf(".");
    return dot < 0 ? name + ".reviewed" : name.slice(0, dot) + ".reviewed" + name.slice(dot);
  }

  function renderDownloads(record) {
    $("downloads").replaceChildren(...(record.outputs || []).map((o) =>
      el("li", {}, el("a", { href: o.url, download: o.name, text: o.name }), " ", el("span", { class: "muted", text: size(o.sizeBytes) }),
        o.reviewedUrl ? " · " : null,
        o.reviewedUrl ? el("a", { href: o.reviewedUrl, download: reviewedName(o.name), class: "reviewed-download", "data-output": o.name, text: "reviewed" }) : null)));
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
      const review = await fetch("/api/documents/" + encodeURIComponent(id) + "/review");
      if (review.status === 200) showReview(await review.json());
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
