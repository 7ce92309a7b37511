"""Password hashing: bcrypt over keyed HMAC-SHA-384, long and non-ASCII passwords, the key
file, and Magento hashes (md5, sha256, argon2id, chained, two-part legacy)."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custtui.services import passwords


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "keys" / "custtui.key"))
    passwords._secret_at.cache_clear()
    yield tmp_path / "keys" / "custtui.key"
    passwords._secret_at.cache_clear()


def test_hash_is_tagged_bcrypt_cost_12_and_verifies(key_file) -> None:
    stored = passwords.hash_password("Correct horse 1")
    assert stored.startswith("bcrypt-hmac384$$2b$12$")
    assert passwords.verify("Correct horse 1", stored) == passwords.Verified(True, False)
    assert not passwords.verify("correct horse 1", stored).ok
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


@pytest.mark.parametrize(
    "password",
    ["x" * 256, "🔒" * 64, "密码" * 40, "  spaced inside  ", "nul\0byte", "é" * 73],
    ids=["256-ascii", "64-emoji", "chinese", "spaces", "nul", "73-e-acute"],
)
def test_long_and_unicode_passwords(password) -> None:
    stored = passwords.hash_password(password)
    assert passwords.verify(password, stored).ok
    assert not passwords.verify(password[:-1], stored).ok


def test_nfkc_makes_fullwidth_equal_ascii() -> None:
    stored = passwords.hash_password("pass word")
    assert passwords.verify("ｐａｓｓ word", stored).ok


def test_the_key_matters_and_is_not_in_the_hash(tmp_path, monkeypatch, key_file) -> None:
    stored = passwords.hash_password("Secret 123")
    key = key_file.read_text().strip()
    assert key not in stored
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "other.key"))
    assert not passwords.verify("Secret 123", stored).ok


def test_key_file_readable_by_others_is_refused(key_file) -> None:
    passwords.secret()
    os.chmod(key_file, 0o644)
    passwords._secret_at.cache_clear()
    with pytest.raises(passwords.KeyFileError, match="chmod 600"):
        passwords.secret()


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "bcrypt-hmac384$garbage", "a:b:9"])
def test_malformed_hashes_fail_without_raising(stored) -> None:
    assert passwords.verify("anything", stored) == passwords.Verified(False)


def test_lower_cost_asks_for_rehash() -> None:
    import bcrypt

    weak = bcrypt.hashpw(passwords._prehash("pw"), bcrypt.gensalt(10)).decode()
    assert passwords.verify("pw", f"bcrypt-hmac384${weak}") == passwords.Verified(True, True)


SALT = "Zx9QpL2mN8vB4cR7tY1uI6oP3aS5dF0g"


@pytest.mark.parametrize("versions", ["0", "1", "2", "3_32_2_67108864", "1:3_32_2_67108864", "0:1"])
def test_magento_hash_versions_verify_and_ask_for_rehash(versions) -> None:
    stored = passwords.magento_hash("Magento123!", SALT, versions)
    assert passwords.verify("Magento123!", stored) == passwords.Verified(True, True)
    assert not passwords.verify("Magento123?", stored).ok


def test_magento_known_vectors() -> None:
    # v1 = sha256(salt . password), computed independently.
    expected = hashlib.sha256(b"RFsecret").hexdigest()
    assert passwords.verify("secret", f"{expected}:RF:1").ok
    # v0 = md5(salt . password)
    assert passwords.verify("secret", f"{hashlib.md5(b'pzsecret').hexdigest()}:pz:0").ok


def test_two_part_legacy_hash_by_length() -> None:
    sha = hashlib.sha256(b"l1secret").hexdigest()
    md5 = hashlib.md5(b"l1secret").hexdigest()
    assert passwords.verify("secret", f"{sha}:l1").ok
    assert passwords.verify("secret", f"{md5}:l1").ok
    assert not passwords.verify("secret", "abc:l1").ok  # neither 32 nor 64 hex digits


def test_absurd_argon_parameters_are_refused() -> None:
    assert not passwords.verify("x", "00:salt:3_32_2_99999999999").ok


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=80))
def test_any_text_roundtrips(password) -> None:
    passwords.COST = 4  # the property is about encoding, not cost
    try:
        assert passwords.verify(password, passwords.hash_password(password)).ok
    finally:
        passwords.COST = 12
