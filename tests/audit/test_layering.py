"""The audit log sits below the store: nothing it imports, however indirectly, reaches ``socialcredit.store``
(the store appends its leaves through the audit log, and the log verifies the store's rows from the tables)."""

from __future__ import annotations

from tests.test_architecture import dependencies


def test_the_audit_log_imports_nothing_from_the_store() -> None:
    graph = dependencies()
    reached: set[str] = set()
    todo = [name for name in graph if name == "socialcredit.audit" or name.startswith("socialcredit.audit.")]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(graph.get(name, ()))
    store = sorted(n for n in reached if n == "socialcredit.store" or n.startswith("socialcredit.store."))
    assert not store, f"the audit package reaches {store}"
