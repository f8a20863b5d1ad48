use super::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/registry/crates-dump/2024-05-01-020012"
);

fn wanted(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn load(names: &[&str]) -> CratesDbDump {
    CratesDbDump::load(Path::new(FIXTURE), &wanted(names)).expect("the fixture dump loads")
}

fn time(text: &str) -> Option<Timestamp> {
    Some(text.parse().expect("a timestamp"))
}

fn identity(id: &str, display: &str, kind: IdentityKind) -> Identity {
    Identity {
        id: id.to_string(),
        display: display.to_string(),
        kind,
    }
}

fn owner(id: &str, display: &str, kind: IdentityKind) -> Owner {
    Owner {
        identity: identity(id, display, kind),
        role: None,
    }
}

/// A copy of the fixture in a temporary directory, to damage.
fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("create data/");
    std::fs::copy(
        Path::new(FIXTURE).join("metadata.json"),
        dir.path().join("metadata.json"),
    )
    .expect("copy metadata.json");
    for entry in std::fs::read_dir(Path::new(FIXTURE).join("data")).expect("list data/") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), data.join(entry.file_name())).expect("copy a table");
    }
    dir
}

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn reads_versions_owners_and_repository() {
    let dump = load(&["alpha-core", "Beta_Utils", "delta"]);
    let alpha = dump.crate_facts("alpha-core").expect("alpha-core");
    assert_eq!(
        alpha.repository.as_deref(),
        Some("https://github.com/example/alpha")
    );
    assert_eq!(
        alpha.owners,
        vec![
            owner("crates:user:1", "alice", IdentityKind::User),
            owner("crates:user:2", "bob", IdentityKind::User),
        ]
    );
    let alice = identity("crates:user:1", "alice", IdentityKind::User);
    assert_eq!(
        alpha.versions.get("0.1.0"),
        Some(&DumpVersion {
            published: time("2015-01-28T22:55:43.062952Z"),
            publisher: Some(alice.clone()),
            yanked: false,
            checksum: Some(A.to_string()),
        })
    );
    assert_eq!(
        alpha.versions.get("0.2.0"),
        Some(&DumpVersion {
            published: time("2015-03-01T10:00:00Z"),
            publisher: Some(identity("crates:user:2", "bob", IdentityKind::User)),
            yanked: true,
            checksum: Some(format!("{}{}", "b".repeat(32), "0".repeat(32))),
        })
    );
    // The bad timestamp drops the time only.
    assert_eq!(
        alpha.versions.get("0.3.0"),
        Some(&DumpVersion {
            published: None,
            publisher: Some(alice),
            yanked: false,
            checksum: Some("c".repeat(64)),
        })
    );
    assert_eq!(alpha.versions.len(), 3);
}

#[test]
fn team_owner_null_publisher_and_unknown_user() {
    let dump = load(&["beta_utils"]);
    let beta = dump.crate_facts("Beta_Utils").expect("Beta_Utils");
    assert_eq!(beta.repository, None);
    assert_eq!(
        beta.owners,
        vec![
            owner(
                "crates:team:7",
                "github:example:maintainers",
                IdentityKind::Team
            ),
            owner("crates:user:3", "carol", IdentityKind::User),
        ]
    );
    assert_eq!(
        beta.versions.get("1.0.0"),
        Some(&DumpVersion {
            published: time("2020-06-01T12:00:00.5Z"),
            publisher: None,
            yanked: false,
            checksum: None,
        })
    );
    // User 99 is not in users.csv: the stable id stays, shown as the number.
    let publisher = beta
        .versions
        .get("1.1.0")
        .and_then(|version| version.publisher.clone());
    assert_eq!(
        publisher,
        Some(identity("crates:user:99", "99", IdentityKind::User))
    );
}

