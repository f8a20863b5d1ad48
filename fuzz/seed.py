#!/usr/bin/env python3
"""Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the repository's fixtures.

Lockfile targets get every fixture of their format; registry targets get the recorded samples,
each prefixed with the byte that picks its document in `deptrust::fuzz` (npm: 0 packument,
1 keys, 2 attestations; PyPI: 0 project JSON, 1 Simple page, 2 provenance; crates.io: 0 index
file, 1 API crate document, 2 owners); the crates dump target gets the fixture dump joined with
0xFF bytes. Run from anywhere: python3 fuzz/seed.py
"""
import hashlib
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SAMPLES = ROOT / "fixtures" / "samples"
REGISTRY = ROOT / "fixtures" / "registry"

LOCKFILES = {
    "lockfile_cargo": lambda n: n == "Cargo.lock",
    "lockfile_package_lock": lambda n: n in ("package-lock.json", "npm-shrinkwrap.json"),
    "lockfile_yarn": lambda n: n == "yarn.lock",
    "lockfile_pnpm": lambda n: n == "pnpm-lock.yaml",
    "lockfile_uv": lambda n: n == "uv.lock",
    "lockfile_poetry": lambda n: n == "poetry.lock",
    "lockfile_pipfile": lambda n: n == "Pipfile.lock",
    "lockfile_pdm": lambda n: n == "pdm.lock",
    "lockfile_requirements": lambda n: n.endswith(".txt") and "requirements" in n or n in ("base.txt", "constraints.txt", "tools.txt"),
    "config": lambda n: n == "deptrust.toml",
}


def put(target, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for path in tracked:
        name = path.rsplit("/", 1)[-1]
        for target, wanted in LOCKFILES.items():
            if wanted(name) and (ROOT / path).stat().st_size < 2_000_000:
                put(target, (ROOT / path).read_bytes())
    picks = {
        "registry_npm": [(0, SAMPLES.glob("npm-packument*.json")), (0, SAMPLES.glob("npm-version*.json")),
                         (0, (REGISTRY / "npm").glob("*.json")), (1, SAMPLES.glob("npm-keys.json")),
                         (2, SAMPLES.glob("npm-attestations*.json"))],
        "registry_pypi": [(0, SAMPLES.glob("pypi-project.json")), (0, (REGISTRY / "pypi").glob("hostile-yanked-number.json")),
                          (1, SAMPLES.glob("pypi-simple.json")), (1, (REGISTRY / "pypi").glob("*simple.json")),
                          (2, SAMPLES.glob("pypi-provenance*.json"))],
        "registry_crates_io": [(0, SAMPLES.glob("crates-index*")), (0, (REGISTRY / "crates").glob("*.index")),
                               (1, SAMPLES.glob("crates-crate.json")), (1, SAMPLES.glob("crates-version*.json")),
                               (2, SAMPLES.glob("crates-owners.json"))],
        "registry_github": [(0, SAMPLES.glob("github-repo*.json")), (1, (REGISTRY / "github").glob("*.json"))],
        "sigstore": [(None, SAMPLES.glob("npm-attestations*.json")), (None, SAMPLES.glob("pypi-provenance*.json")),
                     (None, SAMPLES.glob("sigstore-bundle.json"))],
    }
    for target, groups in picks.items():
        for pick, paths in groups:
            for path in paths:
                data = path.read_bytes()
                put(target, data if pick is None else bytes([pick]) + data)
    for dump in (REGISTRY / "crates-dump").glob("*/"):
        parts = [dump / "data" / f for f in ("crates.csv", "versions.csv", "crate_owners.csv", "users.csv", "teams.csv")]
        parts.append(dump / "metadata.json")
        put("crates_dump", b"\xff".join(p.read_bytes() if p.exists() else b"" for p in parts))
    # deptrust.toml: the examples of the README and docs/.
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in doc.read_text().split("```toml")[1:]:
            put("config", block.split("```", 1)[0].encode())
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
