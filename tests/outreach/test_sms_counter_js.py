"""The browser counter (sms_counter.js) counts as segments.py does."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from outreach.sms import segments
from outreach.sms.widgets import SmsTextarea

SCRIPT = Path(settings.BASE_DIR) / "outreach" / "static" / "outreach" / "sms_counter.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def js_string_constant(name: str) -> str:
    source = SCRIPT.read_text(encoding="utf-8")
    match = re.search(rf'const {name} = ("(?:[^"\\]|\\.)*");', source)
    assert match, f"{name} not found in {SCRIPT}"
    return json.loads(match.group(1))  # the literals are written as JSON strings


def test_the_script_has_the_same_gsm7_basic_table():
    table = js_string_constant("GSM7_BASIC")
    assert len(table) == len(set(table)) == 127
    assert set(table) == segments.GSM7_BASIC


def test_the_script_has_the_same_gsm7_extension_table():
    assert set(js_string_constant("GSM7_EXTENSION")) == segments.GSM7_EXTENSION


SAMPLES = [
    "",
    "a" * 160,
    "a" * 161,
    "a" * 158 + "€",
    "a" * 159 + "€",
    "a" * 152 + "€" + "a" * 152,
    "ê" * 70,
    "ê" * 71,
    "a" * 68 + "😀",
    "ê" + "a" * 65 + "😀" + "a" * 66,
    "Rendez-vous à l’église à 20 h, entrée 5 € ; « bravo » !",
    "Ça commence à 20 h {salle 2} [accès|PMR] ~ ^ \\ \f",
    "Line\r\nbreaks\n",
    "ça, fête, cœur, 👍🏽, 漢字",
]


def run_node(script: str, stdin: str) -> str:
    completed = subprocess.run(
        [NODE, "-e", script], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@needs_node
def test_the_script_counts_every_sample_as_python_does():
    script = f"""
        const {{ countSms }} = require({json.dumps(str(SCRIPT))});
        const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        process.stdout.write(JSON.stringify(texts.map(countSms)));
    """
    counted = json.loads(run_node(script, json.dumps(SAMPLES)))
    for text, js in zip(SAMPLES, counted, strict=True):
        py = segments.count(text)
        assert (js["encoding"], js["characters"], js["units"], js["segments"]) == (
            py.encoding,
            py.characters,
            py.units,
            py.segments,
        ), text
        assert js["remainingInSegment"] == py.remaining_in_segment, text
        assert tuple(js["unicodeCharacters"]) == py.unicode_characters, text


@needs_node
def test_the_controller_registers_on_wagtail_and_shows_the_count():
    """Wagtail's application and Stimulus replaced by the least they offer:
    `register` is called with the controller, which, on a textarea, writes
    the summary and the Unicode warning with the texts it was given."""
    with translation.override("fr"):
        attrs = SmsTextarea().get_context("body", "", {"id": "id_body"})["widget"]["attrs"]
    script = f"""
        const registered = {{}};
        function element(tag) {{
          return {{ tag, children: [], attributes: {{}}, textContent: '', hidden: false,
                   append(...nodes) {{ this.children.push(...nodes); }},
                   setAttribute(n, v) {{ this.attributes[n] = v; }},
                   getAttribute(n) {{ return this.attributes[n] ?? null; }},
                   remove() {{ this.removed = true; }} }};
        }}
        global.document = {{ createElement: element }};
        global.window = {{
          StimulusModule: {{ Controller: class {{}} }},
          wagtail: {{ app: {{ register(name, controller) {{ registered[name] = controller; }} }} }},
        }};
        require({json.dumps(str(SCRIPT))});
        const attrs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        const Controller = registered['sms-counter'];
        const textarea = element('textarea');
        textarea.id = 'id_body';
        textarea.value = 'Rendez-vous à l’église';
        textarea.insertAdjacentElement = (where, node) => {{ textarea.after = node; }};
        const controller = new Controller();
        controller.element = textarea;
        controller.summaryValue = attrs['data-sms-counter-summary-value'];
        controller.unicodeOneValue = attrs['data-sms-counter-unicode-one-value'];
        controller.unicodeManyValue = attrs['data-sms-counter-unicode-many-value'];
        controller.quoteValue = attrs['data-sms-counter-quote-value'];
        controller.connect();
        const first = [controller.summaryLine.textContent, controller.warningLine.textContent];
        textarea.value = 'a'.repeat(161);
        controller.update();
        const second = [controller.summaryLine.textContent, controller.warningLine.hidden];
        process.stdout.write(JSON.stringify({{
          first, second, describedBy: textarea.attributes['aria-describedby'],
          after: textarea.after === controller.output }}));
    """
    shown = json.loads(run_node(script, json.dumps(attrs)))
    summary, warning = shown["first"]
    assert summary == "Caractères\u00a0: 22 · SMS\u00a0: 1 · restants dans ce SMS\u00a0: 48"
    assert "«\u00a0’\u00a0»" in warning and "Unicode" in warning
    assert shown["second"] == [
        "Caractères\u00a0: 161 · SMS\u00a0: 2 · restants dans ce SMS\u00a0: 145",
        True,
    ]
    assert shown["describedBy"] == "id_body-sms-counter"
    assert shown["after"] is True


def test_the_widget_starts_the_counter_with_translated_texts():
    with translation.override("fr"):
        html = SmsTextarea().render("body", "Bonjour", attrs={"id": "id_body"})
    assert 'data-controller="sms-counter"' in html
    assert 'data-action="input-&gt;sms-counter#update"' in html
    assert "Caractères\u00a0: {characters}" in html
    assert "outreach/sms_counter.js" in str(SmsTextarea().media)
