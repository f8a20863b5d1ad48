#!/usr/bin/env python3
"""Copies what the fuzzer found into fuzz/regressions/<target>/, replayed on stable Rust by
tests/it/fuzz_regressions.rs:

- every crash, timeout and out-of-memory input in fuzz/artifacts/<target>/ (each was a bug;
  its fix must keep it passing);
- a sample of the inputs the fuzzer kept for new coverage (fuzz/corpus/<target>/): up to 24
  per target of at most 4 KiB, spread over the sizes, chosen deterministically (by size, then
  content hash), so the stable suite walks the same odd corners the fuzzer reached.

    python3 fuzz/keep_regressions.py [CORPUS_ROOT]   # default: fuzz/ beside this script
"""
import hashlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE = 24
MAX_BYTES = 4096


def main():
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    out = HERE / "regressions"
    for target in sorted(p.stem for p in (HERE / "fuzz_targets").glob("*.rs")):
        kept = []
        artifacts = source / "artifacts" / target
        if artifacts.is_dir():
            kept += [(p.read_bytes(), "crash-") for p in sorted(artifacts.iterdir()) if p.is_file()]
        corpus = source / "corpus" / target
        if corpus.is_dir():
            inputs = sorted(
                (p.read_bytes() for p in corpus.iterdir() if p.is_file() and p.stat().st_size <= MAX_BYTES),
                key=lambda data: (len(data), hashlib.sha1(data).hexdigest()),
            )
            if inputs:
                step = max(1, len(inputs) // SAMPLE)
                kept += [(data, "corpus-") for data in inputs[::step][:SAMPLE]]
        if not kept:
            continue
        directory = out / target
        directory.mkdir(parents=True, exist_ok=True)
        # The coverage sample is replaced; crashers (and minimal versions made by hand) stay.
        for old in directory.glob("corpus-*"):
            old.unlink()
        for data, prefix in kept:
            (directory / (prefix + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)
        print(f"{target}: {len(kept)} inputs")


if __name__ == "__main__":
    main()
