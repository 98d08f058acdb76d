from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from lanhmanh.core import crypto
from lanhmanh.core.text import fold, normalise
from lanhmanh.people.models import Person, PersonSupport

NAME = "Nguyễn Thị Đào"
ID_NUMBER = "001198012345"
PHONE = "0912345678"


def test_normalise_collapses_spaces_and_composes():
    assert normalise("  Nguye\u0302\u0303n   Thị\tĐào ") == "Nguyễn Thị Đào"


def test_fold_strips_diacritics_including_d_with_stroke():
    assert fold("NGUYỄN  Thị ĐÀO") == "nguyen thi dao"
    assert fold("Đặng Văn Được") == "dang van duoc"


def test_fold_gives_the_same_key_for_nfc_and_nfd():
    import unicodedata

    assert fold(unicodedata.normalize("NFD", NAME)) == fold(unicodedata.normalize("NFC", NAME))


def test_encrypt_round_trip_and_random_tokens():
    token = crypto.encrypt(NAME)
    assert crypto.decrypt(token) == NAME
    assert crypto.encrypt(NAME) != token
    assert NAME not in token


def test_old_key_still_decrypts_after_a_new_primary_key(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt(NAME)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert crypto.decrypt(token) == NAME
    assert not crypto.is_encrypted_with_primary(token)
    assert crypto.is_encrypted_with_primary(crypto.rotate(token))


def test_a_value_under_an_unknown_key_is_refused(settings):
    token = crypto.encrypt(NAME)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 1 is not a valid Fernet key"):
        crypto.encrypt(NAME)


def test_blind_indexes_are_keyed_and_separated_by_purpose(settings):
    first = crypto.id_number_index("001 198-012345")
    assert first == crypto.id_number_index(ID_NUMBER)
    assert len(first) == 64
    assert crypto.blind_index(ID_NUMBER, purpose="id-number") != crypto.blind_index(
        ID_NUMBER, purpose="other"
    )
    settings.BLIND_INDEX_KEY = "another-key"
    assert crypto.id_number_index(ID_NUMBER) != first


def _raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names are our own constants
        return cursor.fetchall()


def _make_person() -> Person:
    person = Person(
        full_name=NAME,
        other_names="Đào Xinh",
        birth_year=1990,
        id_number=ID_NUMBER,
        phone=PHONE,
        permanent_address="Số 12 ngõ 34 phố Hàng Bài",
        notes="Ghi chú riêng",
    )
    person.save()
    PersonSupport.objects.create(person=person, trafficking_victim=True, notes="Cần hỗ trợ học nghề")
    return person


@pytest.mark.django_db
def test_the_raw_tables_hold_no_names_id_numbers_or_phones():
    _make_person()
    dump = repr(_raw_rows("people_person") + _raw_rows("people_personsupport"))
    for secret in (NAME, "Nguyễn", "Đào", fold(NAME), ID_NUMBER, PHONE, "Hàng Bài", "học nghề", "Ghi chú"):
        assert secret not in dump
    assert Person.objects.get().full_name == NAME


@pytest.mark.django_db
def test_rotate_field_keys_re_encrypts_every_value_with_the_new_key(settings):
    person = _make_person()
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    raw_before = _raw_rows("people_person")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    call_command("rotate_field_keys", batch_size=1, verbosity=0)
    raw_after = _raw_rows("people_person")
    assert raw_after != raw_before
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    person = Person.objects.get(pk=person.pk)
    assert (person.full_name, person.id_number, person.phone) == (NAME, ID_NUMBER, PHONE)
    assert PersonSupport.objects.get().notes == "Cần hỗ trợ học nghề"


@pytest.mark.django_db
def test_rotate_field_keys_changes_nothing_when_a_value_cannot_be_decrypted(settings):
    _make_person()
    raw_before = _raw_rows("people_person")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        call_command("rotate_field_keys", verbosity=0)
    assert _raw_rows("people_person") == raw_before
