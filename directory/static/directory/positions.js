/*
 * Positions inline in the forms of organisations and people
 * (directory/panels.py, PositionsInlinePanel).
 *
 * A closed row is sent to the browser as its summary and its values only
 * (hidden inputs): rendering every row's choosers and date pickers made
 * the page slow and very long. When a row is opened (Wagtail's panel
 * toggle, by click or keyboard), its fields are made here from the blank
 * row's template, the one Wagtail's "Add" button uses, and filled with the
 * row's values.
 */
(function () {
  'use strict';

  // Wagtail's own prefix substitution (InlinePanel's addForm).
  var PREFIX_PATTERN = /__prefix__(.*?('|"|\\u0022))/g;

  function toggle(button, expand) {
    var content = document.getElementById(button.getAttribute('aria-controls'));
    if (!content) {
      return;
    }
    var open = expand === undefined ? button.getAttribute('aria-expanded') !== 'true' : expand;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      content.removeAttribute('hidden');
    } else {
      content.setAttribute('hidden', '');
    }
  }

  // Wagtail initialises collapsible panels on page load and on "Add" only:
  // do the same for the panels of an opened row (its address section).
  function initPanels(root) {
    root.querySelectorAll('[data-panel-toggle]').forEach(function (button) {
      var panel = button.closest('[data-panel]');
      if (!panel || panel.collapsibleInitialised) {
        return;
      }
      panel.collapsibleInitialised = true;
      var content = document.getElementById(button.getAttribute('aria-controls'));
      var hasErrors = content && content.querySelector('[aria-invalid="true"], .error, .w-field--error');
      if (panel.classList.contains('collapsed') && !hasErrors) {
        toggle(button, false);
      }
      button.addEventListener('click', function () {
        toggle(button);
      });
      var heading = panel.querySelector('[data-panel-heading]');
      if (heading) {
        heading.addEventListener('click', function () {
          toggle(button);
        });
      }
    });
  }

  function runScripts(root) {
    root.querySelectorAll('script').forEach(function (old) {
      var script = document.createElement('script');
      script.textContent = old.textContent;
      old.replaceWith(script);
    });
  }

  function fill(fields, sent) {
    sent.forEach(function (input) {
      var name = input.name;
      var value = input.value;
      fields.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
        if (field.type === 'checkbox') {
          field.checked = value !== '';
          field.defaultChecked = field.checked;
        } else if (field.tagName === 'SELECT') {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = option.value === value;
            option.defaultSelected = option.selected;
          });
        } else if (field.tagName === 'TEXTAREA') {
          field.value = value;
          field.defaultValue = value;
        } else {
          field.value = value;
          field.setAttribute('value', value);
        }
        // A chooser shows its chosen record from its own markup.
        var chooser = field.id && fields.querySelector('#' + CSS.escape(field.id + '-chooser'));
        if (chooser && value) {
          chooser.classList.remove('blank');
          var title = chooser.querySelector('[data-chooser-title]');
          if (title) {
            title.textContent = input.dataset.title || '';
          }
          var link = chooser.querySelector('[data-chooser-edit-link]');
          if (link && input.dataset.editUrl) {
            link.setAttribute('href', input.dataset.editUrl);
            link.hidden = false;
          }
        }
      });
    });
  }

  function open(content) {
    var prefix = content.dataset.formsetPrefix;
    var index = content.dataset.rowIndex;
    var template = document.getElementById('id_' + prefix + '-EMPTY_FORM_TEMPLATE');
    if (!template) {
      return;
    }
    var html = template.innerHTML.replace(PREFIX_PATTERN, index + '$1');
    var scratch = document.createElement('div');
    scratch.innerHTML = html;
    var blank = scratch.querySelector('#inline_child_' + CSS.escape(prefix + '-' + index) + '-panel-content');
    if (!blank) {
      return;
    }
    var sent = Array.prototype.slice.call(content.querySelectorAll('input[data-position-value]'));
    fill(blank, sent);
    sent.forEach(function (input) {
      input.remove();
    });
    while (blank.firstChild) {
      content.appendChild(blank.firstChild);
    }
    delete content.dataset.positionLazy;
    content.removeAttribute('data-position-lazy');
    runScripts(content);
    initPanels(content);
  }

  // An open row's summary follows what is typed in its e-mail field.
  document.addEventListener('input', function (event) {
    var field = event.target;
    if (!field.name || !/-email$/.test(field.name)) {
      return;
    }
    var row = field.closest('.crm-position-row');
    var email = row && row.querySelector('.crm-position-summary__email');
    if (email) {
      email.textContent = field.value;
    }
  });

  document.addEventListener('wagtail:panel-toggle', function (event) {
    if (!event.detail || !event.detail.expanded) {
      return;
    }
    var button = event.target;
    var content = button && document.getElementById(button.getAttribute('aria-controls'));
    if (content && content.hasAttribute('data-position-lazy')) {
      open(content);
    }
  });
})();
