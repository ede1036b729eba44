/* A searchable multi-select with chips, over a native <select multiple>.
 *
 * Progressive enhancement: the native select stays in the page (hidden) and
 * remains the source of truth; each chip added or removed selects or
 * unselects its option and fires "change" on it, so whatever listens to the
 * select (a form, the criteria builder) works as with the native one. Without
 * this script, the native select is what the user gets.
 *
 * Keyboard: type to filter (case and accents ignored), Down/Up to move in the
 * suggestions (Down opens them), Enter to add, Escape to close, Backspace in
 * the empty box to remove the last chip; each chip's × button removes it.
 *
 * Enhanced automatically: every select[multiple][data-crm-multiselect] of the
 * page. By hand: CrmMultiselect.enhance(select, labels). Labels come from the
 * data-crm-multiselect-* attributes of the select, or from `labels`:
 * placeholder, remove ("Remove %s"), noMatch, added ("%s added"),
 * removed ("%s removed"), chosen (the chips' list). */
(function () {
  "use strict";

  let counter = 0;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function format(template, value) {
    return String(template || "%s").replace("%s", value);
  }

  function make(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function readLabels(select, given) {
    const data = select.dataset;
    const pick = (name, fallback) => (given && given[name]) || data["crmMultiselect" + name[0].toUpperCase() + name.slice(1)] || fallback;
    return {
      placeholder: pick("placeholder", ""),
      remove: pick("remove", "× %s"),
      noMatch: pick("noMatch", "—"),
      added: pick("added", "%s +"),
      removed: pick("removed", "%s −"),
      chosen: pick("chosen", ""),
      label: pick("label", select.getAttribute("aria-label") || ""),
    };
  }

  function enhance(select, given) {
    if (!select || select.dataset.crmMultiselectReady) return null;
    select.dataset.crmMultiselectReady = "1";
    const labels = readLabels(select, given);
    const id = "crm-ms-" + ++counter;

    const box = make("div", { class: "crm-ms" });
    const chips = make("ul", { class: "crm-ms-chips" });
    if (labels.chosen) chips.setAttribute("aria-label", labels.chosen);
    const input = make("input", {
      type: "text",
      class: "crm-ms-input",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-list",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: labels.placeholder,
      "aria-label": labels.label,
    });
    const list = make("ul", { class: "crm-ms-options", role: "listbox", id: id + "-list", hidden: "" });
    if (labels.label) list.setAttribute("aria-label", labels.label);
    const status = make("span", { class: "crm-ms-status", role: "status", "aria-live": "polite" });
    const field = make("div", { class: "crm-ms-field" });
    field.append(chips, input);
    box.append(field, list, status);

    select.hidden = true;
    select.classList.add("crm-ms-native");
    select.setAttribute("tabindex", "-1");
    select.after(box);

    let active = -1; // index in `shown`
    let shown = [];

    function options() {
      return Array.from(select.options).filter((option) => option.value !== "");
    }

    function announce(text) {
      status.textContent = "";
      window.setTimeout(() => { status.textContent = text; }, 30);
    }

    function drawChips() {
      chips.replaceChildren();
      const chosen = options().filter((option) => option.selected);
      // The hint only while the box is empty: beside chips it would be cut off.
      input.placeholder = chosen.length ? "" : labels.placeholder;
      chosen.forEach((option) => {
        const chip = make("li", { class: "crm-ms-chip", "data-value": option.value });
        const text = make("span", { class: "crm-ms-chip-label" }, option.textContent);
        const remove = make("button", {
          type: "button",
          class: "crm-ms-remove",
          "aria-label": format(labels.remove, option.textContent),
          title: format(labels.remove, option.textContent),
        }, "×");
        remove.addEventListener("click", () => {
          setSelected(option, false);
          input.focus();
        });
        chip.append(text, remove);
        chips.appendChild(chip);
      });
    }

    function drawList() {
      const query = fold(input.value);
      shown = options().filter((option) => !option.selected && fold(option.textContent).includes(query));
      list.replaceChildren();
      if (!shown.length) {
        list.appendChild(make("li", { class: "crm-ms-empty", role: "presentation" }, labels.noMatch));
      }
      shown.forEach((option, index) => {
        const item = make("li", {
          class: "crm-ms-option",
          role: "option",
          id: id + "-option-" + index,
          "aria-selected": index === active ? "true" : "false",
          "data-value": option.value,
        }, option.textContent);
        // mousedown, not click: the input keeps its focus (no blur closing the list first).
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(option);
        });
        list.appendChild(item);
      });
      if (active >= shown.length) active = shown.length - 1;
      highlight();
    }

    function highlight() {
      Array.from(list.querySelectorAll("[role=option]")).forEach((item, index) => {
        item.setAttribute("aria-selected", index === active ? "true" : "false");
        item.classList.toggle("crm-ms-option--active", index === active);
        if (index === active) item.scrollIntoView({ block: "nearest" });
      });
      if (active >= 0 && shown[active]) input.setAttribute("aria-activedescendant", id + "-option-" + active);
      else input.removeAttribute("aria-activedescendant");
    }

    function open() {
      drawList();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function setSelected(option, selected) {
      option.selected = selected;
      drawChips();
      if (!list.hidden) drawList();
      announce(format(selected ? labels.added : labels.removed, option.textContent));
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(option) {
      // The list closes (it would hide what is under it); typing, Down or a
      // click opens it again, the focus staying in the box.
      input.value = "";
      close();
      setSelected(option, true);
    }

    input.addEventListener("input", () => {
      active = input.value ? 0 : -1;
      open();
    });
    input.addEventListener("focus", open);
    input.addEventListener("click", open);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) open();
        active = Math.min(active + 1, shown.length - 1);
        highlight();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        active = Math.max(active - 1, 0);
        highlight();
      } else if (event.key === "Enter") {
        // Never submit the form from here: Enter picks a suggestion.
        event.preventDefault();
        const option = shown[active >= 0 ? active : 0];
        if (!list.hidden && option && (active >= 0 || input.value)) choose(option);
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Backspace" && input.value === "") {
        const chosen = options().filter((option) => option.selected);
        if (chosen.length) {
          event.preventDefault();
          setSelected(chosen[chosen.length - 1], false);
        }
      }
    });
    field.addEventListener("click", (event) => {
      if (event.target === field || event.target === chips) input.focus();
    });
    // The native select changed by another script: show it.
    select.addEventListener("change", (event) => {
      if (event.isTrusted) drawChips();
    });

    drawChips();
    return { box, input, refresh: drawChips };
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[multiple][data-crm-multiselect]").forEach((select) => enhance(select));
  }

  window.CrmMultiselect = { enhance, enhanceAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll());
  else enhanceAll();
})();
