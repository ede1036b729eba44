/*
 * The live counter of an SMS text: characters, SMS (segments) and room left,
 * shown under the textarea, with a warning naming the characters that force
 * Unicode (UCS-2) encoding.
 *
 * A Stimulus controller in Wagtail's style, registered on Wagtail's own
 * application. It counts exactly as outreach/sms/segments.py does, with the
 * same tables (3GPP TS 23.038): GSM-7 basic characters are one septet, the
 * extension table (^ { } \ [ ~ ] | € and form feed) two, 160 septets in one
 * SMS or 153 per concatenated segment, an escape pair never split; one
 * character outside GSM-7 makes the whole text UCS-2: 70 UTF-16 units in one
 * SMS or 67 per segment, a surrogate pair (emoji) never split.
 * tests/outreach/test_sms_counter_js.py checks that both files agree.
 *
 * The texts come from the server, already translated (see
 * outreach/sms/widgets.py), with {placeholders}:
 *
 *   <textarea data-controller="sms-counter"
 *             data-sms-counter-summary-value="Caractères : {characters} · SMS : {segments} · …"
 *             data-sms-counter-unicode-one-value="Le caractère {characters} oblige …"
 *             data-sms-counter-unicode-many-value="Les caractères {characters} obligent …"
 *             data-sms-counter-quote-value="« {character} »"
 *             data-action="input->sms-counter#update"></textarea>
 */
(function () {
  'use strict';

  // The GSM 7-bit default alphabet, basic table in code order (escape left out).
  const GSM7_BASIC = "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9 !\"#\u00a4%&'()*+,-./0123456789:;<=>?\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0";
  // The extension table: escape + character, two septets each.
  const GSM7_EXTENSION = "\f^{}\\[~]|\u20ac";

  const BASIC = new Set(Array.from(GSM7_BASIC));
  const EXTENSION = new Set(Array.from(GSM7_EXTENSION));

  const GSM7_SINGLE = 160;
  const GSM7_MULTIPART = 153;
  const UCS2_SINGLE = 70;
  const UCS2_MULTIPART = 67;

  function countSms(text) {
    const chars = Array.from(text || ''); // code points, as Python's str
    const unicodeCharacters = [];
    for (const char of chars) {
      if (!BASIC.has(char) && !EXTENSION.has(char) && !unicodeCharacters.includes(char)) {
        unicodeCharacters.push(char);
      }
    }
    const gsm = unicodeCharacters.length === 0;
    const encoding = gsm ? 'gsm7' : 'ucs2';
    const single = gsm ? GSM7_SINGLE : UCS2_SINGLE;
    const multipart = gsm ? GSM7_MULTIPART : UCS2_MULTIPART;
    const widths = chars.map((char) => {
      if (gsm) {
        return EXTENSION.has(char) ? 2 : 1;
      }
      return char.codePointAt(0) > 0xffff ? 2 : 1;
    });
    const units = widths.reduce((sum, width) => sum + width, 0);
    const result = {
      encoding,
      characters: chars.length,
      units,
      segments: 0,
      remainingInSegment: single,
      unicodeCharacters,
    };
    if (units === 0) {
      return result;
    }
    if (units <= single) {
      result.segments = 1;
      result.remainingInSegment = single - units;
      return result;
    }
    let segments = 1;
    let used = 0;
    for (const width of widths) {
      if (used + width > multipart) {
        segments += 1;
        used = 0;
      }
      used += width;
    }
    result.segments = segments;
    result.remainingInSegment = multipart - used;
    return result;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (match, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match,
    );
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { countSms, GSM7_BASIC, GSM7_EXTENSION };
  }

  if (typeof window === 'undefined' || !window.wagtail || !window.wagtail.app || !window.StimulusModule) {
    return;
  }

  class SmsCounterController extends window.StimulusModule.Controller {
    static values = {
      summary: { type: String, default: '{characters} · {segments} SMS · {remaining}' },
      unicodeOne: { type: String, default: '{characters}: Unicode' },
      unicodeMany: { type: String, default: '{characters}: Unicode' },
      quote: { type: String, default: '“{character}”' },
    };

    connect() {
      this.output = document.createElement('div');
      this.output.className = 'help sms-counter';
      this.output.setAttribute('aria-live', 'polite');
      this.summaryLine = document.createElement('p');
      this.warningLine = document.createElement('p');
      this.warningLine.className = 'sms-counter__warning';
      this.output.append(this.summaryLine, this.warningLine);
      this.element.insertAdjacentElement('afterend', this.output);
      if (this.element.id) {
        this.output.id = `${this.element.id}-sms-counter`;
        const describedBy = (this.element.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
        describedBy.push(this.output.id);
        this.element.setAttribute('aria-describedby', describedBy.join(' '));
      }
      this.update();
    }

    disconnect() {
      if (this.output) {
        this.output.remove();
      }
    }

    update() {
      const result = countSms(this.element.value);
      this.summaryLine.textContent = fill(this.summaryValue, {
        characters: result.characters,
        segments: result.segments,
        remaining: result.remainingInSegment,
        units: result.units,
      });
      const forcing = result.unicodeCharacters;
      if (forcing.length === 0) {
        this.warningLine.textContent = '';
        this.warningLine.hidden = true;
        return;
      }
      const quoted = forcing.map((character) => fill(this.quoteValue, { character })).join(', ');
      const template = forcing.length === 1 ? this.unicodeOneValue : this.unicodeManyValue;
      this.warningLine.textContent = fill(template, { characters: quoted });
      this.warningLine.hidden = false;
    }
  }

  window.wagtail.app.register('sms-counter', SmsCounterController);
})();
