// The pharmacist's page. It reads the form, calls POST /v1/check (or /v1/check/fhir for a
// Bundle file), the same API integrators use, and shows the report. Everything shown that
// comes from the input or the report is set as text (textContent, text nodes), never parsed
// as HTML. Nothing is stored: the API key, when the service asks for one, lives in `apiKey`
// for as long as the tab is open.
"use strict";

(() => {
  const LOINC = "http://loinc.org";
  const LISTS = ["medications", "conditions", "labs"];
  const LIST_LABELS = { medications: "Medications", conditions: "Conditions", labs: "Labs" };
  const ITEM_LABELS = { medications: "Medication", conditions: "Condition", labs: "Lab" };
  const STATUS_LABELS = {
    flagged: "Flagged",
    recognized: "Recognized",
    unrecognized: "Not recognized",
  };
  const SEVERITIES = ["low", "moderate", "high"];
  const HEADINGS = ["As entered", "Status", "Read as", "Notes"];
  const RISK_LABELS = { none: "None found", low: "Low", moderate: "Moderate", high: "High" };

  let apiKey = null; // only here: never in storage, URLs or cookies
  let keyPrompt = null; // the open sign-in prompt, shared by concurrent requests
  let running = null; // AbortController of the check in flight
  let noteText = "";
  let knowledge = null; // the analytes' loading, once it has started and not failed
  const analytes = new Map(); // lower-case name or id -> {name, loinc, unit, units}

  const $ = (id) => document.getElementById(id);

  // An element with attributes and children; strings become text nodes, never markup.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  class Failure extends Error {}

  // ---- calling the API ------------------------------------------------------------------

  async function call(path, body) {
    for (;;) {
      const headers = { Accept: "application/json, application/problem+json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (apiKey) headers["X-API-Key"] = apiKey;
      let response;
      try {
        response = await fetch(path, {
          method: body === undefined ? "GET" : "POST",
          headers,
          body,
          cache: "no-store",
          credentials: "omit",
          referrerPolicy: "no-referrer",
          signal: body === undefined ? undefined : running && running.signal,
        });
      } catch (error) {
        if (error.name === "AbortError") throw error;
        throw new Failure("Could not reach the service. Check the connection and try again.");
      }
      if (response.status !== 401) return response;
      const refused = apiKey !== null;
      apiKey = null;
      $("sign-out").hidden = true;
      if (!(await askForKey(refused))) throw new Failure("The service needs an API key to check.");
    }
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function askForKey(refused) {
    if (keyPrompt) return keyPrompt;
    const dialog = $("sign-in");
    const error = $("sign-in-error");
    error.hidden = !refused;
    error.textContent = refused ? "That key was not accepted. Try again." : "";
    $("api-key").value = "";
    keyPrompt = new Promise((resolve) => {
      const finish = (key) => {
        $("sign-in-form").removeEventListener("submit", submit);
        $("sign-in-cancel").removeEventListener("click", cancel);
        dialog.removeEventListener("cancel", cancel);
        $("api-key").value = "";
        if (dialog.open) dialog.close();
        keyPrompt = null;
        if (key) {
          apiKey = key;
          $("sign-out").hidden = false;
        }
        resolve(Boolean(key));
        if (key) ensureKnowledge(); // it may have been refused for want of the key
      };
      const submit = (event) => {
        event.preventDefault();
        const key = $("api-key").value.trim();
        if (key) finish(key);
      };
      const cancel = (event) => {
        event.preventDefault();
        finish(null);
      };
      $("sign-in-form").addEventListener("submit", submit);
      $("sign-in-cancel").addEventListener("click", cancel);
      dialog.addEventListener("cancel", cancel);
    });
    dialog.showModal();
    $("api-key").focus();
    return keyPrompt;
  }

  function problemMessage(status, problem, sent) {
    if (status === 503) {
      return { title: "The service is starting. Try again in a moment.", lines: [] };
    }
    const title = (problem && problem.title) || `The service answered ${status}.`;
    const lines = [];
    for (const error of (problem && Array.isArray(problem.errors) && problem.errors) || []) {
      lines.push(`${pointerLabel(String(error.pointer || ""), sent)}: ${error.detail || ""}`);
    }
    return { title, lines };
  }

  // "/medications/2/text" -> "Medication line 4 (Lasix 40 mg)", from what was sent.
  function pointerLabel(pointer, sent) {
    const match = /^\/(medications|conditions|labs)\/(\d+)/.exec(pointer);
    if (!match || !sent) return pointer || "The request";
    const [, list, index] = match;
    const item = sent[list][Number(index)];
    const where = item && item.line
      ? `${ITEM_LABELS[list]} line ${item.line}`
      : `${ITEM_LABELS[list]} ${Number(index) + 1}`;
    return item ? `${where} (${item.display})` : where;
  }

  // ---- labs: the analytes the knowledge base knows, from GET /v1/knowledge ----------------

  function prettyUnit(unit) {
    return unit.replace(/dl$/, "dL").replace(/ml$/, "mL").replace(/l$/, "L");
  }

  function ensureKnowledge() {
    if (knowledge) return;
    knowledge = loadKnowledge().then((loaded) => {
      if (!loaded) knowledge = null;
    });
  }

  async function loadKnowledge() {
    try {
      const response = await call("/v1/knowledge?kind=analyte");
      if (!response.ok) throw new Failure(`knowledge: ${response.status}`);
      const index = await readJson(response);
      $("kb-version").textContent = `Knowledge ${index.knowledge_version}`;
      const entries = await Promise.all(
        index.concepts
          .filter((concept) => concept.kind === "analyte")
          .map(async (concept) => {
            const answer = await call(`/v1/knowledge/analyte:${encodeURIComponent(concept.id)}`);
            return answer.ok ? readJson(answer) : null;
          }),
      );
      const list = $("analytes");
      const units = $("unit-lists");
      entries.forEach((found, position) => {
        const entry = found && found.entry;
        if (!entry || !entry.name) return;
        const unitNames = [
          entry.canonical_unit,
          ...Object.keys(entry.units || {}).map(prettyUnit),
        ];
        const unique = unitNames.filter(
          (u, i) => u && unitNames.findIndex((v) => v && v.toLowerCase() === u.toLowerCase()) === i,
        );
        const analyte = {
          name: entry.name,
          loinc: entry.loinc || [],
          unit: entry.canonical_unit || "",
          units: `units-${position}`, // the id of its units' datalist
        };
        analytes.set(entry.name.toLowerCase(), analyte);
        analytes.set(String(entry.id).toLowerCase(), analyte);
        list.append(el("option", { value: entry.name }));
        const options = unique.map((u) => el("option", { value: u }));
        units.append(el("datalist", { id: analyte.units }, ...options));
      });
      $("analyte-note").hidden = true;
      return true;
    } catch (error) {
      if (!analytes.size) $("kb-version").textContent = "Knowledge: not loaded";
      const note = $("analyte-note");
      note.hidden = false;
      note.textContent = "The list of tests could not be loaded; type the test's name instead.";
      if (!(error instanceof Failure)) throw error;
      return false;
    }
  }

  function addLabRow(focus) {
    const row = $("lab-row").content.firstElementChild.cloneNode(true);
    $("lab-rows").append(row);
    renumberLabs();
    if (focus) row.querySelector(".lab-analyte").focus();
    return row;
  }

  function renumberLabs() {
    [...$("lab-rows").children].forEach((row, position) => {
      const n = position + 1;
      row.querySelector(".lab-analyte").setAttribute("aria-label", `Lab ${n}: test`);
      row.querySelector(".lab-value").setAttribute("aria-label", `Lab ${n}: value`);
      row.querySelector(".lab-unit").setAttribute("aria-label", `Lab ${n}: unit`);
      row.querySelector(".lab-remove").setAttribute("aria-label", `Remove lab ${n}`);
    });
  }

  function onAnalyteChosen(input) {
    const row = input.closest(".lab-row");
    const analyte = analytes.get(input.value.trim().toLowerCase());
    const unit = row.querySelector(".lab-unit");
    if (analyte) {
      unit.setAttribute("list", analyte.units);
      if (!unit.value) unit.value = analyte.unit;
    } else {
      unit.removeAttribute("list");
    }
  }

  // ---- reading the form -----------------------------------------------------------------

  function textLines(id) {
    return $(id)
      .value.split(/\r?\n/)
      .map((text, position) => ({ text: text.trim(), line: position + 1 }))
      .filter((item) => item.text)
      .map((item) => ({ ...item, display: item.text }));
  }

  function readLabs(problems) {
    const labs = [];
    [...$("lab-rows").children].forEach((row, position) => {
      const fields = [".lab-analyte", ".lab-value", ".lab-unit"].map((s) => row.querySelector(s));
      const [name, value, unit] = fields.map((f) => f.value.trim());
      fields.forEach((f) => f.removeAttribute("aria-invalid"));
      if (!name && !value && !unit) return;
      const number = Number(value.replace(",", "."));
      const bad = [];
      if (!name) bad.push([fields[0], "which test"]);
      if (!value || !Number.isFinite(number)) bad.push([fields[1], "a number"]);
      if (!unit) bad.push([fields[2], "a unit"]);
      if (bad.length) {
        bad.forEach(([field]) => field.setAttribute("aria-invalid", "true"));
        const needs = bad.map((b) => b[1]).join(", ");
        problems.push({ field: bad[0][0], text: `Lab ${position + 1} needs ${needs}.` });
        return;
      }
      const analyte = analytes.get(name.toLowerCase());
      // A test chosen from the list goes by its LOINC code; any other by its name.
      const item = analyte && analyte.loinc.length
        ? { coding: [{ system: LOINC, code: analyte.loinc[0], display: analyte.name }] }
        : { text: name };
      item.value = number;
      item.unit = unit;
      labs.push({ item, display: `${name} ${value} ${unit}`, line: null });
    });
    return labs;
  }

  function readPatient(problems) {
    const patient = {};
    const age = $("age").value.trim();
    $("age").removeAttribute("aria-invalid");
    if (age) {
      const years = Number(age.replace(",", "."));
      if (Number.isFinite(years) && years >= 0 && years <= 130) patient.age = years;
      else {
        $("age").setAttribute("aria-invalid", "true");
        problems.push({ field: $("age"), text: "Age must be a number of years (0 to 130)." });
      }
    }
    if ($("sex").value) patient.sex = $("sex").value;
    if ($("pregnant").checked) patient.pregnant = true;
    return patient;
  }

  // ---- checking -------------------------------------------------------------------------

  async function checkForm() {
    const problems = [];
    const sent = {
      medications: textLines("medications"),
      conditions: textLines("conditions"),
      labs: readLabs(problems),
    };
    const patient = readPatient(problems);
    if (problems.length) {
      showError({ title: "Please complete the form.", lines: problems.map((p) => p.text) });
      problems[0].field.focus();
      return;
    }
    if (!sent.medications.length && !sent.conditions.length && !sent.labs.length) {
      showError({ title: "Type at least one medication, condition or lab.", lines: [] });
      $("medications").focus();
      return;
    }
    const body = {
      medications: sent.medications.map((m) => ({ text: m.text })),
      conditions: sent.conditions.map((c) => ({ text: c.text })),
      labs: sent.labs.map((l) => l.item),
    };
    if (Object.keys(patient).length) body.patient = patient;
    sent.patient = describePatient(patient);
    await runCheck("/v1/check", JSON.stringify(body), sent, null);
  }

  function describePatient(patient) {
    const parts = [];
    if (patient.age !== undefined) parts.push(`age ${patient.age}`);
    if (patient.sex) parts.push(patient.sex);
    if (patient.pregnant) parts.push("pregnant");
    return parts.join(", ") || "patient details";
  }

  async function checkBundle(file) {
    let text;
    try {
      text = await file.text();
    } catch {
      showError({ title: "The file could not be read.", lines: [] });
      return;
    }
    await runCheck("/v1/check/fhir", text, null, file.name);
  }

  async function runCheck(path, body, sent, fileName) {
    if (running) running.abort();
    running = new AbortController();
    const mine = running;
    hideError();
    setStatus("Checking...");
    $("results").setAttribute("aria-busy", "true");
    try {
      const response = await call(path, body);
      const answer = await readJson(response);
      if (mine !== running) return;
      if (!response.ok || !answer || !Array.isArray(answer.findings)) {
        showError(problemMessage(response.status, answer, sent));
        setStatus("The check did not run; see the message under the form.");
        return;
      }
      render(answer, sent || sentFromBundle(answer), fileName);
    } catch (error) {
      if (error.name === "AbortError") return;
      if (!(error instanceof Failure)) throw error;
      showError({ title: error.message, lines: [] });
      setStatus(error.message);
    } finally {
      if (mine === running) {
        running = null;
        $("results").removeAttribute("aria-busy");
      }
    }
  }

  // A Bundle's items are described by the report's `sources` (what each resource names).
  function sentFromBundle(report) {
    const sources = report.sources || {};
    const sent = { patient: "patient details" };
    for (const list of LISTS) {
      sent[list] = (report[list] || []).map((status) => {
        const source = (sources[list] || [])[status.index] || {};
        const fallback = `${ITEM_LABELS[list]} ${status.index + 1}`;
        return { display: source.display || source.reference || fallback, line: null };
      });
    }
    return sent;
  }

  // ---- showing the report ---------------------------------------------------------------

  function render(report, sent, fileName) {
    const risk = RISK_LABELS[report.risk] ? report.risk : "none";
    const riskLine = $("risk");
    riskLine.className = `risk risk-${risk}`;
    riskLine.replaceChildren("Overall risk: ", el("strong", {}, RISK_LABELS[risk]));

    $("source").hidden = !fileName;
    $("source").textContent = fileName ? `From the FHIR Bundle file ${fileName}` : "";

    const statuses = LISTS.flatMap((list) => (report[list] || []).map((s) => [list, s]));
    const unrecognized = statuses
      .filter(([, s]) => s.status === "unrecognized")
      .map(([list, s]) => inputLabel(sent, list, s.index));
    const suggested = statuses.some(([, s]) => (s.suggestions || []).length);
    const hint = suggested ? "See the suggestions below." : "Check the spelling.";
    $("unchecked").hidden = unrecognized.length === 0;
    $("unchecked").textContent = unrecognized.length
      ? `Not recognized, so not checked: ${unrecognized.join("; ")}. ${hint}`
      : "";

    const { top, absorbedBy } = problemLines(report.findings || []);
    $("problems").replaceChildren(...top.map((f) => problemItem(f, absorbedBy, sent, 0)));
    $("no-problems").hidden = top.length > 0;

    const lists = LISTS.filter((list) => (report[list] || []).length);
    $("inputs").replaceChildren(...lists.map((list) => inputTable(list, report[list], sent)));
    $("ignored").replaceChildren(...ignoredList(report.ignored));

    noteText = String(report.note || "");
    $("note").textContent = noteText;
    $("copied").textContent = "";
    const now = new Date().toLocaleString();
    const version = String(report.knowledge_version || "");
    for (const node of document.querySelectorAll(".checked-at")) node.textContent = now;
    for (const node of document.querySelectorAll(".report-version")) node.textContent = version;
    if (version) $("kb-version").textContent = `Knowledge ${version}`;

    $("report").hidden = false;
    $("stale").hidden = true;
    $("results").classList.remove("stale");
    const count = top.length;
    let summary = `Overall risk ${RISK_LABELS[risk].toLowerCase()}: ${count} problem`;
    if (count !== 1) summary += "s";
    if (unrecognized.length) summary += `; ${unrecognized.length} not recognized`;
    setStatus(`${summary}.`, false); // announced; on screen the risk line says it
    if (window.matchMedia("(max-width: 60rem)").matches) {
      $("results").scrollIntoView({ block: "start" }); // one column: the result is below
    }
  }

  // Top-level findings, each with the findings it absorbs (`absorbed_by`): one line per problem.
  function problemLines(findings) {
    const ids = new Set(findings.map((f) => f.id));
    const absorbedBy = new Map();
    const top = [];
    for (const finding of findings) {
      const owner = finding.absorbed_by;
      if (owner && owner !== finding.id && ids.has(owner)) {
        if (!absorbedBy.has(owner)) absorbedBy.set(owner, []);
        absorbedBy.get(owner).push(finding);
      } else top.push(finding);
    }
    return { top, absorbedBy };
  }

  function inputLabel(sent, list, index) {
    if (list === "patient") return sent.patient || "patient details";
    const item = (sent[list] || [])[index];
    return item ? item.display : `${ITEM_LABELS[list] || list} ${index + 1}`;
  }

  function severityOf(finding) {
    return SEVERITIES.includes(finding.severity) ? finding.severity : "low";
  }

  function problemItem(finding, absorbedBy, sent, depth) {
    const severity = severityOf(finding);
    const from = (finding.inputs || []).map((ref) => inputLabel(sent, ref.list, ref.index));
    const summary = el(
      "summary",
      {},
      el("span", { class: `sev sev-${severity}` }, severity[0].toUpperCase() + severity.slice(1)),
      el("span", { class: "what" }, String(finding.title || finding.id)),
      from.length ? el("span", { class: "why" }, `from ${from.join(" · ")}`) : null,
    );
    const more = el("div", { class: "more" });
    if (finding.detail) more.append(el("p", {}, String(finding.detail)));
    if (finding.evidence_grade) {
      const level = String(finding.evidence_level || "").replaceAll("_", " ");
      const grade = `Evidence grade ${finding.evidence_grade}${level ? ` (${level})` : ""}`;
      more.append(el("p", { class: "quiet" }, grade));
    }
    more.append(...bulletSection("Monitoring", finding.monitoring));
    more.append(...bulletSection("Management", finding.management));
    const evidence = (finding.evidence || []).map((source) => {
      const url = String(source.url || "");
      const citation = String(source.citation || url);
      if (!/^https?:\/\//i.test(url)) return el("li", {}, citation); // never javascript: URLs
      const link = { href: url, target: "_blank", rel: "noopener noreferrer" };
      return el("li", {}, el("a", link, citation));
    });
    if (evidence.length) more.append(el("h4", {}, "Evidence"), el("ul", {}, ...evidence));
    const absorbed = absorbedBy.get(finding.id) || [];
    if (absorbed.length && depth < 3) {
      const items = absorbed.map((f) => problemItem(f, absorbedBy, sent, depth + 1));
      more.append(el("h4", {}, "Includes"), el("ul", { class: "absorbed" }, ...items));
    }
    const item = { class: `problem problem-${severity}`, "data-finding": String(finding.id) };
    return el("li", item, el("details", {}, summary, more));
  }

  function bulletSection(title, items) {
    if (!Array.isArray(items) || !items.length) return [];
    const list = el("ul", {}, ...items.map((item) => el("li", {}, String(item))));
    return [el("h4", {}, title), list];
  }

  function inputTable(list, statuses, sent) {
    const rows = statuses.map((status) => {
      const state = STATUS_LABELS[status.status] ? status.status : "unrecognized";
      let concepts = Array.isArray(status.concepts) ? status.concepts : [];
      if (!concepts.length && status.concept) concepts = [status.concept];
      const readAs = el("td", { class: "read-as" }, concepts.join(" + ") || "—");
      const notes = el("td", { class: "notes" });
      // How the input was read (`match`): a spelling correction is never silent.
      const spelling = status.match === "spelling";
      if (spelling) {
        const term = status.read_as || concepts[0] || "?";
        const tag = el("span", { class: "tag tag-warn" }, `spelling: read as “${term}”`);
        readAs.append(" ", tag);
      } else if (status.match && status.match !== "name") {
        readAs.append(" ", el("span", { class: "tag" }, `by ${status.match}`));
      }
      if (status.reason) notes.append(el("span", {}, String(status.reason)));
      if (Array.isArray(status.suggestions) && status.suggestions.length) {
        if (status.reason) notes.append(el("br"));
        const question = `Did you mean: ${status.suggestions.join(", ")}?`;
        notes.append(el("span", { class: "suggest" }, question));
      }
      return el(
        "tr",
        { class: `input-${state}${spelling ? " input-spelling" : ""}` },
        el("th", { scope: "row" }, inputLabel(sent, list, status.index)),
        el("td", {}, el("span", { class: `state state-${state}` }, STATUS_LABELS[state])),
        readAs,
        notes,
      );
    });
    return el(
      "table",
      { class: "inputs", "data-list": list },
      el("caption", {}, `${LIST_LABELS[list]} (${statuses.length})`),
      el("thead", {}, el("tr", {}, ...HEADINGS.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows),
    );
  }

  function ignoredList(ignored) {
    if (!Array.isArray(ignored) || !ignored.length) return [];
    const count = `${ignored.length} resource${ignored.length === 1 ? "" : "s"}`;
    const items = ignored.map((i) => el("li", {}, `${i.reference}: ${i.reason}`));
    return [
      el(
        "details",
        { class: "ignored" },
        el("summary", {}, `Left out of the Bundle: ${count}`),
        el("ul", {}, ...items),
      ),
    ];
  }

  // ---- messages, copy, print, clear -----------------------------------------------------

  function setStatus(text, shown = true) {
    $("status").textContent = text;
    $("status").classList.toggle("sr-only", !shown);
  }

  function showError(message) {
    const box = $("form-error");
    box.replaceChildren(el("p", {}, message.title));
    if (message.lines.length) {
      box.append(el("ul", {}, ...message.lines.map((line) => el("li", {}, line))));
    }
    box.hidden = false;
  }

  function hideError() {
    $("form-error").hidden = true;
    $("form-error").replaceChildren();
  }

  async function copyNote() {
    let copied = false;
    try {
      await navigator.clipboard.writeText(noteText);
      copied = true;
    } catch {
      // Not a secure context (plain http on a LAN address): copy the selected note instead.
      const selection = window.getSelection();
      const range = document.createRange();
      range.selectNodeContents($("note"));
      selection.removeAllRanges();
      selection.addRange(range);
      copied = document.execCommand("copy");
      selection.removeAllRanges();
    }
    $("copied").textContent = copied
      ? "Copied."
      : "Could not copy: select the note and copy it by hand.";
  }

  function clearAll() {
    if (running) running.abort();
    $("check-form").reset();
    $("lab-rows").replaceChildren();
    addLabRow(false);
    hideError();
    noteText = ""; // nothing of the last patient stays in the page
    for (const id of ["risk", "source", "unchecked", "problems", "inputs", "ignored", "note"]) {
      $(id).replaceChildren();
    }
    $("report").hidden = true;
    $("stale").hidden = true;
    $("results").classList.remove("stale");
    setStatus("Cleared. Type or paste the next patient's list.");
    $("medications").focus();
  }

  function markStale() {
    if ($("report").hidden) return;
    $("stale").hidden = false;
    $("results").classList.add("stale");
  }

  // ---- wiring ---------------------------------------------------------------------------

  function start() {
    addLabRow(false);
    $("check-form").addEventListener("submit", (event) => {
      event.preventDefault();
      checkForm();
    });
    $("check-form").addEventListener("input", markStale);
    $("check-form").addEventListener("change", (event) => {
      if (event.target.classList.contains("lab-analyte")) onAnalyteChosen(event.target);
    });
    $("check-form").addEventListener("click", (event) => {
      const remove = event.target.closest(".lab-remove");
      if (!remove) return;
      const row = remove.closest(".lab-row");
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (!$("lab-rows").children.length) addLabRow(false);
      renumberLabs();
      markStale();
      (next ? next.querySelector(".lab-analyte") : $("add-lab")).focus();
    });
    $("add-lab").addEventListener("click", () => addLabRow(true));
    $("clear").addEventListener("click", clearAll);
    $("bundle").addEventListener("change", async (event) => {
      const file = event.target.files && event.target.files[0];
      if (!file) return;
      await checkBundle(file);
      event.target.value = ""; // choosing the same file again checks it again
    });
    $("copy-note").addEventListener("click", copyNote);
    $("print").addEventListener("click", () => window.print());
    $("sign-out").addEventListener("click", () => {
      apiKey = null;
      $("sign-out").hidden = true;
      setStatus("The API key is forgotten.");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !$("sign-in").open) {
        event.preventDefault();
        checkForm();
      }
    });
    ensureKnowledge();
  }

  start();
})();