#[test]
fn names_match_case_insensitively_but_dash_and_underscore_differ() {
    let dump = load(&["ALPHA-CORE", "alpha_core", "beta-utils", "no-such-crate"]);
    assert!(dump.crate_facts("alpha-core").is_some());
    assert!(dump.crate_facts("Alpha-Core").is_some());
    assert!(dump.crate_facts("alpha_core").is_none());
    assert!(dump.crate_facts("Beta_Utils").is_none());
    assert!(dump.crate_facts("beta-utils").is_none());
    assert!(dump.crate_facts("no-such-crate").is_none());
    // Not wanted, though in the dump.
    assert!(dump.crate_facts("gamma").is_none());
}

#[test]
fn malformed_rows_are_skipped_and_counted() {
    let dump = load(&["alpha-core", "Beta_Utils", "delta"]);
    let delta = dump.crate_facts("delta").expect("delta");
    assert_eq!(
        delta.repository.as_deref(),
        Some("https://gitlab.com/example/delta")
    );
    // 0.0.1 has `yanked` = `maybe`, 0.0.2 too few fields.
    assert_eq!(delta.versions.keys().collect::<Vec<_>>(), vec!["0.0.3"]);
    // The owner row of kind 2 is skipped; the user row stays.
    assert_eq!(
        delta.owners,
        vec![owner("crates:user:1", "alice", IdentityKind::User)]
    );
    assert_eq!(dump.skipped_rows(), 3);
    assert_eq!(dump.skipped_fields(), 1);
    let problems: Vec<String> = dump.problems().iter().map(ToString::to_string).collect();
    let versions = Path::new(FIXTURE).join("data/versions.csv");
    let owners = Path::new(FIXTURE).join("data/crate_owners.csv");
    assert_eq!(
        problems,
        vec![
            format!(
                "`{}` line 4: `created_at` is not a timestamp: \"yesterday\"; field ignored",
                versions.display()
            ),
            format!(
                "`{}` line 8: `yanked` is not a boolean (`t`/`f`): \"maybe\"; row skipped",
                versions.display()
            ),
            format!(
                "`{}` line 9: the record does not decode; skipped",
                versions.display()
            ),
            format!(
                "`{}` line 7: `owner_kind` is not 0 (user) or 1 (team): \"2\"; row skipped",
                owners.display()
            ),
        ]
    );
}

#[test]
fn rows_of_unwanted_crates_are_not_parsed() {
    // gamma's bad timestamp is not counted; delta's rows are not looked at.
    let dump = load(&["alpha-core"]);
    assert_eq!(dump.skipped_fields(), 1);
    // Only the record that does not decode at all is counted.
    assert_eq!(dump.skipped_rows(), 1);
}

#[test]
fn accepts_the_data_directory_and_reads_the_date() {
    let from_root = load(&["alpha-core"]);
    let from_data = CratesDbDump::load(&Path::new(FIXTURE).join("data"), &wanted(&["alpha-core"]))
        .expect("the data directory loads");
    assert_eq!(
        from_root.date().as_deref(),
        Some("2024-05-01T02:00:12.345678Z")
    );
    assert_eq!(from_data.date(), from_root.date());
    assert_eq!(from_data.path(), from_root.path());
    assert_eq!(
        from_data.crate_facts("alpha-core"),
        from_root.crate_facts("alpha-core")
    );
}

