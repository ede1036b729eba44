"""French administrative geography: departments and regions.

Codes follow the INSEE Code officiel géographique (COG):

* Department codes are the 96 metropolitan departments "01" to "95", with Corsica
  split into "2A" (Corse-du-Sud) and "2B" (Haute-Corse) instead of "20", plus the
  five overseas departments "971" Guadeloupe, "972" Martinique, "973" Guyane,
  "974" La Réunion and "976" Mayotte.
* Region codes are the INSEE codes of the 13 metropolitan regions created by the
  2016 territorial reform (loi NOTRe / loi du 16 janvier 2015) and of the five
  single-department overseas regions ("01" to "04" and "06").

Postcode rules used by :func:`department_for_postcode`:

* A postcode must be exactly five ASCII digits (surrounding whitespace and inner
  spaces such as "75 001" are tolerated).
* Corsica: postcodes start with "20"; 200xx and 201xx belong to Corse-du-Sud
  ("2A"), 202xx to 206xx to Haute-Corse ("2B"); any other 20xxx is unknown.
* Overseas: postcodes starting with "97" or "98" map to their first three digits
  only when that is one of the overseas departments above (971 to 974, 976).
  Saint-Pierre-et-Miquelon (975), Saint-Barthélemy / Saint-Martin (977, 978),
  Monaco (980) and the Pacific territories (98x) are not departments and yield
  ``None``.
* Otherwise the department is the first two digits, when it exists ("00xxx",
  "96xxx", "99xxx" yield ``None``).
"""

from __future__ import annotations

import unicodedata

REGIONS: dict[str, str] = {
    # Overseas regions (single-department).
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    # Metropolitan regions (2016).
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

DEPARTMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "84"),
    "02": ("Aisne", "32"),
    "03": ("Allier", "84"),
    "04": ("Alpes-de-Haute-Provence", "93"),
    "05": ("Hautes-Alpes", "93"),
    "06": ("Alpes-Maritimes", "93"),
    "07": ("Ardèche", "84"),
    "08": ("Ardennes", "44"),
    "09": ("Ariège", "76"),
    "10": ("Aube", "44"),
    "11": ("Aude", "76"),
    "12": ("Aveyron", "76"),
    "13": ("Bouches-du-Rhône", "93"),
    "14": ("Calvados", "28"),
    "15": ("Cantal", "84"),
    "16": ("Charente", "75"),
    "17": ("Charente-Maritime", "75"),
    "18": ("Cher", "24"),
    "19": ("Corrèze", "75"),
    "2A": ("Corse-du-Sud", "94"),
    "2B": ("Haute-Corse", "94"),
    "21": ("Côte-d'Or", "27"),
    "22": ("Côtes-d'Armor", "53"),
    "23": ("Creuse", "75"),
    "24": ("Dordogne", "75"),
    "25": ("Doubs", "27"),
    "26": ("Drôme", "84"),
    "27": ("Eure", "28"),
    "28": ("Eure-et-Loir", "24"),
    "29": ("Finistère", "53"),
    "30": ("Gard", "76"),
    "31": ("Haute-Garonne", "76"),
    "32": ("Gers", "76"),
    "33": ("Gironde", "75"),
    "34": ("Hérault", "76"),
    "35": ("Ille-et-Vilaine", "53"),
    "36": ("Indre", "24"),
    "37": ("Indre-et-Loire", "24"),
    "38": ("Isère", "84"),
    "39": ("Jura", "27"),
    "40": ("Landes", "75"),
    "41": ("Loir-et-Cher", "24"),
    "42": ("Loire", "84"),
    "43": ("Haute-Loire", "84"),
    "44": ("Loire-Atlantique", "52"),
    "45": ("Loiret", "24"),
    "46": ("Lot", "76"),
    "47": ("Lot-et-Garonne", "75"),
    "48": ("Lozère", "76"),
    "49": ("Maine-et-Loire", "52"),
    "50": ("Manche", "28"),
    "51": ("Marne", "44"),
    "52": ("Haute-Marne", "44"),
    "53": ("Mayenne", "52"),
    "54": ("Meurthe-et-Moselle", "44"),
    "55": ("Meuse", "44"),
    "56": ("Morbihan", "53"),
    "57": ("Moselle", "44"),
    "58": ("Nièvre", "27"),
    "59": ("Nord", "32"),
    "60": ("Oise", "32"),
    "61": ("Orne", "28"),
    "62": ("Pas-de-Calais", "32"),
    "63": ("Puy-de-Dôme", "84"),
    "64": ("Pyrénées-Atlantiques", "75"),
    "65": ("Hautes-Pyrénées", "76"),
    "66": ("Pyrénées-Orientales", "76"),
    "67": ("Bas-Rhin", "44"),
    "68": ("Haut-Rhin", "44"),
    "69": ("Rhône", "84"),
    "70": ("Haute-Saône", "27"),
    "71": ("Saône-et-Loire", "27"),
    "72": ("Sarthe", "52"),
    "73": ("Savoie", "84"),
    "74": ("Haute-Savoie", "84"),
    "75": ("Paris", "11"),
    "76": ("Seine-Maritime", "28"),
    "77": ("Seine-et-Marne", "11"),
    "78": ("Yvelines", "11"),
    "79": ("Deux-Sèvres", "75"),
    "80": ("Somme", "32"),
    "81": ("Tarn", "76"),
    "82": ("Tarn-et-Garonne", "76"),
    "83": ("Var", "93"),
    "84": ("Vaucluse", "93"),
    "85": ("Vendée", "52"),
    "86": ("Vienne", "75"),
    "87": ("Haute-Vienne", "75"),
    "88": ("Vosges", "44"),
    "89": ("Yonne", "27"),
    "90": ("Territoire de Belfort", "27"),
    "91": ("Essonne", "11"),
    "92": ("Hauts-de-Seine", "11"),
    "93": ("Seine-Saint-Denis", "11"),
    "94": ("Val-de-Marne", "11"),
    "95": ("Val-d'Oise", "11"),
    "971": ("Guadeloupe", "01"),
    "972": ("Martinique", "02"),
    "973": ("Guyane", "03"),
    "974": ("La Réunion", "04"),
    "976": ("Mayotte", "06"),
}


