/*
 * The live conversation of a ticket (helpdesk/tickets.html), a Stimulus
 * controller registered on Wagtail's own application.
 *
 * The page works without it: the answer form posts and the page reloads.
 * With it, the page talks to the ticket's websocket (the consumer's frame
 * protocol, helpdesk/consumers.py):
 *
 * - on every (re)connection it says {"type": "hello", "after": n}, n being
 *   the number of the last message it shows; the server replays what came
 *   after, then says "synced". A message whose number the page shows
 *   already is dropped: nothing is lost, nothing shown twice.
 * - an answer gets a client id (a UUID) and is shown as pending until the
 *   server acknowledges it; pending answers are sent again after each
 *   reconnection (the server stores a client id once). While the socket is
 *   down, an answer is posted over HTTP to the form's URL with the same
 *   client id; if that fails too, it waits for the socket.
 * - the connection is retried with exponential back-off and jitter, and a
 *   banner says so while it is down; a ping every 30 s keeps the user
 *   counted as present (the server forgets after 90 s) and detects a dead
 *   connection (no pong within 10 s).
 * - « X est en train d'écrire… », read marks (« Vu par … ») and changes of
 *   the ticket (status, priority, assignee) are shown as they come.
 *
 * Messages are plain text: their addresses (http and https only) become
 * links, built as DOM nodes, never as HTML.
 */
