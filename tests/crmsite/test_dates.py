"""Dates are shown and typed as JJ/MM/AAAA, with Wagtail's date picker."""

import datetime

from wagtail.admin.widgets import AdminDateInput

from directory.models import Person
from tests import factories


def test_a_date_shows_as_jj_mm_aaaa_in_a_date_picker(staff_user):
    person = factories.PersonFactory(email_consent_date=datetime.date(2024, 3, 15))
    page = factories.logged_in(staff_user).get(f"/admin/directory/people/edit/{person.pk}/")
    html = page.content.decode()
    assert 'value="15/03/2024"' in html
    assert "w-date-input" in html or "data-controller" in html  # the picker's widget


def test_a_date_typed_as_jj_mm_aaaa_is_read_as_such():
    field = Person._meta.get_field("email_consent_date").formfield(widget=AdminDateInput)
    assert field.clean("05/04/2024") == datetime.date(2024, 4, 5)
    assert AdminDateInput().format_value(datetime.date(2024, 4, 5)) == "05/04/2024"
