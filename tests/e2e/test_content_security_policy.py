"""The workspace works under its Content-Security-Policy: no page breaks it."""

import pytest

from tests import factories
from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_main_pages_run_without_a_policy_violation(page, transactional_db):
    factories.administrator(username="admin")
    organisation = factories.OrganisationFactory(name="Théâtre de la Manufacture")
    person = factories.PersonFactory(first_name="Alice", last_name="Martin")
    factories.PositionFactory(person=person, organisation=organisation)
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "admin", PASSWORD)
    violations = []
    for path in (
        "/admin/",
        "/admin/directory/organisations/",
        f"/admin/directory/organisations/edit/{organisation.pk}/",
        f"/admin/directory/organisations/inspect/{organisation.pk}/",
        "/admin/directory/people/add/",
        f"/admin/directory/people/inspect/{person.pk}/",
        "/admin/directory/search/?q=manufacture",
        "/admin/selections/searches/new/",
        "/admin/selections/baskets/new/",
        "/admin/users/",
        "/admin/reports/site-history/",
        "/admin/account/",
    ):
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        assert "Content-Security-Policy" in {name.title() for name in response.headers}, path
        page.wait_for_load_state("networkidle")
        violations += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]
    assert violations == [], "\n".join(violations)
    assert messages == []
