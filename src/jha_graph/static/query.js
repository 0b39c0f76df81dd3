/* jha-graph query editor: YASGUI (static/vendor/yasgui) on this server's /sparql.
 *
 * Nothing here or in YASGUI as configured asks another host for anything:
 *  - the endpoint is this server's /sparql; the endpoint catalogue lists only it, its field is read-only, and
 *    populateFromUrl is off (so ?endpoint= in the address cannot send queries elsewhere);
 *  - completion uses the bundled prefix list (prefixCcApi stays null), the query's variables and the
 *    ontology's own classes and properties; the completers that ask Linked Open Vocabularies are off;
 *  - no link shortener (createShortLink unset) and no CORS proxy.
 * The page's configuration is the JSON in #query-config (written by the ui router).
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("query-config").textContent);
  var host = document.getElementById("yasgui");
  if (typeof Yasgui === "undefined" || !host) return; // the plain form stays
  var endpoint = new URL(cfg.endpoint, window.location.href).href;
  var downloads = document.getElementById("downloads");
  var links = document.getElementById("download-links");
  var Yasqe = Yasgui.Yasqe;

  // completion: local lists only (mutate the defaults: lodash merges arrays index by index).  A prefixed
  // name completes even when the query does not declare its prefix, since the endpoint predeclares them.
  var iriToken = Yasqe.Autocompleters.property.preProcessToken;
  function predeclared(yasqe, token) {
    var t = iriToken(yasqe, token);
    if (t.tokenPrefix && !t.tokenPrefixUri && cfg.prefixes[t.tokenPrefix.slice(0, -1)]) {
      t.tokenPrefixUri = cfg.prefixes[t.tokenPrefix.slice(0, -1)];
      t.autocompletionString = t.tokenPrefixUri + token.string.trim().substring(t.tokenPrefix.length);
    }
    return t;
  }
  Yasqe.forkAutocompleter("class", { name: "jhaClass", get: cfg.classes, bulk: false, persistenceId: null,
                                     preProcessToken: predeclared }, false);
  Yasqe.forkAutocompleter("property", { name: "jhaProperty", get: cfg.properties, bulk: false, persistenceId: null,
                                        preProcessToken: predeclared }, false);
  var completers = ["prefixes", "variables", "jhaClass", "jhaProperty"];
  Yasqe.defaults.autocompleters = completers.slice();
  Yasgui.defaults.yasqe.autocompleters = completers.slice();
  Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.prefixCcApi = null;
  Yasgui.defaults.endpointCatalogueOptions.getData = function () { return [{ endpoint: endpoint }]; };

  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    autoAddOnInit: true,
    persistenceId: "jha-graph " + endpoint,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: { value: cfg.defaultQuery, collapsePrefixesOnLoad: true, editorHeight: "340px", resizeable: true },
    yasr: { prefixes: cfg.prefixes, defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });
  window.jhaYasgui = yasgui; // for the browser tests and the curious

  function eachTab(fn) {
    Object.keys(yasgui._tabs || {}).forEach(function (id) { var t = yasgui.getTab(id); if (t) fn(t); });
  }
  function own(tab) {
    if (tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
    host.querySelectorAll(".controlbar input.autocomplete").forEach(function (input) {
      input.readOnly = true;
      input.setAttribute("aria-label", "SPARQL endpoint (this server's)");
    });
    var yasqe = tab.getYasqe && tab.getYasqe();
    if (yasqe && yasqe.getInputField && !yasqe.__jhaLabelled) {
      yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
      yasqe.on("change", updateDownloads);
      yasqe.__jhaLabelled = true;
    }
  }
  eachTab(own);
  yasgui.on("tabSelect", function () { setTimeout(function () { own(yasgui.getTab()); updateDownloads(); }, 0); });
  yasgui.on("tabAdd", function () { setTimeout(function () { eachTab(own); }, 0); });

  // examples: the queries of queries/
  var byName = {};
  cfg.examples.forEach(function (q) { byName[q.name] = q; });
  var select = document.getElementById("example");
  var described = document.getElementById("example-description");
  function openQuery(text, name, run) {
    var tab = yasgui.addTab(true, { name: name || "Query", yasqe: { value: text }, requestConfig: { endpoint: endpoint } },
                            { avoidDuplicateTabs: true });
    tab = yasgui.getTab();
    own(tab);
    if (tab.getQuery && tab.getQuery() !== text) tab.setQuery(text);
    updateDownloads();
    if (run) tab.query();
    return tab;
  }
  select.addEventListener("change", function () {
    var q = byName[select.value];
    described.textContent = q ? (q.description || q.title) : "";
  });
  document.getElementById("load-example").addEventListener("click", function () {
    var q = byName[select.value];
    if (q) openQuery(q.sparql, q.name.split("/").pop(), false);
  });
  document.getElementById("query-tools").hidden = false;
  var plain = document.getElementById("plain-query");
  if (plain) plain.hidden = true;

  // downloads: every format the endpoint has for this kind of query, fetched by GET from this server
  var EXT = { json: "srj", xml: "srx", csv: "csv", tsv: "tsv", ttl: "ttl", nt: "nt", rdf: "rdf", jsonld: "jsonld",
              trig: "trig", nq: "nq" };
  function updateDownloads() {
    var tab = yasgui.getTab();
    var yasqe = tab && tab.getYasqe && tab.getYasqe();
    if (!yasqe) return;
    var type = (yasqe.getQueryType && yasqe.getQueryType()) || "";
    var kind = /^(CONSTRUCT|DESCRIBE)$/i.test(type) ? "graph" : /^(SELECT|ASK)$/i.test(type) ? "solutions" : null;
    links.textContent = "";
    downloads.hidden = !kind;
    if (!kind) return;
    var query = yasqe.getValue();
    cfg.formats[kind].forEach(function (f, i) {
      var a = document.createElement("a");
      a.href = endpoint + "?query=" + encodeURIComponent(query) + "&format=" + f.name;
      a.setAttribute("download", "results." + EXT[f.name]);
      a.type = f.type;
      a.className = "download";
      a.textContent = f.name.toUpperCase();
      a.title = f.type;
      if (i) links.appendChild(document.createTextNode(" · "));
      links.appendChild(a);
    });
  }
  updateDownloads();

  // ?query=...[&run=1] or ?example=name opens it in a tab
  var params = new URLSearchParams(window.location.search);
  if (params.get("query")) openQuery(params.get("query"), "Linked query", params.get("run") === "1");
  else if (params.get("example") && byName[params.get("example")]) {
    var ex = byName[params.get("example")];
    select.value = ex.name;
    described.textContent = ex.description || ex.title;
    openQuery(ex.sparql, ex.name.split("/").pop(), params.get("run") === "1");
  }

  // IRIs in the results link to their pages on this server
  var base = cfg.base;
  var onto = "https://w3id.org/jha-graph/ontology#";
  function local(href) {
    if (href.indexOf(base + "id/") === 0 || href.indexOf(base + "graph/") === 0)
      return cfg.root + "/" + href.slice(base.length);
    if (href.indexOf(onto) === 0) return cfg.root + "/ontology#" + href.slice(onto.length);
    return null;
  }
  function relink(root) {
    root.querySelectorAll(".yasr a[href]").forEach(function (a) {
      var to = local(a.getAttribute("href"));
      if (to) { a.setAttribute("href", to); a.removeAttribute("target"); }
    });
  }
  new MutationObserver(function () { relink(host); }).observe(host, { childList: true, subtree: true });
  relink(host);
})();
