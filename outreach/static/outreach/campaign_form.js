/*
 * The campaign form (outreach/admin/campaign_form.html): the template list
 * offers only the templates of the chosen channel, and the label options
 * (start row and column, sort by postcode) show only for postal labels.
 *
 * The template options' values say their channel (`email-3`, `sms-2`,
 * `post-1`, outreach.forms.template_choices); the other channels' options
 * and groups are hidden and disabled, and a template of another channel
 * that was chosen is unchosen. The server still refuses a template of
 * another channel. Without JavaScript, every template and option shows.
 *
 *   <div data-controller="campaign-channel" data-action="change->campaign-channel#update">
 *     <input type="radio" name="channel" value="email" checked>…
 *     <select data-campaign-channel-target="template">…</select>
 *     <fieldset data-campaign-channel-target="labelOptions">…</fieldset>
 *   </div>
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class CampaignChannelController extends window.StimulusModule.Controller {
    static targets = ['template', 'labelOptions'];

    connect() {
      this.update();
    }

    get channel() {
      const checked = this.element.querySelector('input[name="channel"]:checked');
      return checked ? checked.value : '';
    }

    update() {
      const channel = this.channel;
      if (this.hasTemplateTarget) {
        const select = this.templateTarget;
        Array.from(select.options).forEach((option) => {
          if (!option.value) {
            return; // the empty choice stays
          }
          const fits = option.value.startsWith(`${channel}-`);
          option.hidden = !fits;
          option.disabled = !fits;
          if (!fits && option.selected) {
            select.value = '';
          }
        });
        select.querySelectorAll('optgroup').forEach((group) => {
          const shown = Array.from(group.querySelectorAll('option')).some((option) => !option.hidden);
          group.hidden = !shown;
          group.disabled = !shown;
        });
      }
      this.labelOptionsTargets.forEach((target) => {
        target.hidden = channel !== 'post';
      });
    }
  }

  window.wagtail.app.register('campaign-channel', CampaignChannelController);
})();
