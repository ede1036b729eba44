"""Snapshot rows kept their reasons as text, with the names of the searches
and baskets in them ("recherche « Directeurs Grand Est »"), shown to every
reader of the basket. Rewrite each reason as JSON that keeps the source's
id (`selections.disclosure.frozen_reason`), matching it against the steps of
the snapshot's basket, in French or English. A reason that matches no step
keeps no name: it is read as "a search not shared with you" by everyone.
0005 then makes the column a JSON field."""

import json

from django.db import migrations

BY_HAND = {"added by hand", "ajouté à la main"}
LABELS = {
    "search": ("search “{}”", "recherche « {} »"),
    "basket": ("basket “{}”", "panier « {} »"),
}


def _sources(apps, basket_id) -> dict[str, dict]:
    BasketStep = apps.get_model("selections", "BasketStep")
    known = {}
    steps = BasketStep.objects.filter(basket_id=basket_id).select_related(
        "search", "included_basket"
    )
    for step in steps:
        if step.search_id:
            kind, pk, name = "search", step.search_id, step.search.name
        else:
            kind, pk, name = "basket", step.included_basket_id, step.included_basket.name
        for template in LABELS[kind]:
            known[template.format(name)] = {"kind": kind, "id": pk, "name": name}
    return known


def _convert(text: str, known: dict) -> list[dict]:
    reasons = []
    for part in (text or "").split(" ; "):
        part = part.strip()
        if not part:
            continue
        if part in BY_HAND:
            reasons.append({"label": part})
        else:
            reasons.append(known.get(part, {"kind": "search", "id": None, "name": ""}))
    return reasons


def keep_sources(apps, schema_editor):
    Snapshot = apps.get_model("selections", "Snapshot")
    SnapshotRow = apps.get_model("selections", "SnapshotRow")
    for snapshot in Snapshot.objects.only("pk", "basket_id").iterator():
        known = _sources(apps, snapshot.basket_id) if snapshot.basket_id else {}
        batch = []
        for row in SnapshotRow.objects.filter(snapshot=snapshot).only("pk", "reasons").iterator():
            row.reasons = json.dumps(_convert(row.reasons, known), ensure_ascii=False)
            batch.append(row)
            if len(batch) == 1000:
                SnapshotRow.objects.bulk_update(batch, ["reasons"])
                batch = []
        SnapshotRow.objects.bulk_update(batch, ["reasons"])


def back_to_text(apps, schema_editor):
    SnapshotRow = apps.get_model("selections", "SnapshotRow")
    batch = []
    for row in SnapshotRow.objects.only("pk", "reasons").iterator():
        try:
            reasons = json.loads(row.reasons or "[]")
        except ValueError:
            continue
        row.reasons = " ; ".join(
            reason.get("label") or reason.get("name") or "" for reason in reasons
        )
        batch.append(row)
        if len(batch) == 1000:
            SnapshotRow.objects.bulk_update(batch, ["reasons"])
            batch = []
    SnapshotRow.objects.bulk_update(batch, ["reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("selections", "0003_selection_log_and_messages"),
    ]

    operations = [migrations.RunPython(keep_sources, back_to_text)]
