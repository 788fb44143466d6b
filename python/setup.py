"""The wheel holds the cvat-ds binary (installed into the environment's bin folder, so onto PATH) next to the pure
Python package, so it is a platform wheel: py3-none-<platform>, one wheel for every Python 3 on that platform.

Metadata is in pyproject.toml; `make wheel` builds the release binary and sets CVAT_DS_BINARY to it. Without
CVAT_DS_BINARY the wheel is the package alone (pure), for a machine that has cvat-ds installed another way."""

import os

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel

binary = os.environ.get("CVAT_DS_BINARY")


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = binary is None

    def get_tag(self):
        python, abi, platform = super().get_tag()
        return ("py3", "none", platform) if binary else (python, abi, platform)


# A data file under "bin" rather than a script: setuptools reads scripts as Python source to rewrite their #! line,
# which a binary is not; pip installs the data "bin" folder into the environment's bin (its scripts folder) and
# keeps the executable bit the wheel records.
setup(cmdclass={"bdist_wheel": PlatformWheel}, data_files=[("bin", [binary])] if binary else [])
