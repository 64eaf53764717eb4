"""The root command loads each command's module when it runs: the table of commands must name exactly what
each module registers, and every command must be reachable."""

from __future__ import annotations

import sys

import pytest

from socialcredit.cli.commands_registry import COMMANDS, module_commands

MODULES = sorted(set(COMMANDS.values()))


@pytest.mark.parametrize("module", MODULES)
def test_the_table_names_what_each_module_registers(module):
    registered = set(module_commands(module).list_commands(None))
    assert registered == {name for name, m in COMMANDS.items() if m == module}


def test_a_command_loads_its_own_module_only(tmp_path):
    import subprocess

    code = (
        "import sys\n"
        "from socialcredit.cli.main import main\n"
        "try:\n"
        "    main(['score', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('socialcredit.cli.') and m.endswith('_commands'))\n"
        "print(','.join(loaded))\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    *_, loaded, store = out.strip().splitlines()
    assert loaded == "socialcredit.cli.engine_commands"
    assert store == "False"  # scoring a file never loads the store's libraries
