#!/usr/bin/env python3
"""Writes the hostile-input files of issue 11 (items 8 and 9) to a directory.

    python3 tests/hostile/gen_large.py OUT_DIR [--flat N] [--chain N] [--exceptions N]

OUT_DIR/flat/package-lock.json       package-lock v3, N packages (default 1,000,000), no edges
OUT_DIR/chain/package-lock.json      root -> p0 -> p1 -> ... -> p(N-1) (default 200,000)
OUT_DIR/cycle/package-lock.json      the chain with p(N-1) -> p0
OUT_DIR/exceptions/deptrust.toml     N [[exceptions]] (default 100,000), unreachable = "warn",
                                     with a package-lock naming the first 1,000 excepted packages

`benches/large.rs` writes the same files in Rust; this script is for running the CLI by hand:

    deptrust graph OUT_DIR/flat/package-lock.json --format json --max-file-size 4000000000 >/dev/null

(the flat lockfile is 231 MB, above the default 128 MiB cap on input size).
Standard library only; nothing here reaches the network.
"""

import argparse
import json
import os


def package(name, dependencies=None):
    entry = {
        "version": "1.0.0",
        "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
        "integrity": "sha512-" + "A" * 86 + "==",
    }
    if dependencies:
        entry["dependencies"] = {dep: "1.0.0" for dep in dependencies}
    return entry


def write_lock(path, count, edges, cycle=False):
    """A package-lock v3 of `count` packages p0..; with `edges` the root depends on p0 and each
    pi on p(i+1) (and the last on p0 when `cycle`)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{\n  "name": "app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n')
        out.write('  "requires": true,\n  "packages": {\n')
        root = {"name": "app", "version": "1.0.0"}
        if edges and count:
            root["dependencies"] = {"p0": "1.0.0"}
        out.write('    "": ' + json.dumps(root))
        for i in range(count):
            deps = None
            if edges:
                if i + 1 < count:
                    deps = [f"p{i + 1}"]
                elif cycle:
                    deps = ["p0"]
            out.write(f',\n    "node_modules/p{i}": ' + json.dumps(package(f"p{i}", deps)))
        out.write("\n  }\n}\n")


def write_exceptions(directory, count, rules=("single-owner", "too-new", "*")):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "deptrust.toml"), "w", encoding="utf-8") as out:
        out.write('version = 1\nunreachable = "warn"\n')
        for i in range(count):
            rule = rules[i % len(rules)]
            version = "@1.0.0" if i % 2 else ""
            out.write(
                f'\n[[exceptions]]\npackage = "npm:p{i}{version}"\nrule = "{rule}"\n'
                f'reason = "hostile input {i}"\nexpires = 2099-12-31\n'
            )
    write_lock(os.path.join(directory, "package-lock.json"), min(count, 1000), edges=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--flat", type=int, default=1_000_000)
    parser.add_argument("--chain", type=int, default=200_000)
    parser.add_argument("--exceptions", type=int, default=100_000)
    args = parser.parse_args()
    write_lock(os.path.join(args.out, "flat", "package-lock.json"), args.flat, edges=False)
    write_lock(os.path.join(args.out, "chain", "package-lock.json"), args.chain, edges=True)
    write_lock(
        os.path.join(args.out, "cycle", "package-lock.json"), args.chain, edges=True, cycle=True
    )
    write_exceptions(os.path.join(args.out, "exceptions"), args.exceptions)


if __name__ == "__main__":
    main()
