//! Replays what the fuzzer found: every file under `fuzz/regressions/<target>/` goes through the
//! entry point of its target (`deptrust::fuzz`), on stable Rust, in `cargo test`. Each was a
//! crash, hang or blow-up once (see `fuzz/README.md`); it must now return.

use std::path::Path;

/// What a fuzz target calls with the fuzzer's bytes.
type Entry = Box<dyn Fn(&[u8])>;

/// The fuzz target named `target`, as `fuzz/fuzz_targets/<target>.rs` calls it.
fn entry(target: &str) -> Option<Entry> {
    let lockfile = |name: &'static str| -> Entry {
        Box::new(move |data| deptrust::fuzz::lockfile(name, data))
    };
    Some(match target {
        "lockfile_cargo" => lockfile("Cargo.lock"),
        "lockfile_package_lock" => lockfile("package-lock.json"),
        "lockfile_yarn" => lockfile("yarn.lock"),
        "lockfile_pnpm" => lockfile("pnpm-lock.yaml"),
        "lockfile_uv" => lockfile("uv.lock"),
        "lockfile_poetry" => lockfile("poetry.lock"),
        "lockfile_pipfile" => lockfile("Pipfile.lock"),
        "lockfile_pdm" => lockfile("pdm.lock"),
        "lockfile_requirements" => lockfile("requirements.txt"),
        "config" => Box::new(deptrust::fuzz::config),
        "registry_npm" => Box::new(deptrust::fuzz::npm),
        "registry_pypi" => Box::new(deptrust::fuzz::pypi),
        "registry_crates_io" => Box::new(deptrust::fuzz::crates_io),
        "registry_github" => Box::new(deptrust::fuzz::github),
        "crates_dump" => Box::new(deptrust::fuzz::crates_dump),
        "sigstore" => Box::new(deptrust::fuzz::sigstore),
        _ => return None,
    })
}

fn fuzz_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz"))
}

#[test]
fn every_fuzz_target_can_be_replayed() {
    let targets = fs_err::read_dir(fuzz_dir().join("fuzz_targets")).expect("fuzz/fuzz_targets");
    let mut names = Vec::new();
    for target in targets {
        let path = target.expect("fuzz target entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("target name");
        assert!(
            entry(name).is_some(),
            "fuzz target {name} has no replay entry here"
        );
        let source = fs_err::read_to_string(&path).expect("fuzz target source");
        assert!(
            source.contains("deptrust::fuzz::"),
            "{name} calls no deptrust::fuzz entry"
        );
        names.push(name.to_string());
    }
    assert_eq!(names.len(), 16, "targets: {names:?}");
}

#[test]
fn regressions_found_by_the_fuzzer_return() {
    let root = fuzz_dir().join("regressions");
    let mut replayed = 0;
    for target in fs_err::read_dir(&root).expect("fuzz/regressions") {
        let target = target.expect("regressions entry").path();
        if !target.is_dir() {
            continue;
        }
        let name = target
            .file_name()
            .and_then(|s| s.to_str())
            .expect("target name");
        let run =
            entry(name).unwrap_or_else(|| panic!("{} names no fuzz target", target.display()));
        for case in fs_err::read_dir(&target).expect("regression cases") {
            let case = case.expect("regression case").path();
            let data = fs_err::read(&case).expect("regression input");
            run(&data);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression input under {}", root.display());
}
