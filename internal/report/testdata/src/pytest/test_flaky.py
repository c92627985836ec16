"""Tests for pytest: pass, fail, error in a fixture, skip, xfail, xpass,
parametrized and class-based tests, to record what pytest prints for each."""
import sys

import pytest


def test_pass():
    assert 1 + 1 == 2


def test_fail():
    print("some captured stdout")
    assert 1 + 1 == 3, "arithmetic is broken"


@pytest.fixture
def broken_db():
    raise ConnectionError("database unavailable")


def test_fixture_error(broken_db):
    pass


@pytest.fixture
def teardown_fails():
    yield
    raise RuntimeError("teardown exploded")


def test_teardown_error(teardown_fails):
    pass


@pytest.mark.skip(reason="needs Windows")
def test_skip():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False


@pytest.mark.xfail(reason="fixed upstream")
def test_xpass():
    pass


@pytest.mark.xfail(strict=True, reason="strict")
def test_xpass_strict():
    pass


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n != 2


class TestGroup:
    def test_method(self):
        assert True

    def test_raises(self):
        {}["missing"]
