"""FG301 (time.sleep in async def) and FG401 (HTTPException in services)."""

from __future__ import annotations

from tests.helpers import positions


def test_sleep_in_nested_sync_def_inside_async_is_not_flagged() -> None:
    source = """
        import time

        async def handler():
            def work():
                time.sleep(1)
            return work
        """
    assert positions(source, "FG301") == []


def test_sleep_in_async_def_nested_in_sync_def_is_flagged() -> None:
    source = """
        import time

        def factory():
            async def handler():
                time.sleep(1)
            return handler
        """
    assert positions(source, "FG301") == [(5, 9)]


def test_sleep_in_default_argument_runs_outside_the_coroutine() -> None:
    source = """
        import time

        async def handler(delay=time.sleep(0)):
            return delay
        """
    assert positions(source, "FG301") == []


def test_sleep_in_async_method_decorator_and_class_body() -> None:
    source = """
        from time import sleep

        class Poller:
            async def run(self):
                class Inner:
                    sleep(1)
                sleep(2)
        """
    assert positions(source, "FG301") == [(6, 13), (7, 9)]


def test_function_local_import_alias_is_resolved() -> None:
    source = """
        async def handler():
            import time as clock
            clock.sleep(1)
        """
    assert positions(source, "FG301") == [(3, 5)]


def test_unrelated_sleep_name_is_not_flagged() -> None:
    source = """
        from trio import sleep

        async def handler():
            await sleep(1)
        """
    assert positions(source, "FG301") == []


def test_http_exception_in_service_file_positions() -> None:
    source = """
        from fastapi import HTTPException

        def get(pk):
            raise HTTPException(status_code=404, detail="missing")
        """
    assert positions(source, "FG401", path="app/users/service.py") == [(4, 11)]


def test_http_exception_in_repository_class_of_a_route_file_is_flagged() -> None:
    source = """
        from fastapi import HTTPException

        class UserRepository:
            def get(self, pk):
                raise HTTPException(404)

        def route():
            raise HTTPException(404)
        """
    assert positions(source, "FG401", path="app/users/routes.py") == [(5, 15)]


def test_http_exception_in_route_and_plain_modules_is_not_flagged() -> None:
    source = """
        from fastapi import HTTPException

        def get(pk):
            raise HTTPException(status_code=404)
        """
    for path in ("app/users/router.py", "app/main.py", "app/services/views.py"):
        assert positions(source, "FG401", path=path) == [], path


def test_class_named_exactly_service_is_not_a_layer() -> None:
    source = """
        from fastapi import HTTPException

        class Service:
            def get(self):
                raise HTTPException(404)
        """
    assert positions(source, "FG401", path="app/main.py") == []


def test_unrelated_http_exception_class_is_not_flagged() -> None:
    source = """
        from requests.exceptions import HTTPError
        from werkzeug.exceptions import HTTPException

        def call():
            raise HTTPException()
        """
    assert positions(source, "FG401", path="app/services/remote.py") == []
