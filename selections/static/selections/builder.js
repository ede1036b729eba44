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
    const fieldSelect = el("select", {
      "aria-label": L.field,
      class: "crm-rule-field",
      onchange: (event) => {
        const field = fieldOf(event.target.value);
        rule.field = event.target.value;
        rule.operator = field ? field.operators[0].key : "";
        rule.value = field ? defaultValue(field, rule.operator) : null;
        changed(true);
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
          rule.operator = event.target.value;
          if (NO_VALUE.includes(rule.operator)) rule.value = null;
          else if (LIST_VALUE.includes(rule.operator) !== wasList) rule.value = defaultValue(field, rule.operator);
          changed(true);
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
    return row;
  }

  function drawValue(field, rule) {
    const operator = rule.operator;
    if (NO_VALUE.includes(operator)) return null;
    const list = LIST_VALUE.includes(operator);
    if (field.widget === "organisation_chooser") return drawOrganisationChooser(rule);
    if (field.choices) {
      const values = (Array.isArray(rule.value) ? rule.value : [rule.value]).map(String);
      const select = el("select", {
        "aria-label": L.value,
        class: "crm-rule-value",
        multiple: list ? "multiple" : false,
        size: list ? Math.min(6, field.choices.length) : false,
        onchange: (event) => {
          const chosen = Array.from(event.target.selectedOptions).map((option) => option.value);
          rule.value = list ? chosen : chosen[0];
          changed();
        },
      });
      field.choices.forEach(([value, label]) => {
        select.appendChild(el("option", { value, text: label, selected: values.includes(String(value)) ? "selected" : false }));
      });
      return select;
    }
    if (field.kind === "date" && operator === "within_last_days") {
      return el("span", { class: "crm-rule-value" }, [
        el("input", {
          type: "number", min: "1", max: "36500", "aria-label": L.value, value: rule.value || "",
          oninput: (event) => { rule.value = event.target.value; changed(); },
        }),
        el("span", { text: " " + L.days }),
      ]);
    }
    if (field.kind === "date") {
      return el("input", {
        type: "date", class: "crm-rule-value", "aria-label": L.value, value: rule.value || "",
        oninput: (event) => { rule.value = event.target.value; changed(); },
      });
    }
    if (list) {
      return el("textarea", {
        class: "crm-rule-value", rows: "3", "aria-label": L.value + " (" + L.onePerLine + ")",
        placeholder: L.onePerLine, text: (rule.value || []).join("\n"),
        oninput: (event) => {
          rule.value = event.target.value.split("\n").map((line) => line.trim()).filter(Boolean);
          changed();
        },
      });
    }
    return el("input", {
      type: "text", class: "crm-rule-value", maxlength: "200", "aria-label": L.value, value: rule.value || "",
      oninput: (event) => { rule.value = event.target.value; changed(); },
    });
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
            onclick: () => { rule.value = rule.value.filter((other) => other !== id); changed(true); },
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
                  changed(true);
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
    root.replaceChildren(...drawGroup(tree, null, 0));
  }

  function changed(redraw) {
    const json = serialise();
    hidden.value = json;
    if (previewCriteria) previewCriteria.value = json;
    if (previewTarget) previewTarget.value = target;
    if (redraw) render();
    scheduleCount();
  }

  function scheduleCount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(refreshCount, 400);
  }

  async function refreshCount() {
    const ticket = ++countRequest;
    countOutput.textContent = L.counting;
    countOutput.classList.remove("crm-count--error");
    const body = new FormData();
    body.append("criteria", serialise());
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
      }
    } catch (error) {
      if (ticket === countRequest) countOutput.textContent = L.countError;
    }
  }

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
