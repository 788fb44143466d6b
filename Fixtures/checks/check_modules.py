#!/usr/bin/env python3
"""Check that Package.swift says exactly what the code imports, and that no module imports one above it.

    check_modules.py            (from the package root; `make lint` runs it)

1. Every Swift target's declared dependencies (other targets and products) are the modules its sources import,
   no more and no fewer. C targets are checked the same way through their `#include`s of other targets' headers.
2. The layers of docs/architecture.md: each library module has a rank (LAYERS below); a module may import only
   modules of a lower rank. Test, fuzz and executable targets may import anything below them.

Exits 1 listing every disagreement.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top; a module imports only modules on earlier lines. Keep in step with docs/architecture.md.
LAYERS = [
    ["CCurl", "CTurboJPEG", "CPNG", "CSystemZlib", "CCrypto", "CCvatResample", "CSystemShims", "ZIPFoundation"],
    ["CCurlShims", "CPNGShims", "CvatErrors", "CvatJSON"],
    ["CvatSystem"],
    ["CvatHTTP", "CvatArchive", "CvatImage", "CvatGeometry", "CvatTensors"],
    ["CvatAPI", "CvatCodecs"],
    ["CvatCache", "CvatTargets"],
    ["CvatExport", "CvatPreview", "ArgumentParser"],
    ["CvatDSCommands"],
]
# Modules of the toolchain and the platform, never declared.
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch",
          "Synchronization", "XCTest", "Testing", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@_exported\s+|@testable\s+)?(?:public\s+|package\s+|internal\s+|private\s+|fileprivate\s+)?"
                    r"import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


def target_folder(target):
    if target.get("path"):
        return ROOT / target["path"]
    base = "Tests" if target["type"] == "test" else "Sources"
    return ROOT / base / target["name"]


def imports_of(folder):
    found = set()
    for path in folder.rglob("*.swift"):
        # Python and shell scripts inside multi-line string literals are not imports.
        text = re.sub(r'"""(?:.|\n)*?"""', "", path.read_text())
        # Imports inside `#if canImport(X)` ... are still imports of X when X exists; count them all.
        found.update(IMPORT.findall(text))
    return found


def main():
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True,
                                        text=True, check=True).stdout)
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    targets = {t["name"]: t for t in package["targets"]}
    problems = []
    for name, target in sorted(targets.items()):
        declared = set()
        for dep in target["dependencies"]:
            kind, value = next(iter(dep.items()))
            declared.add(value[0])
        if target["type"] == "system":
            continue
        folder = target_folder(target)
        if not any(folder.rglob("*.swift")):
            continue  # a C target: its includes are checked by the compiler
        imported = imports_of(folder) - SYSTEM - {name}
        for module in sorted(imported - declared):
            problems.append(f"{name} imports {module} but Package.swift does not declare it")
        for module in sorted(declared - imported):
            problems.append(f"{name} declares {module} but nothing in {folder.relative_to(ROOT)} imports it")
        if target["type"] == "regular" and name in rank:
            for module in sorted(imported):
                if module in rank and rank[module] >= rank[name]:
                    problems.append(f"{name} (layer {rank[name]}) imports {module} (layer {rank[module]}): "
                                    "a module imports only modules below it (docs/architecture.md)")
        elif target["type"] == "regular" and not name.startswith("Fuzz") and name != "CvatTestSupport":
            problems.append(f"{name} has no layer in Fixtures/checks/check_modules.py (and docs/architecture.md)")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"modules: {len(targets)} targets, dependencies and layers agree with the imports")


if __name__ == "__main__":
    main()
