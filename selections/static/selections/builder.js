/* The advanced search builder: groups (all / any / none) of rules (field,
 * operator, value), drawn from the field registry the server sends
 * (selections.fields.builder_schema). The tree is kept as JSON in the form's
 * hidden "criteria" input; the server validates it again on every use. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("crm-builder-data").textContent);
  const L = data.labels;
  const root = document.getElementById("crm-builder");
  const hidden = document.getElementById("id_criteria");
  const countOutput = document.getElementById("crm-count");
  const previewCriteria = document.querySelector("[data-crm-criteria]");
  const previewTarget = document.querySelector("[data-crm-target]");
  const form = document.getElementById("crm-search-form");
  const NO_VALUE = ["is_empty", "is_not_empty", "is_true", "is_false"];
  const LIST_VALUE = ["in", "not_in", "all_of"];
  const orgLabels = Object.assign({}, data.organisations);

  let target = data.target;
  let tree = normalise(data.criteria);
  let countTimer = null;
  let countRequest = 0;
  let lastCounted = null; // the criteria (and target) the count shown is for
  // Incomplete rules whose problem is shown: only once the user has moved on
  // (left the rule, changed another one, or submitted).
  const revealed = new WeakSet();
  const rowOf = new WeakMap();

  function normalise(node) {
    if (!node || typeof node !== "object" || !Array.isArray(node.rules)) {
      return { match: "all", rules: [] };
    }
    return {
      match: ["all", "any", "none"].includes(node.match) ? node.match : "all",
      rules: node.rules.map((member) =>
        member && Array.isArray(member.rules)
          ? normalise(member)
          : { field: member.field, operator: member.operator, value: member.value }
      ),
    };
  }

  function schema() {
    return data.schema[target] || [];
  }

  function fieldOf(key) {
    return schema().find((item) => item.key === key);
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function button(label, className, onclick) {
    return el("button", { type: "button", class: "button button-small " + className, text: label, onclick });
  }

  function defaultValue(field, operator) {
    if (field.widget === "activity") return activityValue(field, operator, null);
    if (NO_VALUE.includes(operator)) return null;
    if (LIST_VALUE.includes(operator)) return [];
    return "";
  }

  /* Drawing ------------------------------------------------------------- */

  function drawGroup(group, parent, depth) {
    const box = el("fieldset", { class: "crm-group crm-group--" + group.match });
    const legend = el("legend", { class: "crm-group-legend" });
    const matchSelect = el("select", {
      "aria-label": L.groupOf,
      onchange: (event) => {
        group.match = event.target.value;
        changed();
      },
    });
    ["all", "any", "none"].forEach((match) => {
      matchSelect.appendChild(el("option", { value: match, text: L[match], selected: group.match === match ? "selected" : false }));
    });
    legend.appendChild(matchSelect);
    if (parent) {
      legend.appendChild(
        button(L.removeGroup, "button-secondary no", () => {
          parent.rules.splice(parent.rules.indexOf(group), 1);
          changed();
        })
      );
    }
    box.appendChild(legend);
    const list = el("ul", { class: "crm-rules" });
    if (!group.rules.length) list.appendChild(el("li", { class: "crm-muted", text: L.empty }));
    group.rules.forEach((member) => {
      const item = el("li");
      if (Array.isArray(member.rules)) drawGroup(member, group, depth + 1).forEach((n) => item.appendChild(n));
      else item.appendChild(drawRule(member, group));
      list.appendChild(item);
    });
    box.appendChild(list);
    const actions = el("div", { class: "crm-group-actions" }, [
      button("+ " + L.addRule, "button-secondary", () => {
        group.rules.push({ field: "", operator: "", value: null });
        changed(true);
      }),
    ]);
    if (depth < 5) {
      actions.appendChild(
        button("+ " + L.addGroup, "button-secondary", () => {
          group.rules.push({ match: "any", rules: [{ field: "", operator: "", value: null }] });
          changed(true);
        })
      );
    }
    box.appendChild(actions);
    return [box];
  }

  function drawRule(rule, group) {
    const row = el("div", { class: "crm-rule" });
    rowOf.set(rule, row);
    row.addEventListener("focusout", () => {
      // Moved on: once the focus has settled outside this rule (a redraw
      // that removed the row is not the user moving on).
      window.setTimeout(() => {
        if (row.isConnected && !row.contains(document.activeElement) && problem(rule)) {
          revealed.add(rule);
          showProblem(rule);
        }
      }, 0);
    });
    const fieldSelect = el("select", {
      "aria-label": L.field,
      class: "crm-rule-field",
      onchange: (event) => {
        const field = fieldOf(event.target.value);
        rule.field = event.target.value;
        rule.operator = field ? field.operators[0].key : "";
        rule.value = field ? defaultValue(field, rule.operator) : null;
        revealed.delete(rule);
        changed(true, rule);
      },
    });
    fieldSelect.appendChild(el("option", { value: "", text: L.chooseField }));
    const groups = {};
    schema().forEach((field) => {
      if (!groups[field.group]) {
        groups[field.group] = el("optgroup", { label: field.group });
        fieldSelect.appendChild(groups[field.group]);
      }
      groups[field.group].appendChild(
        el("option", { value: field.key, text: field.label, selected: field.key === rule.field ? "selected" : false })
      );
    });
    row.appendChild(fieldSelect);
    const field = fieldOf(rule.field);
    if (field) {
      const operatorSelect = el("select", {
        "aria-label": L.operator,
        class: "crm-rule-operator",
        onchange: (event) => {
          const wasList = LIST_VALUE.includes(rule.operator);
          const previous = rule.operator;
          rule.operator = event.target.value;
          if (field.widget === "activity") rule.value = activityValue(field, rule.operator, rule.value);
          else if (NO_VALUE.includes(rule.operator)) rule.value = null;
          else if (LIST_VALUE.includes(rule.operator) !== wasList) rule.value = defaultValue(field, rule.operator);
          else if (field.kind === "date" && (rule.operator === "within_last_days") !== (previous === "within_last_days")) rule.value = "";
          changed(true, rule);
        },
      });
      field.operators.forEach((operator) => {
        operatorSelect.appendChild(
          el("option", { value: operator.key, text: operator.label, selected: operator.key === rule.operator ? "selected" : false })
        );
      });
      row.appendChild(operatorSelect);
      const widget = drawValue(field, rule);
      if (widget) row.appendChild(widget);
    }
    row.appendChild(
      button("×", "button-secondary no crm-remove", () => {
        group.rules.splice(group.rules.indexOf(rule), 1);
        changed(true);
      })
    );
    row.lastChild.setAttribute("aria-label", L.remove);
    row.lastChild.setAttribute("title", L.remove);
    row.appendChild(el("p", { class: "crm-rule-error", id: "crm-rule-error-" + ++ruleCounter, hidden: "" }));
    showProblem(rule);
    return row;
  }

  let ruleCounter = 0;

  /* What a rule lacks before it can be counted or saved (null: nothing).
   * A rule whose field is not chosen yet is not part of the criteria. */
  function problem(rule) {
    const field = fieldOf(rule.field);
    if (!rule.field || !field) return null;
    if (!field.operators.some((operator) => operator.key === rule.operator)) return L.needOperator;
    if (field.widget === "activity") return activityProblem(field, rule);
    if (NO_VALUE.includes(rule.operator)) return null;
    if (LIST_VALUE.includes(rule.operator)) {
      return Array.isArray(rule.value) && rule.value.some((value) => String(value).trim()) ? null : L.needValues;
    }
    if (field.kind === "date" && rule.operator === "within_last_days") {
      const days = Number(rule.value);
      return String(rule.value).trim() !== "" && Number.isInteger(days) && days >= 1 && days <= 36500 ? null : L.needDays;
    }
    if (field.kind === "date") return /^\d{4}-\d{2}-\d{2}$/.test(rule.value || "") ? null : L.needDate;
    return typeof rule.value === "string" && rule.value.trim() ? null : L.needValue;
  }

  function rulesOf(node) {
    return node.rules.flatMap((member) => (Array.isArray(member.rules) ? rulesOf(member) : [member]));
  }

  function incompleteRules() {
    return rulesOf(tree).filter((rule) => problem(rule));
  }

  /* The rule's problem under it, once revealed; its value control says so. */
  function showProblem(rule) {
    const row = rowOf.get(rule);
    if (!row) return;
    const message = row.querySelector(".crm-rule-error");
    const text = revealed.has(rule) ? problem(rule) : null;
    if (!text) revealed.delete(rule);
    message.textContent = text || "";
    message.hidden = !text;
    row.classList.toggle("crm-rule--invalid", Boolean(text));
    row.querySelectorAll(".crm-rule-value, .crm-rule-value input, .crm-rule-value textarea, .crm-ms-input").forEach((control) => {
      if (!["INPUT", "TEXTAREA", "SELECT"].includes(control.tagName)) return;
      if (text) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", message.id);
      } else {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("aria-describedby");
      }
    });
  }

  function drawValue(field, rule) {
    const operator = rule.operator;
    if (NO_VALUE.includes(operator)) return null;
    const list = LIST_VALUE.includes(operator);
    if (field.widget === "organisation_chooser") return drawOrganisationChooser(rule);
    if (field.widget === "activity") return drawActivity(field, rule);
    if (field.choices) {
      const values = (Array.isArray(rule.value) ? rule.value : [rule.value]).map(String);
      const select = el("select", {
        "aria-label": L.value,
        class: list ? "" : "crm-rule-value",
        multiple: list ? "multiple" : false,
        size: list ? Math.min(6, field.choices.length) : false,
        "data-crm-multiselect": list ? "" : false,
        onchange: (event) => {
          const chosen = Array.from(event.target.selectedOptions).map((option) => option.value);
          rule.value = list ? chosen : chosen[0];
          changed(false, rule);
        },
      });
      field.choices.forEach(([value, label]) => {
        select.appendChild(el("option", { value, text: label, selected: values.includes(String(value)) ? "selected" : false }));
      });
      if (!list) return select;
      // A searchable multi-select with chips over the native select
      // (multiselect.js); the native select if that script is missing.
      const box = el("div", { class: "crm-rule-value crm-rule-choices" }, [select]);
      if (window.CrmMultiselect) {
        window.CrmMultiselect.enhance(select, {
          label: L.value + " (" + field.label + ")",
          placeholder: L.msPlaceholder,
          remove: L.msRemove,
          noMatch: L.msNoMatch,
          added: L.msAdded,
          removed: L.msRemoved,
          chosen: L.msChosen,
        });
      }
      return box;
    }
    if (field.kind === "date" && operator === "within_last_days") {
      return el("span", { class: "crm-rule-value" }, [
        el("input", {
          type: "number", min: "1", max: "36500", "aria-label": L.value, value: rule.value || "",
          oninput: (event) => { rule.value = event.target.value; changed(false, rule); },
        }),
        el("span", { text: " " + L.days }),
      ]);
    }
    if (field.kind === "date") {
      return el("input", {
        type: "date", class: "crm-rule-value", "aria-label": L.value, value: rule.value || "",
        oninput: (event) => { rule.value = event.target.value; changed(false, rule); },
      });
    }
    if (list) {
      return el("textarea", {
        class: "crm-rule-value", rows: "3", "aria-label": L.value + " (" + L.onePerLine + ")",
        placeholder: L.onePerLine, text: (rule.value || []).join("\n"),
        oninput: (event) => {
          rule.value = event.target.value.split("\n").map((line) => line.trim()).filter(Boolean);
          changed(false, rule);
        },
      });
    }
    return el("input", {
      type: "text", class: "crm-rule-value", maxlength: "200", "aria-label": L.value, value: rule.value || "",
      oninput: (event) => { rule.value = event.target.value; changed(false, rule); },
    });
  }

  /* Activity rules: the value is an object whose parts (kind, months,
   * period, amount, currency, years) the registry lists for each operator. */
  function activityParts(field, operator) {
    return (field.parts && field.parts[operator]) || [];
  }

  function activityValue(field, operator, previous) {
    const value = {};
    activityParts(field, operator).forEach((part) => {
      const kept = previous && typeof previous === "object" ? previous[part.name] : undefined;
      value[part.name] = kept === undefined || kept === null ? part.default : kept;
    });
    return value;
  }

  function activityProblem(field, rule) {
    const value = rule.value && typeof rule.value === "object" ? rule.value : {};
    for (const part of activityParts(field, rule.operator)) {
      const given = value[part.name] === undefined || value[part.name] === null ? "" : String(value[part.name]).trim();
      if (part.type === "number") {
        const number = Number(given);
        if (given === "" || !Number.isInteger(number) || number < part.min || number > part.max) {
          return L.needNumberBetween.replace("%(min)s", part.min).replace("%(max)s", part.max);
        }
      } else if (part.type === "amount") {
        if (!/^\d{1,13}([.,]\d{1,2})?$/.test(given.replace(/[\s\u00a0\u202f€]/g, ""))) return L.needAmount;
      }
    }
    return null;
  }

  function drawActivity(field, rule) {
    if (!rule.value || typeof rule.value !== "object" || Array.isArray(rule.value)) {
      rule.value = activityValue(field, rule.operator, null);
    }
    const box = el("span", { class: "crm-rule-value crm-rule-parts" });
    activityParts(field, rule.operator).forEach((part) => {
      const current = rule.value[part.name] === undefined || rule.value[part.name] === null ? "" : String(rule.value[part.name]);
      const update = (event) => {
        rule.value[part.name] = event.target.value;
        changed(false, rule);
      };
      let control;
      if (part.type === "select") {
        control = el("select", { "aria-label": part.label, title: part.label, onchange: update });
        part.choices.forEach(([value, label]) => {
          control.appendChild(el("option", { value, text: label, selected: String(value) === current ? "selected" : false }));
        });
      } else if (part.type === "number") {
        control = el("input", {
          type: "number", min: String(part.min), max: String(part.max), step: "1", inputmode: "numeric",
          "aria-label": part.label, value: current, oninput: update,
        });
      } else {
        control = el("input", {
          type: "text", inputmode: "decimal", maxlength: "20", size: "10", "aria-label": part.label,
          placeholder: "1 000", value: current, oninput: update,
        });
      }
      box.appendChild(control);
      if (part.suffix) box.appendChild(el("span", { text: " " + part.suffix + " " }));
    });
    return box;
  }

  function drawOrganisationChooser(rule) {
    if (!Array.isArray(rule.value)) rule.value = [];
    const box = el("div", { class: "crm-rule-value crm-chooser" });
    const chosen = el("ul", { class: "crm-chosen" });
    rule.value.forEach((id) => {
      chosen.appendChild(
        el("li", {}, [
          el("span", { text: orgLabels[String(id)] || "#" + id }),
          el("button", {
            type: "button", class: "button button-small button-secondary no", text: "×",
            "aria-label": L.removeValue, title: L.removeValue,
            onclick: () => { rule.value = rule.value.filter((other) => other !== id); changed(true, rule); },
          }),
        ])
      );
    });
    const input = el("input", { type: "search", placeholder: L.typeToSearch, "aria-label": L.typeToSearch, autocomplete: "off" });
    const suggestions = el("ul", { class: "crm-suggestions", role: "listbox" });
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        suggestions.replaceChildren();
        if (input.value.trim().length < 2) return;
        const response = await fetch(data.organisations_url + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin" });
        if (!response.ok) return;
        const found = (await response.json()).results;
        if (!found.length) suggestions.appendChild(el("li", { class: "crm-muted", text: L.noMatch }));
        found.forEach((item) => {
          suggestions.appendChild(
            el("li", { role: "option" }, [
              el("button", {
                type: "button", class: "button button-small button-secondary", text: item.label,
                onclick: () => {
                  orgLabels[String(item.id)] = item.label;
                  if (!rule.value.includes(item.id)) rule.value.push(item.id);
                  changed(true, rule);
                },
              }),
            ])
          );
        });
      }, 250);
    });
    box.append(chosen, input, suggestions);
    return box;
  }

  /* State --------------------------------------------------------------- */

  function serialise() {
    // A condition whose field is not chosen yet is not part of the criteria.
    const strip = (node) => ({
      match: node.match,
      rules: node.rules
        .filter((member) => Array.isArray(member.rules) || member.field)
        .map((member) => (Array.isArray(member.rules) ? strip(member) : member)),
    });
    return JSON.stringify(strip(tree));
  }

  function render() {
    // Keep the focus on the same control of the same rule across a redraw.
    const focused = document.activeElement;
    let focusRule = null;
    let focusClass = null;
    if (focused && root.contains(focused)) {
      rulesOf(tree).forEach((rule) => {
        const row = rowOf.get(rule);
        if (row && row.contains(focused)) focusRule = rule;
      });
      focusClass = ["crm-rule-field", "crm-rule-operator", "crm-ms-input"].find((name) => focused.classList.contains(name));
    }
    root.replaceChildren(...drawGroup(tree, null, 0));
    if (focusRule && focusClass && rowOf.get(focusRule)) {
      const control = rowOf.get(focusRule).querySelector("." + focusClass);
      if (control) control.focus({ preventScroll: true });
    }
  }

  /* The tree changed (`source`: the rule being edited, if any). The user has
   * moved on from every other rule: their problems show. */
  function changed(redraw, source) {
    rulesOf(tree).forEach((rule) => {
      if (rule !== source && problem(rule)) revealed.add(rule);
    });
    const json = serialise();
    hidden.value = json;
    if (previewCriteria) previewCriteria.value = json;
    if (previewTarget) previewTarget.value = target;
    if (redraw) render();
    else rulesOf(tree).forEach(showProblem);
    scheduleCount();
  }

  function scheduleCount() {
    clearTimeout(countTimer);
    if (incompleteRules().length) {
      // No count request for criteria the server would refuse: say what is missing, calmly.
      countRequest++;
      lastCounted = null;
      countOutput.textContent = L.incomplete;
      countOutput.classList.remove("crm-count--error");
      countOutput.classList.add("crm-count--pending");
      return;
    }
    countTimer = setTimeout(refreshCount, 400);
  }

  async function refreshCount() {
    const criteria = serialise();
    const key = target + " " + criteria;
    if (key === lastCounted) return;
    const ticket = ++countRequest;
    countOutput.textContent = L.counting;
    countOutput.classList.remove("crm-count--error", "crm-count--pending");
    const body = new FormData();
    body.append("criteria", criteria);
    body.append("target", target);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    try {
      const response = await fetch(data.count_url, { method: "POST", body, credentials: "same-origin" });
      const result = await response.json();
      if (ticket !== countRequest) return;
      if (result.errors) {
        countOutput.textContent = result.errors.join(" ");
        countOutput.classList.add("crm-count--error");
      } else {
        countOutput.textContent = result.label;
        lastCounted = key;
      }
    } catch (error) {
      if (ticket === countRequest) countOutput.textContent = L.countError;
    }
  }

  /* Saving or showing the results: every incomplete rule says what it lacks,
   * and nothing is sent until it is complete. */
  function checkBeforeSubmit(event) {
    const incomplete = incompleteRules();
    if (!incomplete.length) return;
    event.preventDefault();
    incomplete.forEach((rule) => {
      revealed.add(rule);
      showProblem(rule);
    });
    const row = rowOf.get(incomplete[0]);
    const control = row && row.querySelector(".crm-ms-input, .crm-rule-value input, input.crm-rule-value, textarea, .crm-rule-operator");
    if (control) control.focus();
  }

  form.addEventListener("submit", checkBeforeSubmit);
  const previewForm = document.getElementById("crm-preview-form");
  if (previewForm) previewForm.addEventListener("submit", checkBeforeSubmit);

  form.querySelectorAll("input[name=target]").forEach((radio) => {
    radio.addEventListener("change", (event) => {
      target = event.target.value;
      const keep = (node) => {
        node.rules = node.rules.filter((member) => Array.isArray(member.rules) || !member.field || fieldOf(member.field));
        node.rules.forEach((member) => Array.isArray(member.rules) && keep(member));
      };
      keep(tree);
      changed(true);
    });
  });

  render();
  changed();
})();
