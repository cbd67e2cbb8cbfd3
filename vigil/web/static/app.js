/* vigil web UI: map, timeline, filterable list, event page with evidence, review actions.
 *
 * Every string that comes from the API (article text, evidence, places, actors, outlets)
 * is untrusted: it reaches the page only through textContent / createTextNode / attribute
 * setters, never through an HTML-parsing sink. The token lives in sessionStorage (this tab only).
 */
(function () {
  "use strict";

  var TOKEN_KEY = "vigil.token";
  var PAGE_SIZE = 50;
  var TYPES = [
    "protest", "obstruction", "noncooperation", "abduction", "attack_on_civilians", "shelling",
    "airstrike", "armed_clash", "territory_control", "occupation_measure", "threat",
    "military_movement", "diplomacy", "other"
  ];
  var COLORS = {
    protest: "#1f77b4", obstruction: "#17becf", noncooperation: "#9edae5", abduction: "#9467bd",
    attack_on_civilians: "#d62728", shelling: "#ff7f0e", airstrike: "#8c564b", armed_clash: "#e377c2",
    territory_control: "#7f7f7f", occupation_measure: "#bcbd22", threat: "#ffbb78",
    military_movement: "#2ca02c", diplomacy: "#aec7e8", other: "#c7c7c7"
  };
  var MODALITIES = ["asserted", "reported", "claimed", "unverified", "denied"];
  var PRECISIONS = ["site", "city", "admin2", "admin1", "country"];
  var ROLE_RANK = { viewer: 1, editor: 2, admin: 3 };

  var state = { me: null, offset: 0, total: 0, map: null, markers: null, basemapDrawn: false };

  // ---------------------------------------------------------------- DOM helpers

  /** Build an element: el("a", {href: "#"}, ["text", child]). Text children become text nodes. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === "class") { node.className = v; }
        else if (k === "text") { node.textContent = String(v); }
        else if (k.slice(0, 2) === "on" && typeof v === "function") { node.addEventListener(k.slice(2), v); }
        else { node.setAttribute(k, v === true ? "" : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function $(id) { return document.getElementById(id); }

  function notify(message, kind) {
    var box = $("notice");
    box.textContent = message;
    box.className = "notice " + (kind || "error");
    box.hidden = !message;
  }

  // ---------------------------------------------------------------- API client

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  /** Call the JSON API; resolves with the parsed body, rejects with {status, code, message, details}. */
  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    var t = token();
    if (t) { headers.Authorization = "Bearer " + t; }
    var init = { method: method, headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (resp) {
      return resp.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (resp.ok) { return data; }
        var err = (data && data.error) || {};
        var failure = {
          status: resp.status,
          code: err.code || "http_" + resp.status,
          message: err.message || resp.statusText || "request failed",
          details: err.details || null
        };
        if (resp.status === 401) { signOut("Your token was not accepted (401): " + failure.message); }
        throw failure;
      });
    });
  }

  /** POST a multipart form (file upload); same result and failure shapes as api(). */
  function apiForm(path, form) {
    return fetch(path, { method: "POST", headers: { Authorization: "Bearer " + token(), Accept: "application/json" }, body: form })
      .then(function (resp) {
        return resp.text().then(function (raw) {
          var data = null;
          try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
          if (resp.ok) { return data; }
          var err = (data && data.error) || {};
          throw { status: resp.status, code: err.code || "http_" + resp.status, message: err.message || resp.statusText,
                  details: err.details || null };
        });
      });
  }

  function describe(failure) {
    if (!failure || failure.status === undefined) { return "Network error: " + String(failure && failure.message || failure); }
    var msg = failure.message;
    if (failure.status === 403) { msg = "Refused (403): " + msg; }
    else { msg = "Error " + failure.status + " (" + failure.code + "): " + msg; }
    if (failure.details && typeof failure.details === "object") {
      var extra = JSON.stringify(failure.details);
      if (extra && extra !== "{}") { msg += " " + extra; }
    }
    return msg;
  }

  function fail(failure) { notify(describe(failure), "error"); }

  // ---------------------------------------------------------------- sign in / out

  function showLogin() {
    $("login-view").hidden = false;
    $("main-view").hidden = true;
    $("ingest-panel").hidden = true;
    $("whoami").hidden = true;
    $("logout").hidden = true;
    $("token-input").focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.me = null;
    showLogin();
    if (message) { notify(message, "error"); }
  }

  function signIn(t) {
    sessionStorage.setItem(TOKEN_KEY, t);
    return api("GET", "/me").then(function (me) {
      state.me = me || { role: "viewer" };
      $("login-view").hidden = true;
      $("main-view").hidden = false;
      $("whoami").hidden = false;
      $("logout").hidden = false;
      $("whoami").textContent = "signed in as " + state.me.role + " (token " + state.me.token_id + ")";
      document.body.setAttribute("data-role", state.me.role);
      notify("");
      route();
    }).catch(function (f) {
      if (f.status !== 401) { sessionStorage.removeItem(TOKEN_KEY); showLogin(); fail(f); }
    });
  }

  function canEdit() { return !!state.me && (ROLE_RANK[state.me.role] || 0) >= ROLE_RANK.editor; }

  // ---------------------------------------------------------------- filters

  function filterParams() {
    var form = $("filters");
    var params = new URLSearchParams();
    ["type", "since", "until", "place", "status", "review", "q"].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) { params.set(name, v); }
    });
    return params;
  }

  function formatDate(d) {
    if (!d || !d.start) { return "undated"; }
    return d.end && d.end !== d.start ? d.start + " to " + d.end : d.start;
  }

  function placeName(loc) {
    if (!loc || !loc.name) { return "unplaced"; }
    return [loc.name, loc.admin1, loc.country].filter(Boolean).join(", ");
  }

  function actorsSummary(actors) {
    return (actors || []).map(function (a) { return (a.kind || "?") + (a.role ? " (" + a.role + ")" : ""); }).join("; ");
  }

  function typeBadge(type) {
    var b = el("span", { "class": "badge", text: type || "?" });
    b.style.backgroundColor = COLORS[type] || "#999";
    return b;
  }

  // ---------------------------------------------------------------- overview: map, timeline, list

  function loadOverview() {
    var params = filterParams();
    var listParams = new URLSearchParams(params);
    listParams.set("limit", String(PAGE_SIZE));
    listParams.set("offset", String(state.offset));
    var mapParams = new URLSearchParams(params);
    mapParams.set("limit", "1000");
    return Promise.all([
      api("GET", "/events?" + listParams.toString()).then(renderList),
      api("GET", "/events?" + mapParams.toString()).then(renderMap),
      api("GET", "/timeline?" + params.toString()).then(renderTimeline)
    ]).catch(fail);
  }

  function renderList(page) {
    var body = $("event-list").querySelector("tbody");
    clear(body);
    state.total = page.total || 0;
    (page.items || []).forEach(function (ev) {
      var link = el("a", { href: "#/event/" + encodeURIComponent(ev.id), "class": "event-link" }, [formatDate(ev.date)]);
      var row = el("tr", { "data-event-id": ev.id }, [
        el("td", null, [link]),
        el("td", null, [typeBadge(ev.type)]),
        el("td", { text: placeName(ev.location) }),
        el("td", { text: actorsSummary(ev.actors) }),
        el("td", { text: ev.outlet || "" }),
        el("td", { text: (ev.status || "") + (ev.corroboration ? " (" + ev.corroboration + ")" : "") }),
        el("td", { "class": "review-" + (ev.review || "unreviewed"), text: (ev.review || "unreviewed") + (ev.edited ? ", edited" : "") })
      ]);
      row.addEventListener("click", function (e) { if (e.target.tagName !== "A") { location.hash = "#/event/" + encodeURIComponent(ev.id); } });
      body.appendChild(row);
    });
    if (!page.items || !page.items.length) {
      body.appendChild(el("tr", null, [el("td", { colspan: "7", "class": "muted", text: "No events match these filters." })]));
    }
    var shown = (page.items || []).length;
    $("list-count").textContent = state.total + " events";
    $("page-info").textContent = shown ? (state.offset + 1) + "-" + (state.offset + shown) + " of " + state.total : "";
    $("prev-page").disabled = state.offset <= 0;
    $("next-page").disabled = state.offset + shown >= state.total;
  }

  function ensureMap() {
    if (state.map) { return state.map; }
    if (typeof L === "undefined" || typeof topojson === "undefined") {
      notify("The map assets are missing on the server (run `npm ci` at the repository root).", "error");
      return null;
    }
    state.map = L.map("map", { worldCopyJump: true, attributionControl: true, zoomSnap: 0.25 }).setView([48.5, 33], 5);
    state.map.attributionControl.setPrefix(false);
    state.map.attributionControl.addAttribution("Natural Earth (world-atlas)");
    state.markers = L.layerGroup().addTo(state.map);
    fetch("/vendor/world-atlas/countries-50m.json").then(function (r) {
      if (!r.ok) { throw new Error("basemap " + r.status); }
      return r.json();
    }).then(function (world) {
      var countries = topojson.feature(world, world.objects.countries);
      var layer = L.geoJSON(countries, {
        style: { color: "#8a8f98", weight: 0.8, fillColor: "#e9e4d8", fillOpacity: 1 },
        interactive: false
      }).addTo(state.map);
      layer.bringToBack();
      state.basemapDrawn = true;
      document.getElementById("map").setAttribute("data-basemap", "ready");
    }).catch(function (e) { notify("The basemap could not be loaded: " + e.message, "error"); });
    drawLegend();
    return state.map;
  }

  function drawLegend() {
    var box = $("legend");
    clear(box);
    TYPES.forEach(function (t) {
      var sw = el("span", { "class": "swatch" });
      sw.style.backgroundColor = COLORS[t];
      box.appendChild(el("span", { "class": "legend-item" }, [sw, t.replace(/_/g, " ")]));
    });
  }

  /** A popup listing the events at one point, each with a link to its page (DOM, no HTML strings). */
  function popupFor(events) {
    var box = el("div", { "class": "popup" }, [el("div", { "class": "popup-place", text: placeName(events[0].location) })]);
    var list = el("ul", { "class": "popup-events" });
    events.forEach(function (ev) {
      list.appendChild(el("li", null, [typeBadge(ev.type), " ", formatDate(ev.date), " ",
        el("a", { href: "#/event/" + encodeURIComponent(ev.id), "class": "popup-link", text: "open" })]));
    });
    box.appendChild(list);
    return box;
  }

  function renderMap(page) {
    var map = ensureMap();
    if (!map) { return; }
    state.markers.clearLayers();
    var groups = {};
    var order = [];
    (page.items || []).forEach(function (ev) {
      var loc = ev.location;
      if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number" || !isFinite(loc.lat) || !isFinite(loc.lon)) { return; }
      if (Math.abs(loc.lat) > 90 || Math.abs(loc.lon) > 180) { return; }
      var key = loc.lat.toFixed(4) + "," + loc.lon.toFixed(4);
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(ev);
    });
    var placed = 0;
    var bounds = [];
    order.forEach(function (key) {
      var evs = groups[key];
      var counts = {};
      evs.forEach(function (ev) { counts[ev.type] = (counts[ev.type] || 0) + 1; });
      var main = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; })[0];
      var loc = evs[0].location;
      var m = L.circleMarker([loc.lat, loc.lon], {
        radius: Math.min(6 + 2 * Math.sqrt(evs.length), 18), color: "#222", weight: evs.length > 1 ? 2 : 1,
        fillColor: COLORS[main] || "#999", fillOpacity: 0.85,
        className: "event-marker type-" + main
      });
      m.bindTooltip(evs.length + " event" + (evs.length > 1 ? "s" : "") + ": " + placeName(loc), { direction: "top" });
      m.bindPopup(popupFor(evs));
      m.addTo(state.markers);
      bounds.push([loc.lat, loc.lon]);
      placed += evs.length;
    });
    var shown = (page.items || []).length;
    $("map-count").textContent = placed + " placed of " + shown + (page.total > shown ? " (first " + shown + " of " + page.total + ")" : "") +
      ", at " + order.length + " points";
    if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 7 }); }
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  function renderTimeline(data) {
    var box = $("timeline");
    clear(box);
    var days = (data && data.days) || [];
    if (!days.length) { box.appendChild(el("p", { "class": "muted", text: "No dated events." })); return; }
    days = days.slice().sort(function (a, b) { return a.date < b.date ? -1 : a.date > b.date ? 1 : 0; });
    // Fill in empty days between the first and the last, so the axis is a real time axis.
    var filled = [];
    var byDate = {};
    days.forEach(function (d) { byDate[d.date] = d.counts || {}; });
    var first = new Date(days[0].date + "T00:00:00Z");
    var last = new Date(days[days.length - 1].date + "T00:00:00Z");
    if (isNaN(first) || isNaN(last) || (last - first) / 86400000 > 3660) {
      filled = days.map(function (d) { return { date: d.date, counts: d.counts || {} }; });
    } else {
      for (var t = first.getTime(); t <= last.getTime(); t += 86400000) {
        var iso = new Date(t).toISOString().slice(0, 10);
        filled.push({ date: iso, counts: byDate[iso] || {} });
      }
    }
    var max = 1;
    filled.forEach(function (d) {
      var sum = 0;
      Object.keys(d.counts).forEach(function (k) { sum += Number(d.counts[k]) || 0; });
      d.total = sum;
      if (sum > max) { max = sum; }
    });
    var W = Math.max(box.clientWidth || 600, 300), H = 170, left = 30, bottom = 34, top = 8;
    var bw = (W - left - 8) / filled.length;
    var plotH = H - bottom - top;
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "class": "timeline-svg" });
    var title = svg("title", {});
    title.textContent = "Events per day by type";
    root.appendChild(title);
    root.appendChild(svg("line", { x1: left, y1: H - bottom, x2: W - 4, y2: H - bottom, stroke: "#555" }));
    var yl = svg("text", { x: left - 4, y: top + 10, "text-anchor": "end", "class": "axis" });
    yl.textContent = String(max);
    root.appendChild(yl);
    var labelEvery = Math.max(1, Math.ceil(filled.length / 8));
    filled.forEach(function (d, i) {
      var x = left + i * bw;
      var y = H - bottom;
      TYPES.concat(Object.keys(d.counts).filter(function (k) { return TYPES.indexOf(k) < 0; })).forEach(function (type) {
        var n = Number(d.counts[type]) || 0;
        if (n <= 0) { return; }
        var h = n / max * plotH;
        y -= h;
        var r = svg("rect", {
          x: x + 1, y: y, width: Math.max(bw - 2, 1), height: h, fill: COLORS[type] || "#999",
          "class": "bar", "data-date": d.date, "data-type": type, "data-count": n
        });
        var tip = svg("title", {});
        tip.textContent = d.date + ": " + n + " " + type;
        r.appendChild(tip);
        r.addEventListener("click", function () {
          $("f-since").value = d.date;
          $("f-until").value = d.date;
          $("f-type").value = TYPES.indexOf(type) >= 0 ? type : "";
          applyFilters();
        });
        root.appendChild(r);
      });
      if (i % labelEvery === 0 || i === filled.length - 1) {
        var lbl = svg("text", { x: x + bw / 2, y: H - bottom + 14, "text-anchor": "middle", "class": "axis" });
        lbl.textContent = d.date.slice(5);
        root.appendChild(lbl);
      }
    });
    var yr = svg("text", { x: left, y: H - 4, "class": "axis" });
    yr.textContent = filled[0].date.slice(0, 4) + (filled[0].date.slice(0, 4) !== filled[filled.length - 1].date.slice(0, 4) ? "-" + filled[filled.length - 1].date.slice(0, 4) : "");
    root.appendChild(yr);
    box.appendChild(root);
  }

  function applyFilters() {
    state.offset = 0;
    if (location.hash && location.hash !== "#/" && location.hash !== "#") { location.hash = "#/"; }
    else { loadOverview(); }
  }

  function exportFile(format) {
    var params = filterParams();
    params.set("format", format);
    var t = token();
    fetch("/export?" + params.toString(), { headers: { Authorization: "Bearer " + t } }).then(function (resp) {
      if (!resp.ok) {
        return resp.json().catch(function () { return {}; }).then(function (d) {
          var e = (d && d.error) || {};
          throw { status: resp.status, code: e.code || "http_" + resp.status, message: e.message || resp.statusText, details: e.details };
        });
      }
      return resp.blob().then(function (blob) {
        var ext = { "acled-csv": "csv", geojson: "geojson", jsonl: "jsonl" }[format] || "txt";
        var a = el("a", { href: URL.createObjectURL(blob), download: "vigil-events." + ext });
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    }).catch(fail);
  }

  // ---------------------------------------------------------------- ingest (editors)

  function submitIngest(e) {
    e.preventDefault();
    var f = $("ingest-form").elements;
    var file = f.file.files && f.file.files[0];
    var text = f.text.value;
    var result = $("ingest-result");
    clear(result);
    if (!file && !text.trim()) { notify("Paste the article text or choose a file.", "error"); return; }
    var call;
    if (file) {
      var form = new FormData();
      form.append("file", file);
      ["published", "outlet", "url"].forEach(function (k) { if (f[k].value.trim()) { form.append(k, f[k].value.trim()); } });
      call = apiForm("/documents", form);
    } else {
      var body = { text: text };
      ["title", "published", "outlet", "url"].forEach(function (k) { if (f[k].value.trim()) { body[k] = f[k].value.trim(); } });
      call = api("POST", "/documents", body);
    }
    $("ingest-submit").disabled = true;
    result.appendChild(el("p", { "class": "muted", text: "Extracting..." }));
    call.then(function (res) {
      clear(result);
      var evs = (res && res.events) || [];
      notify((res.stored ? "Stored document " : "Already stored: document ") + res.id + " with " + evs.length + " event(s).", "ok");
      result.appendChild(el("ul", { "class": "ingest-events" }, evs.map(function (ev) {
        return el("li", null, [typeBadge(ev.type), " ", formatDate(ev.date), " ", placeName(ev.location), " ",
          el("a", { href: "#/event/" + encodeURIComponent(ev.id), "class": "event-link", text: "open" })]);
      })));
      $("ingest-form").reset();
      loadOverview();
    }).catch(function (f2) { clear(result); fail(f2); }).then(function () { $("ingest-submit").disabled = false; });
  }

  // ---------------------------------------------------------------- event page

  /** The article text as DOM: text nodes, with <mark> around the given spans (never parsed as HTML). */
  function highlightedText(text, spans, triggerSpan) {
    text = typeof text === "string" ? text : "";
    var n = text.length;
    var marks = [];
    (spans || []).forEach(function (s) {
      if (s && typeof s.start === "number" && typeof s.end === "number" && s.start < s.end && s.start >= 0 && s.end <= n) {
        marks.push({ start: s.start, end: s.end, kind: s.kind || "evidence", label: s.label || "" });
      }
    });
    if (triggerSpan && typeof triggerSpan.start === "number" && triggerSpan.end <= n && triggerSpan.start < triggerSpan.end) {
      marks.push({ start: triggerSpan.start, end: triggerSpan.end, kind: "trigger", label: "trigger" });
    }
    // Boundaries split the text into segments; each segment gets the classes of the spans covering it.
    var cuts = [0, n];
    marks.forEach(function (m) { cuts.push(m.start, m.end); });
    cuts = cuts.filter(function (v, i, arr) { return arr.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    var frag = document.createDocumentFragment();
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1];
      var piece = text.slice(a, b);
      var covering = marks.filter(function (m) { return m.start <= a && m.end >= b; });
      if (!covering.length) { frag.appendChild(document.createTextNode(piece)); continue; }
      var kinds = {};
      var labels = [];
      covering.forEach(function (m) { kinds[m.kind] = true; if (m.label && labels.indexOf(m.label) < 0) { labels.push(m.label); } });
      var mark = el("mark", { "class": Object.keys(kinds).map(function (k) { return "hl-" + k; }).join(" "), "data-start": a, "data-end": b });
      if (labels.length) { mark.title = labels.join(", "); }
      mark.appendChild(document.createTextNode(piece));
      frag.appendChild(mark);
    }
    return frag;
  }

  function fieldRows(ev) {
    var rows = [
      ["Type", ev.type], ["Intervention", ev.intervention || "none"], ["Date", formatDate(ev.date)],
      ["Place", placeName(ev.location) + (ev.location && ev.location.precision ? " [" + ev.location.precision + "]" : "")],
      ["Coordinates", ev.location && typeof ev.location.lat === "number" ? ev.location.lat + ", " + ev.location.lon : "none"],
      ["Actors", (ev.actors || []).map(function (a) {
        return (a.text || "?") + " [" + [a.kind, a.side, a.role].filter(Boolean).join(", ") + "]";
      }).join(" | ") || "none"],
      ["Crowd", ev.crowd ? (ev.crowd.text || "") + " (" + ev.crowd.low + "-" + ev.crowd.high + ")" : "unknown"],
      ["Fatalities", ev.fatalities === null || ev.fatalities === undefined ? "unknown" : ev.fatalities],
      ["Injuries", ev.injuries === null || ev.injuries === undefined ? "unknown" : ev.injuries],
      ["Modality", ev.modality], ["ACLED", ev.acled ? ev.acled.event_type + " / " + ev.acled.sub_event_type : ""],
      ["Status", (ev.status || "") + (ev.corroboration ? " (" + ev.corroboration + " sources)" : "")],
      ["Review", (ev.review || "unreviewed") + (ev.edited ? " (edited by an analyst)" : "")],
      ["Outlet", (ev.outlet || "") + (ev.published ? ", published " + ev.published : "")],
      ["Cluster", ev.cluster || ""], ["Event id", ev.id]
    ];
    return el("table", { "class": "fields" }, [el("tbody", null, rows.map(function (r) {
      return el("tr", null, [el("th", { text: r[0] }), el("td", { "class": "field-" + r[0].toLowerCase().replace(/ /g, "-"), text: r[1] === undefined || r[1] === null ? "" : String(r[1]) })]);
    }))]);
  }

  function sourceBlock(source, isSelf, ev) {
    var box = el("article", { "class": "source" + (isSelf ? " self" : ""), "data-doc-id": source.doc_id });
    box.appendChild(el("h3", null, [
      (source.outlet || "unknown outlet") + (source.published ? ", " + source.published : ""),
      isSelf ? el("span", { "class": "muted", text: " (this event's report)" }) : null
    ]));
    box.appendChild(el("p", { "class": "muted", text: "document " + source.doc_id + ", event " + source.event_id + (source.modality ? ", " + source.modality : "") }));
    var textBox = el("div", { "class": "article-text", text: "Loading article text..." });
    box.appendChild(textBox);
    api("GET", "/documents/" + encodeURIComponent(source.doc_id)).then(function (doc) {
      clear(textBox);
      var spans = [];
      var trig = null;
      if (isSelf) {
        (ev.evidence_spans || []).forEach(function (s) { if (!s.doc_id || s.doc_id === source.doc_id) { spans.push(s); } });
        Object.keys(ev.field_evidence || {}).forEach(function (name) {
          var s = ev.field_evidence[name];
          if (s) { spans.push({ start: s.start, end: s.end, kind: "field", label: name }); }
        });
        trig = ev.trigger;
      } else {
        (source.evidence || []).forEach(function (s) { spans.push(s); });
        (doc.events || []).forEach(function (de) { if (de.id === source.event_id) { trig = de.trigger; } });
      }
      if (doc.title) { box.insertBefore(el("p", { "class": "doc-title", text: doc.title }), textBox); }
      textBox.appendChild(highlightedText(doc.text, spans, trig));
      var firstMark = textBox.querySelector("mark");
      if (firstMark && isSelf) { textBox.setAttribute("data-highlighted", "yes"); }
    }).catch(function (f) { textBox.textContent = describe(f); });
    return box;
  }

  function disagreementsBlock(list) {
    if (!list || !list.length) { return el("p", { "class": "muted", text: "The sources agree on every field." }); }
    return el("ul", { "class": "disagreements" }, list.map(function (d) {
      return el("li", null, [el("strong", { text: d.field + ": " }), (d.values || []).map(function (v) {
        return JSON.stringify(v.value) + " (" + (v.docs || []).join(", ") + ")";
      }).join(" vs ")]);
    }));
  }

  function short(v) {
    if (v === null || v === undefined) { return "none"; }
    if (typeof v === "object") {
      if ("start" in v && "end" in v && Object.keys(v).length === 2) { return formatDate(v); }
      if ("name" in v) { return placeName(v); }
      return JSON.stringify(v);
    }
    return String(v);
  }

  /** One line per changed key: "type: shelling -> airstrike" (before/after are objects of fields). */
  function changeLines(before, after) {
    var b = before && typeof before === "object" && !Array.isArray(before) ? before : { value: before };
    var a = after && typeof after === "object" && !Array.isArray(after) ? after : { value: after };
    var keys = Object.keys(a).concat(Object.keys(b).filter(function (k) { return !(k in a); }));
    return keys.map(function (k) {
      return el("div", { "class": "change" }, [el("span", { "class": "change-key", text: k + ": " }),
        el("span", { "class": "change-before", text: short(b[k]) }), " \u2192 ",
        el("span", { "class": "change-after", text: short(a[k]) })]);
    });
  }

  function historyBlock(items) {
    if (!items || !items.length) { return el("p", { "class": "muted", text: "No analyst changes yet." }); }
    return el("ol", { "class": "history" }, items.map(function (a) {
      return el("li", { "class": "audit-row", "data-action": a.action }, [
        el("div", { "class": "audit-head" }, [el("strong", { text: a.action }), " by " + (a.role || "?") + " (token " + a.token_id + "), ",
          el("time", { text: a.at })]),
        el("div", { "class": "audit-reason", text: "Reason: " + (a.reason || "") })
      ].concat(changeLines(a.before, a.after)));
    }));
  }

  function reviewForms(ev) {
    var wrap = el("section", { "class": "review panel", id: "review-panel" });
    wrap.appendChild(el("h2", { text: "Review" }));
    if (!canEdit()) {
      wrap.appendChild(el("p", { "class": "muted", id: "review-viewer-note",
        text: "Review actions need an editor token; you are signed in as " + (state.me ? state.me.role : "?") + "." }));
    }
    var forms = el("div", { id: "review-forms" });
    forms.hidden = !canEdit();
    wrap.appendChild(forms);

    var typeSel = el("select", { name: "type", id: "edit-type" }, TYPES.map(function (t) {
      return el("option", { value: t, selected: t === ev.type, text: t });
    }));
    var loc = ev.location || {};
    var modSel = el("select", { name: "modality", id: "edit-modality" }, MODALITIES.map(function (m) {
      return el("option", { value: m, selected: m === ev.modality, text: m });
    }));
    var precSel = el("select", { name: "precision", id: "edit-precision" }, [el("option", { value: "", text: "(unchanged)" })].concat(PRECISIONS.map(function (p) {
      return el("option", { value: p, selected: p === loc.precision, text: p });
    })));
    var editForm = el("form", { id: "edit-form", "class": "edit-form" }, [
      el("h3", { text: "Correct fields" }),
      el("label", null, ["Type ", typeSel]),
      el("label", null, ["Modality ", modSel]),
      el("label", null, ["Date from ", el("input", { type: "date", name: "start", id: "edit-start", value: (ev.date && ev.date.start) || "" })]),
      el("label", null, ["to ", el("input", { type: "date", name: "end", id: "edit-end", value: (ev.date && ev.date.end) || "" })]),
      el("label", null, ["Place ", el("input", { type: "text", name: "place", id: "edit-place", value: loc.name || "" })]),
      el("label", null, ["Admin1 ", el("input", { type: "text", name: "admin1", id: "edit-admin1", value: loc.admin1 || "" })]),
      el("label", null, ["Country ", el("input", { type: "text", name: "country", id: "edit-country", value: loc.country || "", maxlength: "2", size: "3" })]),
      el("label", null, ["Lat ", el("input", { type: "number", step: "any", name: "lat", id: "edit-lat", value: typeof loc.lat === "number" ? loc.lat : "" })]),
      el("label", null, ["Lon ", el("input", { type: "number", step: "any", name: "lon", id: "edit-lon", value: typeof loc.lon === "number" ? loc.lon : "" })]),
      el("label", null, ["Precision ", precSel]),
      el("label", { "class": "reason" }, ["Reason (required) ", el("input", { type: "text", name: "reason", id: "edit-reason", required: true })]),
      el("button", { type: "submit", id: "edit-save", text: "Save changes" })
    ]);
    editForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var f = editForm.elements;
      var reason = f.reason.value.trim();
      if (!reason) { notify("A reason is required for every change.", "error"); return; }
      var changes = {};
      if (f.type.value !== ev.type) { changes.type = f.type.value; }
      if (f.modality.value !== ev.modality) { changes.modality = f.modality.value; }
      var start = f.start.value || null, end = f.end.value || start;
      if (start !== ((ev.date && ev.date.start) || null) || end !== ((ev.date && ev.date.end) || null)) {
        changes.date = { start: start, end: end };
      }
      var newLoc = {
        name: f.place.value.trim(), admin1: f.admin1.value.trim() || null, country: f.country.value.trim().toUpperCase() || null,
        lat: f.lat.value === "" ? null : Number(f.lat.value), lon: f.lon.value === "" ? null : Number(f.lon.value),
        precision: f.precision.value || null
      };
      if (newLoc.name && (newLoc.name !== (loc.name || "") || newLoc.admin1 !== (loc.admin1 || null) ||
          newLoc.country !== (loc.country || null) || newLoc.lat !== (typeof loc.lat === "number" ? loc.lat : null) ||
          newLoc.lon !== (typeof loc.lon === "number" ? loc.lon : null) || newLoc.precision !== (loc.precision || null))) {
        changes.location = newLoc;
      }
      if (!Object.keys(changes).length) { notify("Nothing changed.", "info"); return; }
      api("PATCH", "/events/" + encodeURIComponent(ev.id), { changes: changes, reason: reason }).then(function () {
        notify("Saved: " + Object.keys(changes).join(", ") + ".", "ok");
        showEvent(ev.id);
      }).catch(fail);
    });
    forms.appendChild(editForm);

    var reviewReason = el("input", { type: "text", id: "review-reason", placeholder: "reason" });
    function review(status) {
      var reason = reviewReason.value.trim();
      if (!reason) { notify("A reason is required to mark an event " + status + ".", "error"); return; }
      api("POST", "/events/" + encodeURIComponent(ev.id) + "/review", { status: status, reason: reason }).then(function () {
        notify("Marked " + status + ".", "ok");
        showEvent(ev.id);
      }).catch(fail);
    }
    forms.appendChild(el("div", { "class": "review-actions" }, [
      el("h3", { text: "Verify or reject" }),
      el("label", null, ["Reason (required) ", reviewReason]),
      el("button", { type: "button", id: "verify-btn", text: "Verify", onclick: function () { review("verified"); } }),
      el("button", { type: "button", id: "reject-btn", "class": "danger", text: "Reject", onclick: function () { review("rejected"); } })
    ]));

    var mergeIds = el("input", { type: "text", id: "merge-ids", placeholder: "other event ids, comma separated" });
    var clusterReason = el("input", { type: "text", id: "cluster-reason", placeholder: "reason" });
    // Candidates: other events in other clusters whose dates overlap this one's (same place first).
    var candidates = el("select", { id: "merge-candidates" }, [el("option", { value: "", text: "(events on the same days)" })]);
    candidates.addEventListener("change", function () {
      var ids = mergeIds.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean);
      if (candidates.value && ids.indexOf(candidates.value) < 0) { ids.push(candidates.value); }
      mergeIds.value = ids.join(", ");
      candidates.value = "";
    });
    if (canEdit() && ev.date && ev.date.start) {
      var cq = new URLSearchParams({ since: ev.date.start, until: ev.date.end || ev.date.start, limit: "200" });
      api("GET", "/events?" + cq.toString()).then(function (page) {
        var same = (ev.location && ev.location.name) || "";
        (page.items || []).filter(function (o) { return o.id !== ev.id && (!ev.cluster || o.cluster !== ev.cluster); })
          .sort(function (a, b) {
            return ((b.location && b.location.name) === same ? 1 : 0) - ((a.location && a.location.name) === same ? 1 : 0);
          })
          .forEach(function (o) {
            candidates.appendChild(el("option", { value: o.id,
              text: o.type + ", " + formatDate(o.date) + ", " + placeName(o.location) + ", " + (o.outlet || "?") + " [" + o.id + "]" }));
          });
      }).catch(function (f) {
        candidates.appendChild(el("option", { value: "", disabled: true, text: "could not list candidates: " + describe(f) }));
      });
    }
    function clusterAction(kind) {
      var reason = clusterReason.value.trim();
      if (!reason) { notify("A reason is required to " + kind + ".", "error"); return; }
      var call;
      if (kind === "merge") {
        var ids = [ev.id].concat(mergeIds.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean));
        if (ids.length < 2) { notify("Name at least one other event id to merge with.", "error"); return; }
        call = api("POST", "/events/merge", { ids: ids, reason: reason });
      } else {
        call = api("POST", "/events/" + encodeURIComponent(ev.id) + "/split", { reason: reason });
      }
      call.then(function (res) {
        notify((kind === "merge" ? "Merged into cluster " : "Split into cluster ") + (res && res.cluster) + ".", "ok");
        showEvent(ev.id);
      }).catch(fail);
    }
    forms.appendChild(el("div", { "class": "cluster-actions" }, [
      el("h3", { text: "Same event? Merge or split" }),
      el("label", null, ["Merge with ", mergeIds]),
      el("label", null, ["Pick ", candidates]),
      el("label", null, ["Reason (required) ", clusterReason]),
      el("button", { type: "button", id: "merge-btn", text: "Merge", onclick: function () { clusterAction("merge"); } }),
      el("button", { type: "button", id: "split-btn", text: "Split into its own cluster", onclick: function () { clusterAction("split"); } })
    ]));
    return wrap;
  }

  function showEvent(id) {
    $("overview").hidden = true;
    $("ingest-panel").hidden = true;
    $("event-view").hidden = false;
    var box = $("event-detail");
    clear(box);
    box.appendChild(el("p", { "class": "muted", text: "Loading event..." }));
    return api("GET", "/events/" + encodeURIComponent(id)).then(function (data) {
      clear(box);
      var ev = data.event;
      var cluster = data.cluster || { sources: [] };
      box.appendChild(el("h1", { id: "event-title" }, [typeBadge(ev.type), " ", formatDate(ev.date), " \u2014 ", placeName(ev.location)]));
      var cols = el("div", { "class": "event-columns" });
      var leftCol = el("div", { "class": "event-main" });
      leftCol.appendChild(el("section", { "class": "panel" }, [el("h2", { text: "Fields" }), fieldRows(ev)]));
      var sources = el("section", { "class": "panel sources", id: "sources" }, [
        el("h2", null, ["Sources ", el("span", { "class": "muted", text: (cluster.sources || []).length + " report(s) in cluster " + (cluster.id || "") + ", " + (cluster.status || "") })]),
        el("p", { "class": "legend-inline" }, [el("mark", { "class": "hl-evidence", text: "evidence" }), " ",
          el("mark", { "class": "hl-field", text: "field evidence" }), " ", el("mark", { "class": "hl-trigger", text: "trigger" })])
      ]);
      var list = (cluster.sources || []).slice();
      if (!list.some(function (s) { return s.event_id === ev.id; })) {
        list.unshift({ doc_id: ev.doc_id, event_id: ev.id, outlet: ev.outlet, published: ev.published, modality: ev.modality, evidence: ev.evidence_spans });
      }
      list.sort(function (a, b) { return (a.event_id === ev.id ? 0 : 1) - (b.event_id === ev.id ? 0 : 1); });
      list.forEach(function (s) { sources.appendChild(sourceBlock(s, s.event_id === ev.id, ev)); });
      leftCol.appendChild(sources);
      var rightCol = el("div", { "class": "event-side" });
      rightCol.appendChild(reviewForms(ev));
      rightCol.appendChild(el("section", { "class": "panel" }, [el("h2", { text: "Disagreements between sources" }), disagreementsBlock(cluster.disagreements)]));
      rightCol.appendChild(el("section", { "class": "panel", id: "history" }, [el("h2", { text: "History (audit log)" }), historyBlock(data.history)]));
      cols.appendChild(leftCol);
      cols.appendChild(rightCol);
      box.appendChild(cols);
    }).catch(function (f) { clear(box); box.appendChild(el("p", { "class": "error-text", text: describe(f) })); fail(f); });
  }

  // ---------------------------------------------------------------- routing and start-up

  function route() {
    if (!state.me) { return; }
    var m = /^#\/event\/(.+)$/.exec(location.hash);
    if (m) {
      var id;
      try { id = decodeURIComponent(m[1]); } catch (e) { id = m[1]; }
      showEvent(id);
      return;
    }
    $("event-view").hidden = true;
    $("overview").hidden = false;
    $("ingest-panel").hidden = !canEdit();
    loadOverview();
  }

  function init() {
    var typeSel = $("f-type");
    TYPES.forEach(function (t) { typeSel.appendChild(el("option", { value: t, text: t.replace(/_/g, " ") })); });
    $("login-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var t = $("token-input").value.trim();
      if (!t) { return; }
      $("token-input").value = "";
      signIn(t);
    });
    $("logout").addEventListener("click", function () { signOut(""); notify(""); });
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); applyFilters(); });
    $("ingest-form").addEventListener("submit", submitIngest);
    $("f-reset").addEventListener("click", function () { $("filters").reset(); applyFilters(); });
    $("prev-page").addEventListener("click", function () { state.offset = Math.max(0, state.offset - PAGE_SIZE); loadOverview(); });
    $("next-page").addEventListener("click", function () { state.offset += PAGE_SIZE; loadOverview(); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-export]"), function (b) {
      b.addEventListener("click", function () { exportFile(b.getAttribute("data-export")); });
    });
    window.addEventListener("hashchange", route);
    var t = token();
    if (t) { signIn(t); } else { showLogin(); }
  }

  window.vigil = { api: api, highlightedText: highlightedText };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
