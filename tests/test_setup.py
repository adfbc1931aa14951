"""Set-up for any user: missing system packages are found without root, without ldconfig on the PATH, every time."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-system-deps"
DEBIAN_PATH = "/usr/local/bin:/usr/bin:/bin"  # an ordinary user's: no /usr/sbin, so no ldconfig


def as_ordinary_user(*args: str, python: str = "python3") -> subprocess.CompletedProcess[str]:
    """Run the detection as a user who is not root (nobody, when the tests run as root), with Debian's PATH."""
    env = ["env", "-i", f"PATH={DEBIAN_PATH}", "HOME=/tmp", f"PYTHON={python}"]
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    assert not drop or shutil.which("setpriv"), "setpriv (util-linux) is needed to drop root"
    return subprocess.run([*drop, *env, "bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_nothing_is_missing_after_set_up_and_detection_needs_no_root() -> None:
    for _ in range(20):  # the old detection raced under pipefail; this one must agree every time
        done = as_ordinary_user("--list")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_missing_package_is_named() -> None:
    done = as_ordinary_user("--list", "--build", python="/no/such/python3")
    assert done.returncode == 0 and done.stdout.split() == ["python3", "python3-venv"]