(function () {
  'use strict';

  if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  const PING_MS = 30000;
  const PONG_WAIT_MS = 10000;
  const TYPING_EVERY_MS = 3000;
  const TYPING_SHOWN_MS = 6000;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const BACK_SHOWN_MS = 4000;
  const URL_PATTERN = /https?:\/\/[^\s<>"'«»]+/gi;
  const TRAILING = '.,;:!?)]}’”';
  const CLOSE_ANONYMOUS = 4401;
  const CLOSE_FORBIDDEN = 4403;

  function format(template, values) {
    return String(template).replace(/%\((\w+)\)[sd]/g, (match, name) =>
      name in values ? String(values[name]) : match,
    );
  }

  function splitTrailing(url) {
    let tail = '';
    while (url && TRAILING.includes(url[url.length - 1])) {
      const last = url[url.length - 1];
      if (last === ')' && url.split('(').length >= url.split(')').length) {
        break;
      }
      tail = last + tail;
      url = url.slice(0, -1);
    }
    return [url, tail];
  }

  /* `text` into `element`, its http(s) addresses as links (as helpdesk/views/common.py does). */
  function appendLinkified(element, text) {
    let position = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const [url, tail] = splitTrailing(match[0]);
      if (!/^https?:\/\/[^/?#]/i.test(url)) {
        continue;
      }
      element.append(text.slice(position, match.index));
      const link = document.createElement('a');
      link.href = url;
      link.textContent = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer nofollow';
      element.append(link, tail);
      position = match.index + match[0].length;
    }
    element.append(text.slice(position));
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  class HelpdeskTicketController extends window.StimulusModule.Controller {
    static targets = [
      'status',
      'statusText',
      'priority',
      'visibility',
      'assignee',
      'banner',
      'scroller',
      'messages',
      'pending',
      'typing',
      'form',
      'input',
      'error',
    ];

    static values = {
      socket: String,
      last: Number,
      user: Number,
      reply: String,
      max: { type: Number, default: 10000 },
    };

    connect() {
      this.strings = JSON.parse(document.getElementById('helpdesk-strings').textContent);
      const readers = document.getElementById('helpdesk-readers');
      this.readers = new Map(
        (readers ? JSON.parse(readers.textContent) : []).map((row) => [row.id, row]),
      );
      this.lastShown = this.lastValue;
      this.readSent = this.lastShown;
      this.pending = new Map(); // client id -> {text, element, acked, failed}
      this.typers = new Map(); // user id -> {text, timer}
      this.attempt = 0;
      this.stopped = false;
      this.wasDown = false;
      this.lastTyping = 0;
      this.initialStatus = this.hasStatusTarget ? this.statusTarget.dataset.status : null;
      this.currentStatus = this.initialStatus;
      this.showReaders();
      this.scrollToEnd();
      this.onVisibility = () => this.sendRead();
      this.onOnline = () => this.reconnectNow();
      // The browser knows first that the network is gone: close the socket
      // now rather than wait for the ping to time out, so that what is typed
      // meanwhile stays visibly pending.
      this.onOffline = () => {
        if (this.socket) {
          this.socket.close();
        }
      };
      document.addEventListener('visibilitychange', this.onVisibility);
      window.addEventListener('online', this.onOnline);
      window.addEventListener('offline', this.onOffline);
      this.open();
    }

    disconnect() {
      this.stopped = true;
      document.removeEventListener('visibilitychange', this.onVisibility);
      window.removeEventListener('online', this.onOnline);
      window.removeEventListener('offline', this.onOffline);
      window.clearTimeout(this.reconnectTimer);
      window.clearTimeout(this.bannerTimer);
      this.stopPing();
      if (this.socket) {
        this.socket.close(1000);
      }
    }

    // --- The connection ---------------------------------------------------------------

    socketUrl() {
      const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      return `${scheme}//${window.location.host}${this.socketValue}`;
    }

    open() {
      if (this.stopped || this.socket) {
        return;
      }
      let socket;
      try {
        socket = new WebSocket(this.socketUrl());
      } catch (error) {
        this.scheduleReconnect();
        return;
      }
      this.socket = socket;
      this.synced = false;
      socket.addEventListener('open', () => {
        if (socket === this.socket) {
          this.sendFrame({ type: 'hello', after: this.lastShown });
          this.startPing();
        }
      });
      socket.addEventListener('message', (event) => {
        if (socket === this.socket) {
          this.receive(event.data);
        }
      });
      socket.addEventListener('close', (event) => this.closed(socket, event));
    }

    closed(socket, event) {
      if (socket !== this.socket) {
        return;
      }
      this.socket = null;
      this.synced = false;
      this.stopPing();
      this.clearTyping();
      if (this.stopped) {
        return;
      }
      if (event.code === CLOSE_FORBIDDEN) {
        this.stopped = true;
        this.showBanner(this.strings.forbidden, 'critical');
        this.disableForm();
        return;
      }
      if (event.code === CLOSE_ANONYMOUS) {
        this.stopped = true;
        this.showBanner(this.strings.signed_out, 'critical');
        this.disableForm();
        return;
      }
      this.scheduleReconnect();
    }

    /* Exponential back-off with jitter: between half and all of 1 s, 2 s, 4 s… up to 30 s. */
    scheduleReconnect() {
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
      const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      this.attempt += 1;
      this.wasDown = true;
      this.showBanner(format(this.strings.offline, { seconds: Math.ceil(delay / 1000) }));
      this.markWaiting();
      window.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = window.setTimeout(() => this.open(), delay);
    }

    reconnectNow() {
      if (!this.stopped && !this.socket) {
        window.clearTimeout(this.reconnectTimer);
        this.open();
      }
    }

    startPing() {
      this.stopPing();
      this.pingTimer = window.setInterval(() => {
        this.sendFrame({ type: 'ping' });
        window.clearTimeout(this.pongTimer);
        const socket = this.socket;
        this.pongTimer = window.setTimeout(() => {
          if (socket && socket === this.socket) {
            socket.close(); // no answer: a dead connection, start again
          }
        }, PONG_WAIT_MS);
      }, PING_MS);
    }

    stopPing() {
      window.clearInterval(this.pingTimer);
      window.clearTimeout(this.pongTimer);
    }

    isOpen() {
      return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN);
    }

    sendFrame(frame) {
      if (!this.isOpen()) {
        return false;
      }
      this.socket.send(JSON.stringify(frame));
      return true;
    }

    // --- Frames from the server -------------------------------------------------------

    receive(data) {
      let frame;
      try {
        frame = JSON.parse(data);
      } catch (error) {
        return;
      }
      if (!frame || typeof frame.type !== 'string') {
        return;
      }
      switch (frame.type) {
        case 'message':
          this.showMessage(frame);
          break;
        case 'synced':
          this.onSynced();
          break;
        case 'ack':
          this.onAck(frame);
          break;
        case 'error':
          this.onError(frame);
          break;
        case 'typing':
          this.showTyping(frame);
          break;
        case 'read':
          this.onRead(frame);
          break;
        case 'ticket':
          this.showTicket(frame);
          break;
        case 'pong':
          window.clearTimeout(this.pongTimer);
          break;
        default:
          break;
      }
    }

    onSynced() {
      this.synced = true;
      this.attempt = 0;
      if (this.wasDown) {
        this.wasDown = false;
        this.showBanner(this.strings.back, 'ok', BACK_SHOWN_MS);
      } else {
        this.hideBanner();
      }
      for (const clientId of this.pending.keys()) {
        const entry = this.pending.get(clientId);
        if (!entry.acked && !entry.failed) {
          this.deliver(clientId);
        }
      }
      this.sendRead();
    }

    showMessage(frame) {
      if (!Number.isInteger(frame.number) || frame.number <= this.lastShown) {
        return; // shown already
      }
      const nearEnd = this.isNearEnd();
      const mine = frame.author && frame.author.id === this.userValue;
      this.messagesTarget.append(this.buildMessage(frame, mine));
      this.lastShown = frame.number;
      if (frame.client_id && this.pending.has(frame.client_id)) {
        this.pending.get(frame.client_id).element.remove();
        this.pending.delete(frame.client_id);
      }
      if (frame.author) {
        this.stopTyping(frame.author.id);
      }
      if (nearEnd || mine) {
        this.scrollToEnd();
      }
      this.sendRead();
    }

    buildMessage(frame, mine) {
      const item = document.createElement('li');
      item.className = mine ? 'hd-message hd-message--mine' : 'hd-message';
      item.id = `message-${frame.number}`;
      item.dataset.number = String(frame.number);
      if (frame.client_id) {
        item.dataset.clientId = frame.client_id;
      }
      const meta = document.createElement('div');
      meta.className = 'hd-message__meta';
      const author = document.createElement('strong');
      author.className = 'hd-message__author';
      author.textContent = mine ? this.strings.you : (frame.author && frame.author.name) || '';
      meta.append(author, ' ');
      const when = new Date(frame.created_at);
      if (!Number.isNaN(when.getTime())) {
        const time = document.createElement('time');
        time.dateTime = frame.created_at;
        // In the workspace's time zone, as the server writes the others.
        const options = { dateStyle: 'short', timeStyle: 'short' };
        try {
          time.textContent = when.toLocaleString(document.documentElement.lang || undefined, {
            ...options,
            timeZone: this.strings.time_zone,
          });
        } catch (error) {
          time.textContent = when.toLocaleString(undefined, options);
        }
        meta.append(time);
      }
      const text = document.createElement('div');
      text.className = 'hd-message__text';
      appendLinkified(text, String(frame.text || ''));
      const read = document.createElement('div');
      read.className = 'hd-message__read';
      read.dataset.readBy = '';
      item.append(meta, text, read);
      return item;
    }

    onAck(frame) {
      const entry = this.pending.get(frame.client_id);
      if (!entry) {
        return;
      }
      if (Number.isInteger(frame.number) && frame.number <= this.lastShown) {
        entry.element.remove(); // its message is shown already
        this.pending.delete(frame.client_id);
        return;
      }
      entry.acked = true;
      this.setState(entry, this.strings.sent);
    }

    onError(frame) {
      const entry = frame.client_id ? this.pending.get(frame.client_id) : null;
      if (!entry) {
        return;
      }
      this.fail(frame.client_id, frame.message || '');
    }

    // --- Sending an answer ------------------------------------------------------------

    send(event) {
      event.preventDefault();
      const text = this.inputTarget.value;
      if (!text.trim()) {
        this.showError(this.strings.empty);
        return;
      }
      if (text.length > this.maxValue) {
        this.showError(this.strings.too_long);
        return;
      }
      this.hideError();
      const clientId = newClientId();
      const entry = { text, element: this.buildPending(text), acked: false, failed: false };
      this.pending.set(clientId, entry);
      this.pendingTarget.append(entry.element);
      this.inputTarget.value = '';
      this.scrollToEnd();
      this.deliver(clientId);
    }

    buildPending(text) {
      const item = this.buildMessage({ number: 0, text, author: null }, true);
      item.removeAttribute('id');
      delete item.dataset.number;
      item.classList.add('hd-message--pending');
      const state = document.createElement('div');
      state.className = 'hd-message__state';
      state.textContent = this.strings.pending;
      item.append(state);
      return item;
    }

    deliver(clientId) {
      const entry = this.pending.get(clientId);
      if (!entry) {
        return;
      }
      entry.failed = false;
      entry.element.classList.remove('hd-message--failed');
      this.setState(entry, this.strings.pending);
      if (this.isOpen() && this.synced) {
        this.sendFrame({ type: 'message', client_id: clientId, text: entry.text });
        return;
      }
      this.post(clientId);
    }

    /* Without the socket: the form's URL, asking for JSON, with the same client id. */
    async post(clientId) {
      const entry = this.pending.get(clientId);
      const token = this.formTarget.querySelector('input[name="csrfmiddlewaretoken"]');
      const body = new FormData();
      body.append('text', entry.text);
      body.append('client_id', clientId);
      let response;
      try {
        response = await fetch(this.replyValue, {
          method: 'POST',
          body,
          credentials: 'same-origin',
          headers: { Accept: 'application/json', 'X-CSRFToken': token ? token.value : '' },
        });
      } catch (error) {
        this.setState(entry, this.strings.retry); // sent again when the socket is back
        return;
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        answer = {};
      }
      if (!this.pending.has(clientId)) {
        return; // its message arrived meanwhile
      }
      if (response.ok && Number.isInteger(answer.number)) {
        this.onAck({ client_id: clientId, number: answer.number });
      } else if (response.status === 400 && answer.error) {
        this.fail(clientId, answer.error);
      } else {
        this.setState(entry, this.strings.retry);
      }
    }

    fail(clientId, reason) {
      const entry = this.pending.get(clientId);
      entry.failed = true;
      entry.element.classList.add('hd-message--failed');
      const state = this.setState(entry, format(this.strings.failed, { reason }));
      state.classList.add('hd-message__state--failed');
      const again = document.createElement('button');
      again.type = 'button';
      again.className = 'button button-small button-secondary';
      again.textContent = this.strings.send_again;
      again.addEventListener('click', () => this.deliver(clientId));
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'button button-small button-secondary';
      edit.textContent = this.strings.edit;
      edit.addEventListener('click', () => {
        this.inputTarget.value = entry.text;
        entry.element.remove();
        this.pending.delete(clientId);
        this.inputTarget.focus();
      });
      state.append(' ', again, ' ', edit);
    }

    setState(entry, text) {
      const state = entry.element.querySelector('.hd-message__state');
      state.classList.remove('hd-message__state--failed');
      state.textContent = text;
      return state;
    }

    markWaiting() {
      for (const entry of this.pending.values()) {
        if (!entry.acked && !entry.failed) {
          this.setState(entry, this.strings.retry);
        }
      }
    }

    keydown(event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.formTarget.requestSubmit();
      }
    }

    typing() {
      const now = Date.now();
      if (now - this.lastTyping >= TYPING_EVERY_MS && this.synced) {
        this.lastTyping = now;
        this.sendFrame({ type: 'typing' });
      }
    }

    // --- What others do ---------------------------------------------------------------

    showTyping(frame) {
      const id = frame.user && frame.user.id;
      if (id === undefined || id === this.userValue) {
        return;
      }
      const current = this.typers.get(id);
      if (current) {
        window.clearTimeout(current.timer);
      }
      const timer = window.setTimeout(() => this.stopTyping(id), TYPING_SHOWN_MS);
      this.typers.set(id, { text: frame.text || '', timer });
      this.showTypers();
    }

    stopTyping(id) {
      const current = this.typers.get(id);
      if (current) {
        window.clearTimeout(current.timer);
        this.typers.delete(id);
        this.showTypers();
      }
    }

    clearTyping() {
      for (const id of Array.from(this.typers.keys())) {
        this.stopTyping(id);
      }
    }

    showTypers() {
      if (this.hasTypingTarget) {
        this.typingTarget.textContent = Array.from(this.typers.values(), (t) => t.text).join(' ');
      }
    }

    onRead(frame) {
      const id = frame.user && frame.user.id;
      if (id === undefined || id === this.userValue || !Number.isInteger(frame.number)) {
        return;
      }
      this.readers.set(id, { id, name: frame.user.name || '', number: frame.number });
      this.showReaders();
    }

    /* « Vu par … » under the last message each other participant read. */
    showReaders() {
      const byNumber = new Map();
      for (const reader of this.readers.values()) {
        if (reader.id === this.userValue || !reader.number) {
          continue;
        }
        const names = byNumber.get(reader.number) || [];
        names.push(reader.name);
        byNumber.set(reader.number, names);
      }
      for (const item of this.messagesTarget.querySelectorAll('li[data-number]')) {
        const names = byNumber.get(Number(item.dataset.number));
        const place = item.querySelector('[data-read-by]');
        if (place) {
          place.textContent = names ? format(this.strings.read_by, { names: names.join(', ') }) : '';
        }
      }
    }

    showTicket(frame) {
      const statuses = this.strings.statuses || {};
      if (frame.status && this.hasStatusTarget) {
        this.statusTarget.textContent = statuses[frame.status] || frame.status;
        this.statusTarget.dataset.status = frame.status;
        this.statusTarget.classList.toggle('w-status--primary', frame.status === 'open');
      }
      if (frame.status && this.hasStatusTextTarget) {
        this.statusTextTarget.textContent = statuses[frame.status] || frame.status;
      }
      if (frame.priority && this.hasPriorityTarget) {
        this.priorityTarget.textContent = (this.strings.priorities || {})[frame.priority] || '';
      }
      if (frame.visibility && this.hasVisibilityTarget) {
        this.visibilityTarget.textContent =
          (this.strings.visibilities || {})[frame.visibility] || '';
      }
      if ('assignee' in frame && this.hasAssigneeTarget) {
        this.assigneeTarget.textContent = frame.assignee_name || this.strings.nobody;
      }
      if (frame.status && this.currentStatus) {
        const wasClosed = this.currentStatus === 'closed';
        const isClosed = frame.status === 'closed';
        this.currentStatus = frame.status;
        if (isClosed && this.hasFormTarget) {
          this.disableForm();
          this.showBanner(this.strings.closed, 'critical');
        } else if (wasClosed && !isClosed && this.initialStatus !== 'closed') {
          // Reopened while the page was open: the form it had is usable again.
          this.enableForm();
          this.hideBanner();
        } else if (wasClosed !== isClosed) {
          this.showBanner(this.strings.changed); // a page loaded closed has no form: reload
        }
      }
    }

    sendRead() {
      if (document.hidden || this.lastShown <= this.readSent || !this.synced) {
        return;
      }
      if (this.sendFrame({ type: 'read', number: this.lastShown })) {
        this.readSent = this.lastShown;
      }
    }

    // --- The page ---------------------------------------------------------------------

    showBanner(text, tone = 'warning', hideAfter = 0) {
      if (!this.hasBannerTarget) {
        return;
      }
      window.clearTimeout(this.bannerTimer);
      this.bannerTarget.textContent = text;
      this.bannerTarget.className = `hd-banner hd-banner--${tone}`;
      this.bannerTarget.hidden = false;
      if (hideAfter) {
        this.bannerTimer = window.setTimeout(() => this.hideBanner(), hideAfter);
      }
    }

    hideBanner() {
      if (this.hasBannerTarget) {
        this.bannerTarget.hidden = true;
      }
    }

    showError(text) {
      if (this.hasErrorTarget) {
        this.errorTarget.textContent = text;
        this.errorTarget.hidden = false;
      }
    }

    hideError() {
      if (this.hasErrorTarget) {
        this.errorTarget.hidden = true;
      }
    }

    disableForm() {
      if (this.hasFormTarget) {
        for (const field of this.formTarget.querySelectorAll('textarea, button')) {
          field.disabled = true;
        }
      }
    }

    enableForm() {
      if (this.hasFormTarget) {
        for (const field of this.formTarget.querySelectorAll('textarea, button')) {
          field.disabled = false;
        }
      }
    }

    isNearEnd() {
      const scroller = this.scrollerTarget;
      return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    }

    scrollToEnd() {
      const scroller = this.scrollerTarget;
      scroller.scrollTop = scroller.scrollHeight;
    }
  }

  window.wagtail.app.register('helpdesk-ticket', HelpdeskTicketController);
})();
