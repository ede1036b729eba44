/*
 * The progress bar of a campaign being sent (outreach/admin/campaign.html).
 *
 * A Stimulus controller in Wagtail's style, registered on Wagtail's own
 * application, like the directory's import progress: every two seconds it
 * asks the campaign's status URL (JSON: the campaign's status and its
 * label, the reason it waits, how many messages were handed over of how
 * many, and the count of deliveries per status, labels translated by the
 * server) and shows it. When the campaign is over (sent or cancelled) it
 * reloads the page, which then shows the report.
 *
 *   <section data-controller="campaign-progress" data-campaign-progress-url-value="…/status/">
 *     <span data-campaign-progress-target="status"></span>
 *     <span data-campaign-progress-target="waiting"></span>
 *     <progress data-campaign-progress-target="bar" max="100"></progress>
 *     <p data-campaign-progress-target="text" aria-live="polite"></p>
 *     <ul data-campaign-progress-target="counts"></ul>
 *   </section>
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class CampaignProgressController extends window.StimulusModule.Controller {
    static targets = ['bar', 'text', 'status', 'waiting', 'counts'];

    static values = {
      url: String,
      interval: { type: Number, default: 2000 },
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
        window.location.reload(); // signed out, or the campaign is gone: a reload says why
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
      if (this.hasStatusTarget && status.status_label) {
        this.statusTarget.textContent = status.status_label;
      }
      if (this.hasWaitingTarget) {
        this.waitingTarget.textContent = status.waiting_reason || '';
      }
      if (this.hasCountsTarget && Array.isArray(status.counts)) {
        const items = status.counts.map((count) => {
          const item = document.createElement('li');
          item.className = 'crm-count';
          const number = document.createElement('strong');
          number.textContent = String(count.count);
          item.append(`${count.label} `, number);
          return item;
        });
        this.countsTarget.replaceChildren(...items);
      }
    }
  }

  window.wagtail.app.register('campaign-progress', CampaignProgressController);
})();
