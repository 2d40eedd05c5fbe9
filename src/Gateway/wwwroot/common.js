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

// Sign-in --------------------------------------------------------------------------------------------------------------
// When the gateway requires API keys, the pages ask for one, keep it in sessionStorage (this tab only, gone when it
// closes) and send it in the X-Api-Key header with every request to /api: fetch is wrapped, so every page's calls carry
// it, and links into /api (downloads) are fetched with it and handed to the browser as a blob.
(() => {
  const keyItem = "annotate.apiKey";
  const header = "X-Api-Key";
  const nativeFetch = window.fetch.bind(window);
  const storedKey = () => sessionStorage.getItem(keyItem);

  function isApi(url) {
    const target = new URL(url, location.href);
    return target.origin === location.origin && target.pathname.startsWith("/api/");
  }

  window.fetch = async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!isApi(url)) return nativeFetch(input, init);
    const key = storedKey();
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    if (key) headers.set(header, key);
    const response = await nativeFetch(input, { ...init, headers });
    if (response.status === 401 && new URL(url, location.href).pathname !== "/api/session") {
      showSignIn(key ? "This key is no longer accepted (revoked?): sign in again." : null);
    }
    return response;
  };

  // A link into /api (an output, the reviewed annotations) is downloaded with the key: fetched, then saved from a blob URL.
  document.addEventListener("click", async (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || !storedKey() || !isApi(link.href) || event.defaultPrevented || event.button !== 0) return;
    event.preventDefault();
    const response = await window.fetch(link.href);
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const save = annotate.el("a", { href: url, download: link.getAttribute("download") || decodeURIComponent(new URL(link.href).pathname.split("/").pop()), hidden: true });
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });

  function showSignIn(message) {
    document.body.classList.add("signed-out");
    let panel = document.getElementById("signin");
    if (!panel) {
      const input = annotate.el("input", { id: "signin-key", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
      const error = annotate.el("p", { id: "signin-error", class: "error", role: "alert" });
      const form = annotate.el("form", { class: "row" },
        annotate.el("label", { for: "signin-key", text: "API key" }), input, annotate.el("button", { type: "submit", text: "Sign in" }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        error.textContent = "";
        const key = input.value.trim();
        const response = await nativeFetch("/api/session", { headers: { [header]: key, Accept: "application/json" } });
        if (response.ok) {
          sessionStorage.setItem(keyItem, key);
          location.reload();
          return;
        }
        let detail = response.statusText;
        try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
        error.textContent = response.status === 401 ? "That key is not known, or was revoked." : detail;
        input.select();
      });
      panel = annotate.el("section", { id: "signin", class: "card signin", "aria-labelledby": "signin-title" },
        annotate.el("h2", { id: "signin-title", text: "Sign in" }),
        annotate.el("p", { class: "muted", text: "This Annotate needs an API key. Paste yours: it is kept in this tab only, until you sign out or close it." }),
        form, error);
      document.querySelector("main").prepend(panel);
    }
    if (message) document.getElementById("signin-error").textContent = message;
    document.getElementById("signin-key").focus();
  }

  function showSession(session) {
    if (!session.keysRequired) return;
    const signOut = annotate.el("button", { id: "sign-out", type: "button", class: "secondary", text: "Sign out" });
    signOut.addEventListener("click", () => { sessionStorage.removeItem(keyItem); location.reload(); });
    document.querySelector("header.top").append(annotate.el("p", { id: "session", class: "session" },
      "Tenant ", annotate.el("strong", { id: "session-tenant", text: session.tenant }), " ", signOut));
  }

  // Resolves once the caller is known (signed in, or keys not required); while a key is needed it stays pending, and
  // signing in reloads the page.
  annotate.session = (async () => {
    let response;
    try {
      response = await window.fetch("/api/session", { headers: { Accept: "application/json" } });
    } catch {
      return { keysRequired: false };
    }
    if (response.status === 401) {
      const hadKey = storedKey() !== null;
      sessionStorage.removeItem(keyItem);
      showSignIn(hadKey ? "That key is not known, or was revoked." : null);
      return new Promise(() => {});
    }
    const session = response.ok ? await response.json() : { keysRequired: false };
    showSession(session);
    return session;
  })();
})();
