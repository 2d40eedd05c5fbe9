// Shared helpers of the dashboard pages. Everything that comes from a document (names, values, messages) is put in the
// page as text (textContent), never as HTML.
"use strict";

const annotate = {
  el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },

  async getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
      const error = new Error(detail);
      error.status = response.status;
      throw error;
    }
    return response.json();
  },

  size(bytes) {
    if (bytes === null || bytes === undefined) return "";
    const units = ["B", "KB", "MB", "GB"];
    let value = bytes, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
    return (unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
  },

  seconds(ms) {
    if (ms === null || ms === undefined || ms === 0) return "";
    return ms < 10000 ? (ms / 1000).toFixed(2) + " s" : Math.round(ms / 1000) + " s";
  },

  time(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
  },

  stateBadge(state) {
    return annotate.el("span", { class: "badge state-" + String(state).toLowerCase(), text: state });
  },

  final(state) {
    return state === "Completed" || state === "Failed";
  },
};
