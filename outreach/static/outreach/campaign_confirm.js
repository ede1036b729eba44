/*
 * Asks before a campaign form that cannot be undone is posted ("send now",
 * "cancel the sending" on outreach/admin/campaign.html), in Wagtail's own
 * dialog ({% dialog %}, controller w-dialog), as Wagtail's editing sessions
 * do: the form's submit is held, the dialog shown, and its confirm button
 * (data-action="w-dialog#confirm") posts the form.
 *
 *   <form data-controller="campaign-confirm"
 *         data-action="submit->campaign-confirm#ask"
 *         data-campaign-confirm-dialog-value="crm-confirm-send">…</form>
 *   {% dialog id="crm-confirm-send" … %}
 *     <button type="button" data-action="w-dialog#confirm">Oui…</button>
 *   {% enddialog %}
 *
 * Without JavaScript, or when the dialog is missing, the form posts at
 * once. A w-progress button in the form shows its spinner once confirmed.
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class CampaignConfirmController extends window.StimulusModule.Controller {
    static values = { dialog: String };

    initialize() {
      this.confirmed = false;
      this.dialog = null;
      this.post = this.post.bind(this);
    }

    disconnect() {
      if (this.dialog) {
        this.dialog.removeEventListener('w-dialog:confirmed', this.post);
        this.dialog = null;
      }
    }

    ask(event) {
      if (this.confirmed) {
        return;
      }
      const dialog = document.getElementById(this.dialogValue);
      if (!dialog) {
        return; // no dialog to ask in: the form posts as it is
      }
      event.preventDefault();
      if (this.dialog !== dialog) {
        this.disconnect();
        this.dialog = dialog;
        dialog.addEventListener('w-dialog:confirmed', this.post);
      }
      dialog.dispatchEvent(new CustomEvent('w-dialog:show'));
    }

    post() {
      if (this.confirmed) {
        return;
      }
      this.confirmed = true;
      const button = this.element.querySelector('[data-controller~="w-progress"]');
      const progress =
        button && this.application.getControllerForElementAndIdentifier(button, 'w-progress');
      if (progress) {
        progress.activate();
      }
      this.element.submit(); // no submit event: not asked again
    }
  }

  window.wagtail.app.register('campaign-confirm', CampaignConfirmController);
})();
