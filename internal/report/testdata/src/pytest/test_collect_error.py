import not_a_module_that_exists  # noqa: F401


def test_never_collected():
    pass