#[test]
fn nothing_wanted_still_checks_every_table() {
    let dump = load(&[]);
    assert!(dump.crate_facts("alpha-core").is_none());
    assert_eq!(dump.skipped_rows(), 0);

    let dir = copy_fixture();
    std::fs::remove_file(dir.path().join("data/teams.csv")).expect("remove teams.csv");
    let error = CratesDbDump::load(dir.path(), &wanted(&[])).expect_err("no teams.csv");
    assert!(matches!(error, DumpError::MissingFile { .. }), "{error:?}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = copy_fixture();
    let path = dir.path().join("data/crate_owners.csv");
    std::fs::remove_file(&path).expect("remove crate_owners.csv");
    let error = CratesDbDump::load(dir.path(), &wanted(&["alpha-core"])).expect_err("no owners");
    assert_eq!(
        error.to_string(),
        format!("the crates.io database dump has no `{}`", path.display())
    );
}

#[test]
fn a_missing_column_is_an_error_naming_it() {
    let dir = copy_fixture();
    let path = dir.path().join("data/users.csv");
    std::fs::write(&path, "gh_avatar,gh_id,id,name\nx,1,1,Alice\n").expect("write users.csv");
    let error = CratesDbDump::load(dir.path(), &wanted(&["alpha-core"])).expect_err("no gh_login");
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` has no `gh_login` column (its columns: gh_avatar, gh_id, id, name)",
            path.display()
        )
    );
}

#[test]
fn an_empty_file_lacks_its_columns() {
    let dir = copy_fixture();
    std::fs::write(dir.path().join("data/versions.csv"), "").expect("empty versions.csv");
    let error =
        CratesDbDump::load(dir.path(), &wanted(&["alpha-core"])).expect_err("no header row");
    assert!(
        matches!(
            error,
            DumpError::MissingColumn {
                column: "crate_id",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn not_a_dump_and_bad_metadata() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let error = CratesDbDump::load(dir.path(), &wanted(&[])).expect_err("empty directory");
    assert!(matches!(error, DumpError::NotADump { .. }), "{error:?}");

    let dir = copy_fixture();
    std::fs::write(dir.path().join("metadata.json"), "{").expect("write metadata.json");
    let error = CratesDbDump::load(dir.path(), &wanted(&[])).expect_err("bad metadata");
    assert!(matches!(error, DumpError::Metadata { .. }), "{error:?}");

    std::fs::remove_file(dir.path().join("metadata.json")).expect("remove metadata.json");
    let dump = CratesDbDump::load(dir.path(), &wanted(&[])).expect("no metadata is fine");
    assert_eq!(dump.date(), None);
}

#[test]
fn timestamps_parse_leniently() {
    let cases = [
        (
            "2015-01-28 22:55:43.062952+00",
            "2015-01-28T22:55:43.062952Z",
        ),
        ("2015-01-28 22:55:43+00", "2015-01-28T22:55:43Z"),
        ("2015-01-28 22:55:43.062952", "2015-01-28T22:55:43.062952Z"),
        ("2015-01-28 23:55:43+01", "2015-01-28T22:55:43Z"),
        ("2015-01-28 20:25:43-02:30", "2015-01-28T22:55:43Z"),
        ("2015-01-28T22:55:43Z", "2015-01-28T22:55:43Z"),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_timestamp(text), time(expected), "{text}");
    }
    for text in ["yesterday", "2015-13-01 00:00:00", "22:55:43+00", ""] {
        assert_eq!(parse_timestamp(text), None, "{text}");
    }
}

#[test]
fn quoted_fields_span_lines() {
    // alpha-core's readme spans four lines; the rows after it still have the right lines.
    let dir = copy_fixture();
    let path = dir.path().join("data/crates.csv");
    let mut text = std::fs::read_to_string(&path).expect("read crates.csv");
    text.push_str("2024-01-01 00:00:00,x,,,oops,,,epsilon,,,2024-01-01 00:00:00\n");
    std::fs::write(&path, text).expect("write crates.csv");
    let dump = CratesDbDump::load(dir.path(), &wanted(&["epsilon"])).expect("loads");
    assert!(dump.crate_facts("epsilon").is_none());
    // Only crates.csv is scanned: no wanted crate was found, so the short record in
    // versions.csv is never reached.
    assert_eq!(dump.skipped_rows(), 1, "{:?}", dump.problems());
    assert_eq!(
        dump.problems().first().map(ToString::to_string),
        Some(format!(
            "`{}` line 9: `id` is not a crate id: \"oops\"; row skipped",
            path.display()
        ))
    );
}
