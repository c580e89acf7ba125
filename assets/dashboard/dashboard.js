// consultation-hub — read-only dashboard.
//
// Signs in with client credentials (OAuth 2.0 client credentials grant), keeps the access
// token in sessionStorage (this tab only), asks GraphQL for everything in one request and
// draws hand-written SVG. No inline script or style: the page runs under a strict CSP.
//
// Kiosk mode: `/dashboard#client_id=…&client_secret=…` signs in without the form; the
// fragment is cleared at once and the secret is kept in memory only, to get a new token
// when the current one expires.
//
// For tests and monitors, <body> carries data-state (loading | signin | ready | error) and,
// once ready, data-total-contributions, data-total-commitments and data-total-clusters.

(() => {
  "use strict";

  const SLUG = new URLSearchParams(window.location.search).get("consultation") || "grcp-7";
  const TOKEN_KEY = "consultation-hub.dashboard.session";
  const EXPIRY_MARGIN_MS = 30 * 1000;
  const REFRESH_MS = 5 * 60 * 1000;
  const SVG_NS = "http://www.w3.org/2000/svg";

  const KINDS = [
    ["good_practice", "Good practice", "#2f6db5"],
    ["recommendation", "Recommendation", "#e07b26"],
    ["innovative_solution", "Innovative solution", "#3a9a5b"],
    ["common_approach", "Common approach", "#c8424a"],
    ["gap", "Gap", "#7a5cb8"],
    ["partnership", "Partnership", "#1f9ca6"],
    ["commitment", "Commitment", "#b5862a"],
    ["means_of_implementation", "Means of implementation", "#d0619c"],
    ["follow_up_review", "Follow-up and review", "#6b7a8f"],
  ];
  const EXTRA_COLOURS = ["#8c564b", "#17becf", "#bcbd22", "#393b79"];
  const REGIONS = [
    ["africa", "Africa"],
    ["americas", "Americas"],
    ["asia", "Asia"],
    ["europe", "Europe"],
    ["oceania", "Oceania"],
    ["middle_east", "Middle East"],
    ["global", "Global"],
  ];
  const NO_REGION = "\u0000none";
  const PROGRESS = [
    ["planned", "Planned"],
    ["in_progress", "In progress"],
    ["achieved", "Achieved"],
    ["discontinued", "Discontinued"],
    [null, "Not reported"],
  ];
  const ORG_KINDS = {
    UN_REGIONAL_COMMISSION: "UN regional commission",
    REGIONAL_IGO: "regional IGO",
    NGO: "NGO",
    ACADEMIA: "academia",
    PRIVATE_SECTOR: "private sector",
    RCP: "regional consultative process",
    INTERREGIONAL_FORUM: "inter-regional forum",
    GLOBAL_PROCESS: "global process",
    MEMBER_STATE: "member state",
    UN_AGENCY: "UN agency",
    SECRETARIAT: "secretariat",
  };

  const QUERY = `query Dashboard($slug: String!) {
  me { clientId orgKind scopes }
  consultation(slug: $slug) {
    title venue startsOn endsOn
    sessions { number title segments { key title groups { id name } } }
  }
  byRegionKind: stats(consultation: $slug, groupBy: [REGION, KIND]) { keys { dimension value } count }
  byKind: stats(consultation: $slug, groupBy: [KIND]) { keys { dimension value } count }
  clusters(consultation: $slug) { label contributionIds titles groups segments regions organisations }
  commitments(consultation: $slug, first: 200) { id title progressStatus organisation { name acronym } }
}`;

  // ---------------------------------------------------------------------------------------
  // State

  let session = null; // { token, expiresAt }
  let kioskCredentials = null; // { clientId, clientSecret }, memory only
  let lastData = null;
  let expiryTimer = 0;
  let refreshTimer = 0;
  let loadSeq = 0;

  const $ = (id) => document.getElementById(id);

  class DashError extends Error {
    constructor(kind, message, details) {
      super(message);
      this.kind = kind;
      this.details = details || [];
    }
  }

  function setState(state) {
    document.body.dataset.state = state;
  }

  function setStatus(message) {
    $("status").textContent = message || "";
  }

  // ---------------------------------------------------------------------------------------
  // Session (sessionStorage only)

  function saveSession(s) {
    session = s;
    try {
      window.sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    } catch (_) {
      // Storage may be disabled; the token then lives in memory for this page only.
    }
    scheduleExpiry();
  }

  function loadSession() {
    try {
      const raw = window.sessionStorage.getItem(TOKEN_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw);
      if (s && typeof s.token === "string" && typeof s.expiresAt === "number" && s.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
        return s;
      }
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) {
      // Unreadable: start signed out.
    }
    return null;
  }

  function clearSession() {
    session = null;
    window.clearTimeout(expiryTimer);
    window.clearTimeout(refreshTimer);
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) {
      // Nothing stored.
    }
  }

  function scheduleExpiry() {
    window.clearTimeout(expiryTimer);
    if (!session) return;
    const delay = Math.max(0, Math.min(session.expiresAt - EXPIRY_MARGIN_MS - Date.now(), 2147483000));
    expiryTimer = window.setTimeout(onExpired, delay);
  }

  async function onExpired() {
    if (kioskCredentials) {
      try {
        saveSession(await requestToken(kioskCredentials.clientId, kioskCredentials.clientSecret));
        return;
      } catch (e) {
        showErrors("Could not renew the session", [e.message]);
        setState("error");
        return;
      }
    }
    clearSession();
    showSignIn("Your session has expired. Sign in again.");
  }

  /** Reads kiosk credentials from the fragment, and clears the fragment at once. */
  function readFragment() {
    const hash = window.location.hash.replace(/^#/, "");
    if (!hash) return null;
    const params = new URLSearchParams(hash);
    const clientId = params.get("client_id");
    const clientSecret = params.get("client_secret");
    if (clientId !== null || clientSecret !== null) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return clientId && clientSecret ? { clientId, clientSecret } : null;
  }

  // ---------------------------------------------------------------------------------------
  // HTTP

  async function readJson(response) {
    try {
      return await response.json();
    } catch (_) {
      return null;
    }
  }

  async function requestToken(clientId, clientSecret) {
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret });
    let response;
    try {
      // credentials: "omit" also keeps the browser from prompting for Basic authentication on 401.
      response = await fetch("/oauth/token", {
        method: "POST",
        body,
        credentials: "omit",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
    } catch (_) {
      throw new DashError("network", "Cannot reach the server. Check the connection and try again.");
    }
    const json = await readJson(response);
    if (response.ok && json && typeof json.access_token === "string") {
      const seconds = Number(json.expires_in) > 0 ? Number(json.expires_in) : 3600;
      return { token: json.access_token, expiresAt: Date.now() + seconds * 1000 };
    }
    if (response.status === 401 || (json && json.error === "invalid_client")) {
      throw new DashError("credentials", "Wrong client id or client secret.");
    }
    if (response.status === 429) {
      throw new DashError("rate", "Too many attempts. Wait a minute and try again.");
    }
    const detail = json && (json.error_description || json.detail || json.error);
    throw new DashError("signin", detail ? `Sign-in refused: ${detail}` : `Sign-in refused (HTTP ${response.status}).`);
  }

  function gqlErrorCode(error) {
    return error && error.extensions && error.extensions.code;
  }

  async function graphql(query, variables) {
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        credentials: "omit",
        cache: "no-store",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          Authorization: `Bearer ${session.token}`,
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (_) {
      throw new DashError("network", "Cannot reach the server. Check the connection and try again.");
    }
    const json = await readJson(response);
    const errors = (json && Array.isArray(json.errors) && json.errors) || [];
    if (response.status === 401 || errors.some((e) => gqlErrorCode(e) === "UNAUTHENTICATED")) {
      throw new DashError("unauthenticated", "Your session has ended. Sign in again.");
    }
    if (!json || (!response.ok && !errors.length)) {
      throw new DashError("http", `The GraphQL endpoint answered HTTP ${response.status}.`);
    }
    return json;
  }

  function describeGraphqlError(e) {
    const code = gqlErrorCode(e);
    const path = Array.isArray(e.path) && e.path.length ? ` (at ${e.path.join(".")})` : "";
    return `${e.message || "Unknown error"}${code ? ` [${code}]` : ""}${path}`;
  }

  // ---------------------------------------------------------------------------------------
  // Views

  function showErrors(title, messages) {
    $("error-title").textContent = title;
    const list = $("error-list");
    list.replaceChildren();
    for (const m of messages) {
      const li = document.createElement("li");
      li.textContent = m;
      list.appendChild(li);
    }
    $("error").hidden = false;
  }

  function hideErrors() {
    $("error").hidden = true;
    $("error-list").replaceChildren();
  }

  function resetTotals() {
    delete document.body.dataset.totalContributions;
    delete document.body.dataset.totalCommitments;
    delete document.body.dataset.totalClusters;
  }

  function showSignIn(message) {
    lastData = null;
    resetTotals();
    hideErrors();
    setStatus("");
    $("dashboard").hidden = true;
    $("session").hidden = true;
    $("signin").hidden = false;
    const msg = $("signin-message");
    msg.textContent = message || "";
    msg.hidden = !message;
    setState("signin");
    const id = $("client-id");
    (id.value ? $("client-secret") : id).focus();
  }

  async function signIn(clientId, clientSecret) {
    setState("loading");
    setStatus("Signing in…");
    saveSession(await requestToken(clientId, clientSecret));
  }

  async function onSubmit(event) {
    event.preventDefault();
    const clientId = $("client-id").value.trim();
    const clientSecret = $("client-secret").value;
    const msg = $("signin-message");
    if (!clientId || !clientSecret) {
      msg.textContent = "Enter both the client id and the client secret.";
      msg.hidden = false;
      return;
    }
    const button = $("signin-submit");
    button.disabled = true;
    try {
      await signIn(clientId, clientSecret);
      $("client-secret").value = "";
      msg.hidden = true;
      $("signin").hidden = true;
      await load();
    } catch (e) {
      setStatus("");
      msg.textContent = e.message;
      msg.hidden = false;
      setState("error");
      $("client-secret").focus();
    } finally {
      button.disabled = false;
    }
  }

  function signOut() {
    kioskCredentials = null;
    clearSession();
    loadSeq += 1;
    $("client-secret").value = "";
    for (const id of ["region-chart", "region-table", "kind-legend", "clusters", "progress-chart"]) $(id).replaceChildren();
    $("commitments-table").tBodies[0].replaceChildren();
    showSignIn("");
  }

  async function reauthenticate(message) {
    if (kioskCredentials) {
      try {
        await signIn(kioskCredentials.clientId, kioskCredentials.clientSecret);
        return true;
      } catch (e) {
        showErrors("Could not sign in", [e.message]);
        setState("error");
        return false;
      }
    }
    clearSession();
    showSignIn(message);
    return false;
  }

  async function load(retried) {
    const seq = ++loadSeq;
    window.clearTimeout(refreshTimer);
    if (!session || session.expiresAt - EXPIRY_MARGIN_MS <= Date.now()) {
      if (await reauthenticate("Your session has expired. Sign in again.")) return load(true);
      return;
    }
    if (!lastData) setState("loading");
    setStatus(lastData ? "Refreshing…" : "Loading the dashboard…");
    $("signin").hidden = true;
    try {
      const json = await graphql(QUERY, { slug: SLUG });
      if (seq !== loadSeq) return;
      const errors = (json.errors || []).map(describeGraphqlError);
      const data = json.data;
      if (!data) throw new DashError("graphql", "The server could not answer the dashboard's query.", errors);
      if (!data.consultation) errors.push(`There is no consultation “${SLUG}”.`);
      hideErrors();
      // Shown before drawing, so that the charts can measure their width.
      $("dashboard").hidden = false;
      $("session").hidden = false;
      render(data);
      lastData = data;
      const now = new Date();
      $("updated").textContent = `Updated at ${now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.`;
      setStatus("");
      if (errors.length) {
        showErrors("The server reported errors", errors);
        setState("error");
      } else {
        setState("ready");
      }
      refreshTimer = window.setTimeout(() => load(), REFRESH_MS);
    } catch (e) {
      if (seq !== loadSeq) return;
      setStatus("");
      if (e.kind === "unauthenticated" && !retried) {
        if (await reauthenticate(e.message)) return load(true);
        return;
      }
      showErrors(e.kind === "graphql" ? e.message : "The dashboard could not load", e.details.length ? e.details : [e.message]);
      setState("error");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Rendering helpers

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function svgEl(tag, attrs, parent) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }

  function svgText(parent, x, y, content, attrs) {
    const t = svgEl("text", Object.assign({ x, y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }

  const numberFormat = new Intl.NumberFormat("en");
  const fmt = (n) => numberFormat.format(n);
  const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

  function humanise(value) {
    const s = String(value).replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  const kindInfo = new Map(KINDS.map(([key, label, colour]) => [key, { label, colour }]));
  function kindOf(key) {
    if (!kindInfo.has(key)) {
      kindInfo.set(key, { label: humanise(key), colour: EXTRA_COLOURS[(kindInfo.size - KINDS.length) % EXTRA_COLOURS.length] });
    }
    return kindInfo.get(key);
  }
  const regionLabels = new Map(REGIONS);
  const regionLabel = (key) => (key === NO_REGION ? "No region" : regionLabels.get(key) || humanise(key));

  function niceScale(max, approxTicks) {
    const top0 = Math.max(1, max);
    const raw = top0 / Math.max(1, approxTicks);
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const norm = raw / magnitude;
    let step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
    step = Math.max(1, Math.round(step));
    const top = Math.ceil(top0 / step) * step;
    const ticks = [];
    for (let v = 0; v <= top; v += step) ticks.push(v);
    return { top, ticks };
  }

  function chartWidth(figure) {
    const w = figure.clientWidth || figure.parentElement.clientWidth || 900;
    return Math.max(300, Math.floor(w));
  }

  /** The widest of `labels` as drawn with `className` inside `figure` (which must be shown). */
  function textWidth(figure, labels, className) {
    const probe = svgEl("svg", { width: 10, height: 10, class: "chart__svg chart__probe", "aria-hidden": "true" });
    figure.appendChild(probe);
    let widest = 0;
    for (const label of labels) {
      const t = svgText(probe, 0, 0, label, { class: className });
      widest = Math.max(widest, t.getComputedTextLength ? t.getComputedTextLength() : label.length * 8);
    }
    probe.remove();
    return Math.ceil(widest);
  }

  function keyValue(row, dimension) {
    const k = (row.keys || []).find((x) => x.dimension === dimension);
    return k && k.value !== null && k.value !== undefined ? String(k.value).toLowerCase() : null;
  }

  function formatDates(startsOn, endsOn) {
    const parse = (s) => (s ? new Date(`${s}T00:00:00Z`) : null);
    const a = parse(startsOn);
    const b = parse(endsOn);
    if (!a || Number.isNaN(a.getTime())) return "";
    const f = (d, opts) => d.toLocaleDateString("en-GB", Object.assign({ timeZone: "UTC" }, opts));
    if (!b || Number.isNaN(b.getTime()) || a.getTime() === b.getTime()) return f(a, { day: "numeric", month: "long", year: "numeric" });
    if (a.getUTCFullYear() === b.getUTCFullYear() && a.getUTCMonth() === b.getUTCMonth()) {
      return `${a.getUTCDate()}–${f(b, { day: "numeric", month: "long", year: "numeric" })}`;
    }
    return `${f(a, { day: "numeric", month: "long", year: "numeric" })} – ${f(b, { day: "numeric", month: "long", year: "numeric" })}`;
  }

  // ---------------------------------------------------------------------------------------
  // Rendering

  function render(data) {
    const c = data.consultation;
    if (c) {
      $("consultation-title").textContent = c.title;
      document.title = `${c.title} — consultation-hub — dashboard`;
      const meta = [c.venue, formatDates(c.startsOn, c.endsOn)].filter(Boolean).join(" · ");
      $("consultation-meta").textContent = meta;
      $("consultation-meta").hidden = !meta;
    }
    if (data.me) {
      const kind = ORG_KINDS[data.me.orgKind] || humanise(String(data.me.orgKind).toLowerCase());
      $("who").textContent = `Signed in as ${data.me.clientId} (${kind})`;
    }

    const totalContributions = (data.byKind || []).reduce((sum, r) => sum + (r.count || 0), 0);
    const clusters = data.clusters || [];
    const commitments = data.commitments || [];
    const achieved = commitments.filter((x) => x.progressStatus === "achieved").length;

    $("total-contributions").textContent = fmt(totalContributions);
    $("total-clusters").textContent = fmt(clusters.length);
    $("total-commitments").textContent = fmt(commitments.length);
    $("total-achieved").textContent = fmt(achieved);

    renderRegions(data.byRegionKind || [], data.byKind || []);
    renderClusters(clusters, groupNames(c), segmentNames(c));
    renderProgress(commitments);

    document.body.dataset.totalContributions = String(totalContributions);
    document.body.dataset.totalCommitments = String(commitments.length);
    document.body.dataset.totalClusters = String(clusters.length);
  }

  function groupNames(consultation) {
    const names = new Map();
    for (const s of (consultation && consultation.sessions) || []) {
      for (const seg of s.segments || []) for (const g of seg.groups || []) names.set(g.id, g.name);
    }
    return names;
  }

  function segmentNames(consultation) {
    const names = new Map();
    for (const s of (consultation && consultation.sessions) || []) {
      for (const seg of s.segments || []) if (!names.has(seg.key)) names.set(seg.key, `${seg.title} (session ${s.number})`);
    }
    return names;
  }

  /** The region × kind counts as a matrix with the regions and kinds that occur. */
  function regionMatrix(rows) {
    const cells = new Map();
    const kindTotals = new Map();
    for (const row of rows) {
      const region = keyValue(row, "REGION") || NO_REGION;
      const kind = keyValue(row, "KIND") || "unknown";
      const count = row.count || 0;
      if (!count) continue;
      if (!cells.has(region)) cells.set(region, new Map());
      const m = cells.get(region);
      m.set(kind, (m.get(kind) || 0) + count);
      kindTotals.set(kind, (kindTotals.get(kind) || 0) + count);
    }
    const known = REGIONS.map(([k]) => k);
    const regions = [...cells.keys()].sort((a, b) => {
      const rank = (r) => (r === NO_REGION ? 1000 : known.includes(r) ? known.indexOf(r) : 500);
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    const kindOrder = KINDS.map(([k]) => k);
    const kinds = [...kindTotals.keys()].sort((a, b) => {
      const rank = (k) => (kindOrder.includes(k) ? kindOrder.indexOf(k) : 500);
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    return { cells, regions, kinds, kindTotals };
  }

  function renderRegions(rows, byKind) {
    const figure = $("region-chart");
    const legend = $("kind-legend");
    const tableWrap = $("region-table");
    figure.replaceChildren();
    legend.replaceChildren();
    tableWrap.replaceChildren();
    const { cells, regions, kinds, kindTotals } = regionMatrix(rows);
    const cellSum = [...kindTotals.values()].reduce((a, b) => a + b, 0);
    // Per kind, each contribution once (region × kind counts one in several regions more than once).
    const perKind = new Map();
    for (const row of byKind) {
      const kind = keyValue(row, "KIND") || "unknown";
      perKind.set(kind, (perKind.get(kind) || 0) + (row.count || 0));
    }
    const totalContributions = [...perKind.values()].reduce((a, b) => a + b, 0);

    $("regions-note").textContent =
      `${plural(totalContributions, "contribution", "contributions")} in total, by the regions they are tagged with.`;

    if (!regions.length) {
      figure.appendChild(el("p", "empty", "No contributions to count yet."));
      return;
    }

    for (const k of kinds) {
      const item = el("li", "legend__item");
      const swatch = el("span", "legend__swatch");
      swatch.style.backgroundColor = kindOf(k).colour;
      item.append(swatch, el("span", "legend__label", kindOf(k).label), el("span", "legend__count", fmt(perKind.get(k) || 0)));
      legend.appendChild(item);
    }

    // Grouped horizontal bars: one band per region, one bar per kind present in it.
    const width = chartWidth(figure);
    const narrow = width < 560;
    const labelWidth = textWidth(figure, regions.map(regionLabel), "chart__label");
    const margin = { top: 28, right: 48, bottom: 52, left: Math.min(Math.max(labelWidth, 64) + 24, width / 3) };
    const barH = 18;
    const barGap = 5;
    const bandPad = 14;
    const plotW = width - margin.left - margin.right;
    const maxCell = Math.max(...regions.flatMap((r) => [...cells.get(r).values()]));
    const scale = niceScale(maxCell, narrow ? 4 : 8);
    const x = (v) => (v / scale.top) * plotW;

    let y = margin.top;
    const bands = regions.map((r) => {
      const present = kinds.filter((k) => cells.get(r).get(k));
      const h = bandPad * 2 + present.length * barH + (present.length - 1) * barGap;
      const band = { region: r, present, y, h };
      y += h;
      return band;
    });
    const plotBottom = y;
    const height = plotBottom + margin.bottom;

    const titleId = "region-chart-title";
    const descId = "region-chart-desc";
    const svg = svgEl("svg", {
      class: "chart__svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-labelledby": `${titleId} ${descId}`,
    });
    svgEl("title", { id: titleId }, svg).textContent = "Contributions by region and kind";
    const desc = svgEl("desc", { id: descId }, svg);
    desc.textContent = regions
      .map((r) => `${regionLabel(r)}: ${bands.find((b) => b.region === r).present.map((k) => `${fmt(cells.get(r).get(k))} ${kindOf(k).label.toLowerCase()}`).join(", ")}`)
      .join("; ");

    // Bands with alternating backgrounds.
    bands.forEach((b, i) => {
      if (i % 2 === 0) svgEl("rect", { class: "chart__band", x: 0, y: b.y, width, height: b.h }, svg);
    });

    // Grid and x axis.
    const grid = svgEl("g", { class: "chart__grid", "aria-hidden": "true" }, svg);
    for (const t of scale.ticks) {
      const gx = margin.left + x(t);
      svgEl("line", { x1: gx, x2: gx, y1: margin.top, y2: plotBottom, class: t === 0 ? "chart__axis-line" : "" }, grid);
      svgText(grid, gx, plotBottom + 18, fmt(t), { class: "chart__tick", "text-anchor": "middle" });
    }
    svgText(svg, margin.left + plotW / 2, plotBottom + 42, "Number of contributions", {
      class: "chart__axis-title",
      "text-anchor": "middle",
    });
    svgText(svg, margin.left - 12, 18, "Region", { class: "chart__axis-title", "text-anchor": "end" });

    // Bars.
    for (const b of bands) {
      const g = svgEl("g", { class: "chart__group" }, svg);
      const regionTotal = b.present.reduce((s, k) => s + cells.get(b.region).get(k), 0);
      const mid = b.y + b.h / 2;
      svgText(g, margin.left - 12, mid - 2, regionLabel(b.region), { class: "chart__label", "text-anchor": "end" });
      svgText(g, margin.left - 12, mid + 15, `${fmt(regionTotal)} total`, { class: "chart__sublabel", "text-anchor": "end" });
      b.present.forEach((k, i) => {
        const count = cells.get(b.region).get(k);
        const by = b.y + bandPad + i * (barH + barGap);
        const w = Math.max(2, x(count));
        const bar = svgEl("rect", {
          class: "chart__bar",
          x: margin.left,
          y: by,
          width: w,
          height: barH,
          rx: 3,
          fill: kindOf(k).colour,
        }, g);
        svgEl("title", {}, bar).textContent = `${regionLabel(b.region)} · ${kindOf(k).label}: ${fmt(count)}`;
        svgText(g, margin.left + w + 6, by + barH / 2, fmt(count), { class: "chart__value", "dominant-baseline": "central" });
      });
    }
    figure.appendChild(svg);
    const caption = el("figcaption", "chart__caption");
    caption.textContent =
      cellSum > totalContributions
        ? `One colour per kind of contribution. The region totals add up to ${fmt(cellSum)}, more than the ` +
          `${fmt(totalContributions)} contributions, because a contribution tagged with several regions counts in each.`
        : "One colour per kind of contribution.";
    figure.appendChild(caption);

    // The same numbers as a table.
    const table = el("table", "table table--numbers");
    const caption2 = el("caption", "visually-hidden", "Contributions by region and kind");
    table.appendChild(caption2);
    const head = table.createTHead().insertRow();
    const corner = el("th", "", "Region");
    corner.scope = "col";
    head.appendChild(corner);
    for (const k of kinds) {
      const th = el("th", "", kindOf(k).label);
      th.scope = "col";
      head.appendChild(th);
    }
    const totalTh = el("th", "", "Total");
    totalTh.scope = "col";
    head.appendChild(totalTh);
    const body = table.createTBody();
    for (const r of regions) {
      const tr = body.insertRow();
      const th = el("th", "", regionLabel(r));
      th.scope = "row";
      tr.appendChild(th);
      let sum = 0;
      for (const k of kinds) {
        const v = cells.get(r).get(k) || 0;
        sum += v;
        tr.appendChild(el("td", "", fmt(v)));
      }
      tr.appendChild(el("td", "strong", fmt(sum)));
    }
    tableWrap.appendChild(table);
  }

  function chip(text, extra) {
    return el("span", `chip${extra ? ` ${extra}` : ""}`, text);
  }

  function renderClusters(clusters, groups, segments) {
    const list = $("clusters");
    list.replaceChildren();
    if (!clusters.length) {
      list.appendChild(el("li", "empty", "No convergence yet: no two published contributions are close enough."));
      return;
    }
    const sorted = [...clusters].sort((a, b) => (b.contributionIds || []).length - (a.contributionIds || []).length);
    for (const c of sorted) {
      const size = (c.contributionIds || []).length;
      const card = el("li", "cluster");
      const head = el("div", "cluster__head");
      head.append(el("h3", "cluster__label", c.label), el("span", "cluster__size", plural(size, "contribution", "contributions")));
      card.appendChild(head);

      const facts = el("dl", "cluster__facts");
      const fact = (term, values, empty) => {
        const dd = el("dd");
        if (values.length) values.forEach((v) => dd.appendChild(chip(v)));
        else dd.appendChild(el("span", "muted", empty));
        facts.append(el("dt", "", term), dd);
      };
      const groupList = (c.groups || []).map((g) => groups.get(g) || `group ${String(g).slice(0, 8)}`);
      const regionList = (c.regions || []).map((r) => regionLabel(String(r).toLowerCase()));
      const segmentList = (c.segments || []).map((s) => segments.get(s) || humanise(s));
      fact(groupList.length ? plural(groupList.length, "group", "groups") : "Groups", groupList, "outside breakout groups");
      fact(regionList.length ? plural(regionList.length, "region", "regions") : "Regions", regionList, "none given");
      if (segmentList.length) fact("Segments", segmentList, "");
      fact("From", [plural((c.organisations || []).length, "organisation", "organisations")], "");
      card.appendChild(facts);

      const titles = el("ul", "cluster__titles");
      titles.setAttribute("aria-label", "Member titles");
      for (const t of c.titles || []) titles.appendChild(el("li", "", t));
      card.appendChild(titles);
      list.appendChild(card);
    }
  }

  function renderProgress(commitments) {
    const figure = $("progress-chart");
    figure.replaceChildren();
    const counts = PROGRESS.map(([key, label]) => ({
      key,
      label,
      count: commitments.filter((c) => (c.progressStatus || null) === key).length,
    }));
    const others = commitments.filter((c) => c.progressStatus && !PROGRESS.some(([k]) => k === c.progressStatus));
    if (others.length) counts.push({ key: "other", label: "Other", count: others.length });
    const total = commitments.length;

    const width = chartWidth(figure);
    const narrow = width < 560;
    const labelWidth = textWidth(figure, counts.map((c) => c.label), "chart__label");
    const margin = { top: 12, right: 84, bottom: 52, left: Math.min(labelWidth + 24, width / 3) };
    const barH = 26;
    const gap = 12;
    const plotW = width - margin.left - margin.right;
    const plotH = counts.length * barH + (counts.length - 1) * gap;
    const height = margin.top + plotH + margin.bottom;
    const scale = niceScale(Math.max(...counts.map((c) => c.count)), narrow ? 4 : 6);
    const x = (v) => (v / scale.top) * plotW;

    const svg = svgEl("svg", {
      class: "chart__svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-labelledby": "progress-chart-title progress-chart-desc",
    });
    svgEl("title", { id: "progress-chart-title" }, svg).textContent = "Commitments by progress status";
    svgEl("desc", { id: "progress-chart-desc" }, svg).textContent = counts.map((c) => `${c.label}: ${fmt(c.count)}`).join("; ");

    const grid = svgEl("g", { class: "chart__grid", "aria-hidden": "true" }, svg);
    const bottom = margin.top + plotH;
    for (const t of scale.ticks) {
      const gx = margin.left + x(t);
      svgEl("line", { x1: gx, x2: gx, y1: margin.top - 4, y2: bottom + 4, class: t === 0 ? "chart__axis-line" : "" }, grid);
      svgText(grid, gx, bottom + 22, fmt(t), { class: "chart__tick", "text-anchor": "middle" });
    }
    svgText(svg, margin.left + plotW / 2, bottom + 44, "Number of commitments", { class: "chart__axis-title", "text-anchor": "middle" });

    counts.forEach((c, i) => {
      const by = margin.top + i * (barH + gap);
      const w = c.count ? Math.max(2, x(c.count)) : 0;
      const g = svgEl("g", {}, svg);
      svgText(g, margin.left - 12, by + barH / 2, c.label, { class: "chart__label", "text-anchor": "end", "dominant-baseline": "central" });
      if (w) {
        const bar = svgEl("rect", {
          class: `chart__bar progress--${c.key || "none"}`,
          x: margin.left,
          y: by,
          width: w,
          height: barH,
          rx: 3,
        }, g);
        svgEl("title", {}, bar).textContent = `${c.label}: ${fmt(c.count)}`;
      }
      const share = total ? ` (${Math.round((c.count / total) * 100)}%)` : "";
      svgText(g, margin.left + w + 8, by + barH / 2, `${fmt(c.count)}${share}`, { class: "chart__value", "dominant-baseline": "central" });
    });
    figure.appendChild(svg);
    figure.appendChild(el("figcaption", "chart__caption", `${plural(total, "commitment", "commitments")} by their latest progress report.`));

    const body = $("commitments-table").tBodies[0];
    body.replaceChildren();
    if (!commitments.length) {
      const tr = body.insertRow();
      const td = el("td", "empty", "No commitments yet.");
      td.colSpan = 2;
      tr.appendChild(td);
      return;
    }
    // Achieved first, then in progress, planned, discontinued and not reported; by title within each.
    const order = ["achieved", "in_progress", "planned", "discontinued"];
    const rank = (s) => {
      const i = order.indexOf(s);
      return i < 0 ? order.length : i;
    };
    const sorted = [...commitments].sort((a, b) => rank(a.progressStatus) - rank(b.progressStatus) || a.title.localeCompare(b.title));
    for (const c of sorted) {
      const tr = body.insertRow();
      const what = el("td");
      what.appendChild(el("span", "table__title", c.title));
      const org = c.organisation;
      if (org) {
        const who = el("span", "table__org");
        if (org.acronym) {
          const abbr = el("abbr", "", org.acronym);
          abbr.title = org.name;
          who.appendChild(abbr);
        } else {
          who.textContent = org.name;
        }
        what.appendChild(who);
      }
      tr.appendChild(what);
      const statusCell = el("td");
      const entry = PROGRESS.find(([k]) => k === (c.progressStatus || null));
      const label = entry ? entry[1] : humanise(c.progressStatus);
      const badge = el("span", `badge progress--${c.progressStatus || "none"}`, label);
      statusCell.appendChild(badge);
      tr.appendChild(statusCell);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Start

  function start() {
    // Anything the Content-Security-Policy blocks is a bug of this page: count it where tests look.
    document.addEventListener("securitypolicyviolation", (e) => {
      const seen = Number(document.body.dataset.cspViolations || 0) + 1;
      document.body.dataset.cspViolations = String(seen);
      console.error(`CSP blocked ${e.blockedURI || "inline content"} (${e.violatedDirective})`);
    });
    $("signin-form").addEventListener("submit", onSubmit);
    $("sign-out").addEventListener("click", signOut);
    $("refresh").addEventListener("click", () => load());

    let resizeTimer = 0;
    let lastWidth = window.innerWidth;
    window.addEventListener("resize", () => {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => {
        if (!lastData || window.innerWidth === lastWidth) return;
        lastWidth = window.innerWidth;
        renderRegions(lastData.byRegionKind || [], lastData.byKind || []);
        renderProgress(lastData.commitments || []);
      }, 150);
    });

    const fromFragment = readFragment();
    if (fromFragment) {
      kioskCredentials = fromFragment;
      document.body.classList.add("kiosk");
      signIn(fromFragment.clientId, fromFragment.clientSecret)
        .then(() => load())
        .catch((e) => {
          setStatus("");
          showErrors("Could not sign in", [e.message]);
          $("signin").hidden = false;
          $("client-id").value = fromFragment.clientId;
          kioskCredentials = null;
          setState("error");
        });
      return;
    }
    const stored = loadSession();
    if (stored) {
      session = stored;
      scheduleExpiry();
      load();
    } else {
      showSignIn("");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
