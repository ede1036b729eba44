/*
 * The progress bar of an import job (directory/templates/directory/imports/job.html).
 *
 * A Stimulus controller in Wagtail's style, registered on Wagtail's own
 * application: it asks the job's status URL where the import is, every
 * second, shows it, and reloads the page when the import is finished (the
 * page then shows its result). Wagtail has no progress component.
 *
 *   <div data-controller="import-progress" data-import-progress-url-value="…/status/">
 *     <progress data-import-progress-target="bar" max="100" value="0"></progress>
 *     <p data-import-progress-target="text" aria-live="polite"></p>
 *   </div>
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class ImportProgressController extends window.StimulusModule.Controller {
    static targets = ['bar', 'text'];

    static values = {
      url: String,
      interval: { type: Number, default: 1000 },
    };

    connect() {
      this.stopped = false;
      this.schedule();
    }

    disconnect() {
      this.stopped = true;
      window.clearTimeout(this.timer);
    }

    schedule() {
      if (!this.stopped) {
        this.timer = window.setTimeout(() => this.poll(), this.intervalValue);
      }
    }

    async poll() {
      let response;
      try {
        response = await fetch(this.urlValue, {
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
        });
      } catch (error) {
        this.schedule(); // the network came and went: ask again
        return;
      }
      if (response.status >= 400 && response.status < 500) {
        // Signed out, or the job is gone: a reload shows why.
        window.location.reload();
        return;
      }
      if (!response.ok) {
        this.schedule();
        return;
      }
      const status = await response.json();
      this.show(status);
      if (status.finished) {
        this.stopped = true;
        window.location.reload();
        return;
      }
      this.schedule();
    }

    show(status) {
      if (this.hasBarTarget) {
        this.barTarget.value = status.percent;
        this.barTarget.textContent = `${status.percent} %`;
      }
      if (this.hasTextTarget && status.text) {
        this.textTarget.textContent = status.text;
      }
    }
  }

  window.wagtail.app.register('import-progress', ImportProgressController);
})();
