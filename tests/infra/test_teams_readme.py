"""infra/teams/README.md names the variables Tandem reads, and its commands run."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.infra.manifests import INFRA, settings_env_names

README = INFRA / "teams" / "README.md"
APP_ID = "11111111-2222-4333-8444-555555555555"


def test_every_variable_it_names_is_one_tandem_reads():
    named = set(re.findall(r"`((?:TANDEM|MICROSOFT|SLACK)_[A-Z0-9_]+)`", README.read_text()))
    assert {"MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"} <= named
    assert named - settings_env_names() == set()


def test_its_shell_commands_run_as_written(tmp_path):
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for block in blocks:
        done = subprocess.run(["bash", "-euc", block], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60,
                              env={**os.environ, "PATH": path, "MICROSOFT_APP_ID": APP_ID})
        assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "tandem-teams.zip") as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == APP_ID