def department_for_postcode(postcode: str) -> str | None:
    """Return the department code for a French postcode, or ``None``.

    See the module docstring for the rules (Corsica, overseas, invalid input).
    """
    if not isinstance(postcode, str):
        return None
    code = postcode.strip().replace(" ", "")
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    prefix = code[:2]
    if prefix in ("97", "98"):
        dept = code[:3]
        return dept if dept in DEPARTMENTS else None
    if prefix == "20":
        third = code[2]
        if third in "01":
            return "2A"
        if third in "23456":
            return "2B"
        return None
    if prefix == "00":
        return None
    return prefix if prefix in DEPARTMENTS else None


def region_for_department(code: str) -> str | None:
    """Return the INSEE region code of a department code, or ``None`` if unknown."""
    entry = DEPARTMENTS.get(code)
    return entry[1] if entry else None


def _department_sort_key(code: str) -> tuple[int, int]:
    """Natural order: 01..19, 2A, 2B, 21..95, 971..976."""
    if code == "2A":
        return (20, 0)
    if code == "2B":
        return (20, 1)
    return (int(code), 0)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def department_choices() -> list[tuple[str, str]]:
    """Departments as ``(code, "code – name")`` pairs in natural code order."""
    return [
        (code, f"{code} – {DEPARTMENTS[code][0]}")
        for code in sorted(DEPARTMENTS, key=_department_sort_key)
    ]


def region_choices() -> list[tuple[str, str]]:
    """Regions as ``(code, name)`` pairs sorted by name, ignoring accents and case."""
    return sorted(
        REGIONS.items(),
        key=lambda item: _strip_accents(item[1]).casefold(),
    )
