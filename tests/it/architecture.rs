//! The module map: which top-level modules of `src/` use which (from `crate::…` paths outside
//! comments and test modules), and the cycles among them. The layers are meant to run one way,
//! `lockfile` → `graph` → `registry` → `signals` → `policy` → `scan` → `report` (docs/layout.md);
//! a cycle means two modules can no longer change apart. `KNOWN_CYCLES` lists the ones left
//! (issue 16 removes them); a new cycle fails this test, and so does a listed one that is gone
//! (so the list only shrinks). `cargo test --test it architecture -- --nocapture` prints the map.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Cycles allowed, each as its sorted member list: none since issue 16 removed the last four
/// (app⇄report, config⇄policy, history⇄scan, registry⇄verify⇄version_order).
const KNOWN_CYCLES: &[&[&str]] = &[];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The identifiers a line names right after `crate::` (`crate::a`, `crate::{a, b::c}`).
fn crate_paths(line: &str) -> Vec<String> {
    let ident = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push(ident(group[start..i].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident(group[start..i].trim()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(after));
        }
        rest = after;
    }
    found.retain(|name| !name.is_empty());
    found
}

struct Map {
    lines: BTreeMap<String, usize>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

fn module_map() -> Map {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut lines = BTreeMap::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let top = Path::new(first)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if top == "main" || top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        *lines.entry(top.clone()).or_insert(0) += text.lines().count();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("#[cfg(test)]") {
                break; // test modules sit at the end of a file
            }
            if trimmed.starts_with("//") {
                continue;
            }
            for used in crate_paths(line) {
                if used != top {
                    edges.entry(top.clone()).or_default().insert(used);
                }
            }
        }
    }
    Map { lines, edges }
}

/// Strongly connected components of more than one module (Tarjan's algorithm, iterative enough
/// for a few dozen nodes).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        if let Some(targets) = state.edges.get(node) {
            for target in targets {
                let target = target.as_str();
                if !state.index.contains_key(target) {
                    visit(state, target);
                    let low = state.low[node].min(state.low[target]);
                    state.low.insert(node, low);
                } else if state.on_stack.contains(target) {
                    let low = state.low[node].min(state.index[target]);
                    state.low.insert(node, low);
                }
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.to_string());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

#[test]
#[expect(
    clippy::print_stdout,
    reason = "the map is for the person running the test"
)]
fn no_new_import_cycles_between_top_level_modules() {
    let map = module_map();
    println!("module map (lines; uses):");
    for (module, lines) in &map.lines {
        let uses: Vec<&str> = map
            .edges
            .get(module)
            .map(|set| set.iter().map(String::as_str).collect())
            .unwrap_or_default();
        println!("  {module:<14} {lines:>6}  -> {}", uses.join(", "));
    }
    let found = cycles(&map.edges);
    println!("cycles: {found:?}");
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|cycle| cycle.iter().map(|s| s.to_string()).collect())
        .collect();
    for cycle in &found {
        assert!(
            known.contains(cycle),
            "a new import cycle between top-level modules: {cycle:?} (see docs/layout.md)"
        );
    }
    for cycle in &known {
        assert!(
            found.contains(cycle),
            "the cycle {cycle:?} is gone: remove it from KNOWN_CYCLES"
        );
    }
}

#[test]
fn crate_paths_are_read_from_use_lines_and_paths() {
    assert_eq!(crate_paths("use crate::scan::ScanReport;"), ["scan"]);
    assert_eq!(
        crate_paths("use crate::{graph::X, registry::{a, b}, rules};"),
        ["graph", "registry", "rules"]
    );
    assert_eq!(
        crate_paths("let x = crate::score::exposure(&y) + crate::rules::catalog();"),
        ["score", "rules"]
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert(
        "c".to_string(),
        BTreeSet::from(["a".to_string(), "d".to_string()]),
    );
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
}
