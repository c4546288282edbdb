"""Open the Dagster UI on the demo's instance, as `scripts/ui` does: the same instance the demo's runs are in
(DAGSTER_HOME, default .dagster_home), the demo's public key where no PSEUDONYMISATION_KEY is set, the dbt
manifest prepared first (loading the definitions runs no dbt), and `dagster dev` from this environment, found
beside this Python whatever PATH holds, on 127.0.0.1.

The port is DAGSTER_UI_PORT, default 3000. Where the default is taken (another UI already running), the next
free port is used and said; where a port asked for is taken, it stops and says so.
"""

import os
import socket
import sys
from pathlib import Path

from dagster_project.demo import use_demo_key, use_local_instance
from dagster_project.lib.dbt_project import parse_dbt_project
from dagster_project.lib.settings import REPO_ROOT

HOST = "127.0.0.1"
DEFAULT_PORT = 3000
PORT_VARIABLE = "DAGSTER_UI_PORT"
DAGSTER = Path(sys.executable).with_name("dagster")


class PortTaken(RuntimeError):
    """The port asked for is in use."""


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def choose_port(asked: str | None) -> int:
    """The port asked for, which must be free, or the first free one from 3000 on."""
    if asked:
        if not is_free(int(asked)):
            raise PortTaken(
                f"{HOST}:{asked} ({PORT_VARIABLE}) is in use: stop what holds it, or set another {PORT_VARIABLE}"
            )
        return int(asked)
    return next(port for port in range(DEFAULT_PORT, DEFAULT_PORT + 100) if is_free(port))


def main() -> int:
    try:
        port = choose_port(os.environ.get(PORT_VARIABLE))
    except PortTaken as taken:
        print(f"Dagster UI not started: {taken}", file=sys.stderr)
        return 2
    if port != DEFAULT_PORT:
        print(f"Port {DEFAULT_PORT} is in use (another Dagster UI?): using {port}")
    use_demo_key()
    use_local_instance()
    print("Parsing the dbt project (its models are assets) ...", flush=True)
    parse_dbt_project()
    print(f"Dagster UI on the instance in {os.environ['DAGSTER_HOME']}: http://{HOST}:{port}  (Ctrl-C stops it)")
    command = [str(DAGSTER), "dev", "-h", HOST, "-p", str(port), "-w", str(REPO_ROOT / "workspace.yaml")]
    os.chdir(REPO_ROOT)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
