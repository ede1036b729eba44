/*
 * The "sheet" select of a label sheet's form (outreach.forms.LabelTemplateForm):
 * choosing a usual sheet fills in its dimensions, which stay editable. The
 * presets' dimensions come from the server (outreach.postal.layouts.PRESETS)
 * in the select's data-label-preset-presets-value, by field name, already
 * written as the user types them (« 15,15 » in French): they are put in the
 * fields as they are.
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class LabelPresetController extends window.StimulusModule.Controller {
    static values = { presets: Object };

    fill() {
      const dimensions = this.presetsValue[this.element.value];
      if (!dimensions || !this.element.form) {
        return;
      }
      Object.entries(dimensions).forEach(([name, value]) => {
        const field = this.element.form.elements.namedItem(name);
        if (field && 'value' in field) {
          field.value = String(value);
          field.dispatchEvent(new Event('change', { bubbles: true }));
        }
      });
    }
  }

  window.wagtail.app.register('label-preset', LabelPresetController);
})();
