import datetime

from cohorts.records.models import NominalAlias
from cohorts.records.selectors import NominalFilters, nominal_search
from cohorts.records.services import cohort_membership_start
from tests.cohorts.factories import make_nominal, valid_pnc_id


def found(user, query, **filters):
    return {nominal.last_name for nominal in nominal_search(user, NominalFilters(query=query, **filters))}


def test_a_name_is_found_however_it_is_spelt(partnership):
    make_nominal(partnership.officer, first_name="John", last_name="Smith")
    make_nominal(partnership.officer, first_name="Kathryn", last_name="McDonald")

    assert found(partnership.officer, "jon smyth") == {"Smith"}
    assert found(partnership.officer, "Catherine MacDonald") == {"McDonald"}
    assert found(partnership.officer, "smi") == {"Smith"}


def test_an_alias_finds_the_person(partnership):
    nominal = make_nominal(partnership.officer, first_name="Daniel", last_name="Hughes")
    NominalAlias.objects.create(nominal=nominal, first_name="Danny", last_name="Hewson")

    assert found(partnership.officer, "Danny Hewson") == {"Hughes"}


def test_identifiers_and_dates_of_birth_find_the_person(partnership):
    pnc_id = valid_pnc_id(2012)
    make_nominal(
        partnership.officer, last_name="Byrne", pnc_id=pnc_id, crn="X654321", date_of_birth=datetime.date(2001, 2, 3)
    )

    assert found(partnership.officer, pnc_id[2:]) == {"Byrne"}
    assert found(partnership.officer, "x654321") == {"Byrne"}
    assert found(partnership.officer, "03/02/2001") == {"Byrne"}


def test_search_never_finds_a_person_the_agency_may_not_see(partnership):
    pnc_id = valid_pnc_id()
    make_nominal(partnership.officer, first_name="Hidden", last_name="Person", pnc_id=pnc_id)

    assert found(partnership.outsider, "Hidden Person") == set()
    assert found(partnership.outsider, pnc_id) == set()
    assert found(partnership.drugs_worker, "Person") == set()


def test_filters_narrow_the_list(partnership):
    on_cohort = make_nominal(partnership.officer, last_name="Onit")
    cohort_membership_start(nominal=on_cohort)
    make_nominal(partnership.officer, last_name="Offit", custody_status="custody")

    assert found(partnership.officer, "", on_cohort=True) == {"Onit"}
    assert found(partnership.officer, "", on_cohort=False) == {"Offit"}
    assert found(partnership.officer, "", custody_status="custody") == {"Offit"}
