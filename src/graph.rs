//! The dependency graph of one project and its per-package metrics. This is the only module that
//! builds a petgraph.
//!
//! Per package:
//! - `direct`: a root depends on it (any edge kind); roots themselves are not direct.
//! - `dev`: it is reachable from the roots, but only through at least one dev edge; a package
//!   no root reaches takes the lockfile's own dev flag when the format records one (Pipfile.lock),
//!   else it is not dev.
//! - `depth`: the fewest edges from any root (roots are 0); `None` when no root reaches it.
//! - `dependents`: how many packages (roots included) depend on it, directly or transitively.
//! - `reached_by`: the roots from which it is reachable.
//! - `blast_radius` in (0, 1]: how much of the project is exposed through the package
//!   (`docs/scoring.md`, "Scoring"):
//!
//!   ```text
//!   centrality   = min(1, ln(1 + d) / ln(1 + min(P/2, 100)))   d: packages (not roots) depending on it
//!   centrality   = max(centrality, ½) for a direct dependency, ½ when no root reaches it
//!   roots        = ½ + ½ · roots_reaching / R             1 when no root reaches it
//!   blast_radius = weight × roots × (0.2 + 0.8 · centrality)
//!   ```
//!   with P the number of packages that are not roots, R the number of roots, and weight 1, or ½
//!   for a dev-only package (it reaches developer machines and CI, where tokens live, but not what
//!   the project ships). A package a hundred packages depend on (half the tree, in a tree of
//!   fewer than 200) has centrality 1; a leaf one package pulls in has little (ln 2 / ln 101 in a
//!   large tree); a package the project imports itself counts at least half. It is fair to size:
//!   above 200 packages a package's centrality depends only on how many packages depend on it,
//!   and adding packages that do not depend on it never raises it. A package no
//!   root reaches sits in a lockfile that records no edges to it (Pipfile.lock records only the
//!   Pipfile's own edges): its structure is unknown, so it counts as a direct dependency of every
//!   root, never as zero. Roots themselves have blast radius 0.
//!
//! - `build_time` (on the package, [`LockedPackage::build_time`]): it runs its own code when
//!   the project is built (a Cargo build script or proc macro, known in Cargo's exact mode). It
//!   is said in the reports, and changes neither the blast radius nor any score.
//!
//! Dependents are counted on the condensation of the graph (strongly connected components, as
//! npm graphs have cycles) with bitsets, in chunks of bounded memory: O(E · S / 64) word
//! operations, where S counts only the packages that reach another one, and only components
//! such a package reaches get bits. Well under a second for 20,000 packages, about five seconds
//! for a chain of 200,000; a flat lockfile of a million packages that depend on nothing costs
//! no propagation at all.

use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{DepKind, Edge, LockedPackage, Lockfile, PackageId};

/// One package in the graph with its metrics.
#[derive(Debug, Clone)]
pub struct Node {
    /// The package as the lockfile records it.
    pub package: LockedPackage,
    /// The project or a workspace member.
    pub root: bool,
    /// A root depends on it.
    pub direct: bool,
    /// Reachable from the roots only through dev edges.
    pub dev: bool,
    /// Fewest edges from a root; `None` when unreachable.
    pub depth: Option<u32>,
    /// Packages that depend on it, directly or transitively.
    pub dependents: u32,
    /// Indexes (into [`DepGraph::roots`]) of the roots that reach it.
    pub reached_by: Vec<u32>,
    /// How much of the project is exposed through it, in [0, 1].
    pub blast_radius: f64,
}

/// The graph of one lockfile with metrics computed.
#[derive(Debug)]
pub struct DepGraph {
    /// The lockfile it was built from (format, edges, warnings); its packages moved into
    /// [`DepGraph::nodes`], so `lockfile.packages` is empty.
    pub lockfile: Lockfile,
    /// The petgraph: node weights index [`DepGraph::nodes`], edge weights are kinds.
    pub graph: DiGraph<usize, DepKind>,
    /// Nodes in id order.
    pub nodes: Vec<Node>,
    /// Node indexes of the roots, in id order.
    pub roots: Vec<usize>,
}

impl Node {
    /// Whether the package runs its own code when the project is built (see
    /// [`LockedPackage::build_time`]).
    pub fn runs_at_build_time(&self) -> bool {
        self.package.build_time.any()
    }
}

impl DepGraph {
    /// The node of an id.
    pub fn node(&self, id: &PackageId) -> Option<&Node> {
        self.nodes
            .binary_search_by(|node| node.package.id.cmp(id))
            .ok()
            .map(|index| &self.nodes[index])
    }

    /// The edges, sorted by (from, to).
    pub fn edges(&self) -> &[Edge] {
        &self.lockfile.edges
    }

    /// The outgoing edges of a node, sorted by target id.
    pub fn children(&self, index: usize) -> Vec<(usize, DepKind)> {
        let mut children: Vec<(usize, DepKind)> = self
            .graph
            .edges(NodeIndex::new(index))
            .map(|edge| (edge.target().index(), *edge.weight()))
            .collect();
        children.sort_unstable();
        children
    }
}

/// Builds the graph of a lockfile and computes every metric.
pub fn build(mut lockfile: Lockfile) -> DepGraph {
    let count = lockfile.packages.len();
    let index: HashMap<&PackageId, usize> = lockfile
        .packages
        .iter()
        .enumerate()
        .map(|(i, package)| (&package.id, i))
        .collect();
    let mut graph: DiGraph<usize, DepKind> = DiGraph::with_capacity(count, lockfile.edges.len());
    for i in 0..count {
        graph.add_node(i);
    }
    for edge in &lockfile.edges {
        // The builder closes the graph, so both ends exist; a hand-made Lockfile that is not
        // closed loses the dangling edge rather than panicking.
        if let (Some(&from), Some(&to)) = (index.get(&edge.from), index.get(&edge.to)) {
            graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), edge.kind);
        }
    }
    let roots: Vec<usize> = lockfile
        .roots
        .iter()
        .filter_map(|id| index.get(id).copied())
        .collect();
    drop(index);

    let depth = depths(&graph, &roots);
    let prod = reachable(&graph, &roots, |kind| kind != DepKind::Dev);
    let condensation = condense(&graph);
    let dependents = ancestors_in(&condensation, &(0..count).collect::<Vec<_>>(), CHUNK_BYTES);
    let mut reached_by = roots_reaching(&condensation, &roots);
    drop(condensation);
    let is_root: BTreeSet<usize> = roots.iter().copied().collect();
    let mut direct = vec![false; count];
    for &root in &roots {
        for edge in graph.edges(NodeIndex::new(root)) {
            direct[edge.target().index()] = true;
        }
    }

    // The packages move into the nodes (held once: a lockfile may list a million).
    let nodes: Vec<Node> = std::mem::take(&mut lockfile.packages)
        .into_iter()
        .enumerate()
        .map(|(i, package)| {
            let root = is_root.contains(&i);
            let dev = match depth[i] {
                Some(_) => !prod[i],
                None => package.dev_hint.unwrap_or(false),
            };
            let mut node = Node {
                package,
                root,
                direct: direct[i] && !root,
                dev,
                depth: depth[i],
                dependents: dependents[i],
                reached_by: std::mem::take(&mut reached_by[i]),
                blast_radius: 0.0,
            };
            node.blast_radius = blast_radius(&node, count, roots.len());
            node
        })
        .collect();
    DepGraph {
        lockfile,
        graph,
        nodes,
        roots,
    }
}

/// Dependents that make a package fully central in a large tree (in a smaller one, half of its
/// packages do): npm trees are wide, and their most used packages (`ms`, `function-bind`) have a
/// hundred or more dependents, rarely half of the tree.
const WIDELY_USED: f64 = 100.0;

/// The blast radius formula documented in the module doc, for a graph of `packages` packages of
/// which `roots` are roots.
pub fn blast_radius(node: &Node, packages: usize, roots: usize) -> f64 {
    if node.root {
        // The project itself: what it exposes is the sum of its dependencies, not a share.
        return 0.0;
    }
    blast_terms(node, packages, roots).value
}

/// The terms of the blast radius formula for one package that is not a root, as
/// [`blast_radius`] multiplies them: for reports that show the arithmetic without repeating it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlastTerms {
    /// No root reaches the package: structure unknown, counted as a direct dependency.
    pub structure_unknown: bool,
    /// ½ for a dev-only package, else 1.
    pub weight: f64,
    /// The roots that reach the package.
    pub reached: usize,
    /// The roots of the graph.
    pub roots: usize,
    /// `½ + ½ · reached / roots` (1 when no root reaches it or there are no roots).
    pub root_share: f64,
    /// Packages that are not roots and depend on it.
    pub dependents: usize,
    /// Packages that are not roots.
    pub others: usize,
    /// Whether a root depends on it directly (centrality at least ½).
    pub direct: bool,
    /// The centrality term, in [0, 1].
    pub centrality: f64,
    /// `weight × root_share × (0.2 + 0.8 · centrality)`, rounded to four decimals.
    pub value: f64,
}

/// The terms of the blast radius of `node` (see [`blast_radius`]).
pub fn blast_terms(node: &Node, packages: usize, roots: usize) -> BlastTerms {
    let others = packages.saturating_sub(roots);
    let reached = node.reached_by.len();
    let dependents = (node.dependents as usize).saturating_sub(reached);
    let structure_unknown = node.depth.is_none();
    let (centrality, root_share) = if structure_unknown {
        // No root reaches it: the lockfile does not say how (structure unknown).
        (0.5, 1.0)
    } else {
        let scale = (1.0 + (others as f64 / 2.0).min(WIDELY_USED)).ln();
        let share = if scale > 0.0 {
            ((1.0 + dependents as f64).ln() / scale).min(1.0)
        } else {
            0.0
        };
        let share = if node.direct { share.max(0.5) } else { share };
        let root_share = if roots == 0 {
            1.0
        } else {
            0.5 + 0.5 * (reached as f64 / roots as f64).min(1.0)
        };
        (share, root_share)
    };
    let weight = if node.dev { 0.5 } else { 1.0 };
    let value = weight * root_share * (0.2 + 0.8 * centrality);
    BlastTerms {
        structure_unknown,
        weight,
        reached,
        roots,
        root_share,
        dependents,
        others,
        direct: node.direct,
        centrality,
        value: (value * 10_000.0).round() / 10_000.0,
    }
}

/// Shortest distance from any root (multi-source BFS over every edge).
fn depths(graph: &DiGraph<usize, DepKind>, roots: &[usize]) -> Vec<Option<u32>> {
    let mut depth = vec![None; graph.node_count()];
    let mut queue = VecDeque::new();
    for &root in roots {
        depth[root] = Some(0);
        queue.push_back(root);
    }
    while let Some(node) = queue.pop_front() {
        let next = depth[node].unwrap_or(0) + 1;
        for edge in graph.edges(NodeIndex::new(node)) {
            let target = edge.target().index();
            if depth[target].is_none() {
                depth[target] = Some(next);
                queue.push_back(target);
            }
        }
    }
    depth
}

/// Nodes reachable from the roots through edges whose kind passes `follow`.
fn reachable(
    graph: &DiGraph<usize, DepKind>,
    roots: &[usize],
    follow: impl Fn(DepKind) -> bool,
) -> Vec<bool> {
    let mut seen = vec![false; graph.node_count()];
    let mut stack: Vec<usize> = roots.to_vec();
    for &root in roots {
        seen[root] = true;
    }
    while let Some(node) = stack.pop() {
        for edge in graph.edges(NodeIndex::new(node)) {
            let target = edge.target().index();
            if follow(*edge.weight()) && !seen[target] {
                seen[target] = true;
                stack.push(target);
            }
        }
    }
    seen
}

/// The condensation of a graph: component of each node, components in topological order
/// (sources first), and the deduplicated edges between components.
struct Condensation {
    component: Vec<usize>,
    successors: Vec<Vec<usize>>,
}

fn condense(graph: &DiGraph<usize, DepKind>) -> Condensation {
    // kosaraju_scc returns components in reverse topological order (sinks first). It walks
    // with an explicit stack: petgraph's tarjan_scc recurses once per node of a chain and
    // overflowed the stack on a 87,000-package chain.
    let mut components = kosaraju_scc(graph);
    components.reverse();
    let mut component = vec![0; graph.node_count()];
    for (c, members) in components.iter().enumerate() {
        for node in members {
            component[node.index()] = c;
        }
    }
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
    for edge in graph.edge_references() {
        let (from, to) = (
            component[edge.source().index()],
            component[edge.target().index()],
        );
        if from != to {
            successors[from].push(to);
        }
    }
    for list in &mut successors {
        list.sort_unstable();
        list.dedup();
    }
    Condensation {
        component,
        successors,
    }
}

/// Memory bound for one chunk of reachability bitsets (64 MiB).
const CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// For each of `sources`, in chunks, propagates a bit along the condensation; calls `visit(node,
/// component_bits, chunk_start)` once per chunk for every node that some source reaches (the
/// others have no bit set and are not visited).
///
/// Only the components some source reaches get a row of bits: a lockfile of packages that
/// depend on nothing costs nothing here, whatever its size.
fn propagate(
    condensation: &Condensation,
    sources: &[usize],
    chunk_bytes: usize,
    mut visit: impl FnMut(usize, &[u64], usize),
) {
    if sources.is_empty() {
        return;
    }
    let Condensation {
        component,
        successors,
    } = condensation;
    // Rows, in topological order like the components: a successor's row comes after its
    // predecessors', which the propagation below relies on.
    let mut row = vec![usize::MAX; successors.len()];
    let mut live = vec![false; successors.len()];
    for &source in sources {
        live[component[source]] = true;
    }
    let mut rows = Vec::new();
    for c in 0..successors.len() {
        if live[c] {
            row[c] = rows.len();
            rows.push(c);
            for &successor in &successors[c] {
                live[successor] = true;
            }
        }
    }
    drop(live);
    let words_total = sources.len().div_ceil(64);
    let words = words_total
        .min((chunk_bytes / 8 / rows.len().max(1)).max(1))
        .max(1);
    let mut start = 0;
    while start < sources.len() {
        let end = (start + words * 64).min(sources.len());
        let mut bits = vec![0u64; rows.len() * words];
        for (offset, &source) in sources[start..end].iter().enumerate() {
            let r = row[component[source]];
            bits[r * words + offset / 64] |= 1 << (offset % 64);
        }
        for (r, &c) in rows.iter().enumerate() {
            for &successor in &successors[c] {
                let (low, high) = bits.split_at_mut(row[successor] * words);
                let from = &low[r * words..r * words + words];
                for (target, source) in high[..words].iter_mut().zip(from) {
                    *target |= *source;
                }
            }
        }
        for (node, &c) in component.iter().enumerate() {
            let r = row[c];
            if r != usize::MAX {
                visit(node, &bits[r * words..r * words + words], start);
            }
        }
        start = end;
    }
}

/// For every node, how many of the other nodes reach it (its transitive dependents), given
/// `sources` = every node.
/// One project: a lockfile path (as given or found) and its graph.
#[derive(Debug)]
pub struct Project {
    /// The lockfile path as given or found, with `/` separators.
    pub lockfile: String,
    /// Its graph.
    pub graph: DepGraph,
}

/// A lockfile that could not be graphed.
#[derive(Debug)]
pub struct Failure {
    /// The lockfile path as given or found.
    pub lockfile: String,
    /// The one-line error.
    pub message: String,
}

#[cfg(test)]
fn count_ancestors(
    graph: &DiGraph<usize, DepKind>,
    sources: &[usize],
    chunk_bytes: usize,
) -> Vec<u32> {
    ancestors_in(&condense(graph), sources, chunk_bytes)
}

/// For every node, how many of the other nodes reach it, on a graph already condensed.
///
/// A source that reaches no other node (nothing after it in the condensation, alone in its
/// component) adds nothing to any count, so it gets no bit: in a flat lockfile of a million
/// packages no package reaches another, and nothing is propagated at all.
fn ancestors_in(condensation: &Condensation, sources: &[usize], chunk_bytes: usize) -> Vec<u32> {
    let nodes = condensation.component.len();
    let mut size = vec![0u32; condensation.successors.len()];
    for &c in &condensation.component {
        size[c] += 1;
    }
    let reaching: Vec<usize> = sources
        .iter()
        .copied()
        .filter(|&source| {
            let c = condensation.component[source];
            size[c] > 1 || !condensation.successors[c].is_empty()
        })
        .collect();
    drop(size);
    // A node's offset among the sources that propagate, to skip its own bit.
    let mut offset_of = vec![usize::MAX; nodes];
    for (offset, &source) in reaching.iter().enumerate() {
        offset_of[source] = offset;
    }
    let mut counts = vec![0u32; nodes];
    propagate(condensation, &reaching, chunk_bytes, |node, bits, start| {
        let mut total: u32 = bits.iter().map(|word| word.count_ones()).sum();
        // A node's own bit is set when it is in this chunk: it does not depend on itself.
        let offset = offset_of[node];
        if offset != usize::MAX && offset >= start && offset - start < bits.len() * 64 {
            let offset = offset - start;
            if bits[offset / 64] & (1 << (offset % 64)) != 0 {
                total -= 1;
            }
        }
        counts[node] += total;
    });
    counts
}

/// For every node, the indexes (into `roots`) of the roots that reach it, excluding itself.
fn roots_reaching(condensation: &Condensation, roots: &[usize]) -> Vec<Vec<u32>> {
    let mut reached: Vec<Vec<u32>> = vec![Vec::new(); condensation.component.len()];
    propagate(condensation, roots, CHUNK_BYTES, |node, bits, start| {
        for (w, word) in bits.iter().enumerate() {
            let mut word = *word;
            while word != 0 {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                let root = start + w * 64 + bit;
                if root < roots.len() && roots[root] != node {
                    reached[node].push(root as u32);
                }
            }
        }
    });
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ecosystem, LockfileBuilder, Source};

    fn lockfile(roots: &[&str], edges: &[(&str, &str, DepKind)]) -> Lockfile {
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        for root in roots {
            builder.root(builder.id(*root, "1.0.0"));
        }
        for (from, to, kind) in edges {
            let from = builder.id(*from, "1.0.0");
            let to = builder.id(*to, "1.0.0");
            builder.package(from.clone(), Source::Registry(None));
            builder.package(to.clone(), Source::Registry(None));
            builder.edge(&from, &to, *kind);
        }
        builder.finish("npm/package-lock", "3")
    }

    fn node<'a>(graph: &'a DepGraph, name: &str) -> &'a Node {
        graph
            .node(&PackageId::new(Ecosystem::Npm, name, "1.0.0"))
            .unwrap()
    }

    #[test]
    fn metrics_of_a_small_graph() {
        use DepKind::*;
        let graph = build(lockfile(
            &["app"],
            &[
                ("app", "a", Normal),
                ("app", "t", Dev),
                ("a", "b", Normal),
                ("t", "b", Normal),
                ("t", "c", Normal),
                ("b", "a", Peer), // a cycle
            ],
        ));
        let (a, b, c, t) = (
            node(&graph, "a"),
            node(&graph, "b"),
            node(&graph, "c"),
            node(&graph, "t"),
        );
        assert!(a.direct && t.direct && !b.direct && !c.direct);
        assert!(!a.dev && !b.dev && t.dev && c.dev);
        assert_eq!((a.depth, b.depth, c.depth), (Some(1), Some(2), Some(2)));
        // a ← app, b (cycle), t (via b); b ← a, app, t
        assert_eq!(a.dependents, 3);
        assert_eq!(b.dependents, 3);
        assert_eq!(c.dependents, 2);
        assert_eq!(node(&graph, "app").dependents, 0);
        assert_eq!(a.reached_by, vec![0]);
        assert!(a.blast_radius > c.blast_radius);
        assert!(node(&graph, "app").reached_by.is_empty());
    }

    #[test]
    fn unreachable_packages_take_the_lockfile_dev_flag() {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        builder.root(builder.id("app", "0.0.0"));
        let orphan = builder.package(builder.id("orphan", "1.0.0"), Source::Registry(None));
        builder.dev_hint(&orphan, true);
        let graph = build(builder.finish("pypi/pipfile-lock", "6"));
        let orphan = graph.node(&orphan).unwrap();
        assert!(orphan.dev);
        assert_eq!(orphan.depth, None);
    }

    #[test]
    fn blast_radius_grows_with_dependents() {
        let mut previous = -1.0;
        // `dependents` counts the one root too.
        for dependents in 1..52u32 {
            let node = Node {
                package: LockedPackage {
                    id: PackageId::new(Ecosystem::Npm, "x", "1.0.0"),
                    source: Source::Unknown,
                    dev_hint: None,
                    line: None,
                    build_time: Default::default(),
                },
                root: false,
                direct: false,
                dev: false,
                depth: Some(1),
                dependents,
                reached_by: vec![0],
                blast_radius: 0.0,
            };
            let value = blast_radius(&node, 101, 1);
            assert!(value > previous && (0.0..=1.0).contains(&value));
            previous = value;
        }
        // Half of the other packages depending on it: the whole project is exposed.
        assert_eq!(previous, 1.0);
    }

    fn leaf(dependents: u32, direct: bool, dev: bool) -> Node {
        Node {
            package: LockedPackage {
                id: PackageId::new(Ecosystem::Npm, "x", "1.0.0"),
                source: Source::Unknown,
                dev_hint: None,
                line: None,
                build_time: Default::default(),
            },
            root: false,
            direct,
            dev,
            depth: Some(if direct { 1 } else { 3 }),
            dependents,
            reached_by: vec![0],
            blast_radius: 0.0,
        }
    }

    #[test]
    fn the_terms_multiply_to_the_blast_radius() {
        // What `explain` prints is what the graph computed: the terms multiply to the value.
        let mut unreached = leaf(3, false, false);
        unreached.depth = None;
        for node in [
            leaf(2, false, true),
            leaf(1, true, false),
            leaf(400, false, false),
            unreached,
        ] {
            let terms = blast_terms(&node, 501, 2);
            let product = terms.weight * terms.root_share * (0.2 + 0.8 * terms.centrality);
            assert!((product - terms.value).abs() < 1e-4, "{terms:?}");
            assert_eq!(terms.value, blast_radius(&node, 501, 2));
            assert_eq!((terms.reached, terms.roots, terms.others), (1, 2, 499));
        }
    }

    #[test]
    fn blast_radius_separates_a_dev_tool_leaf_from_the_trunk() {
        // One root, 500 other packages. `dependents` counts the root too.
        let dev_leaf = blast_radius(&leaf(2, false, true), 501, 1);
        let prod_leaf = blast_radius(&leaf(2, false, false), 501, 1);
        let direct_leaf = blast_radius(&leaf(1, true, false), 501, 1);
        let trunk = blast_radius(&leaf(400, false, false), 501, 1);
        assert!(dev_leaf < 0.2, "{dev_leaf}");
        assert!(prod_leaf < 0.35, "{prod_leaf}");
        assert_eq!(direct_leaf, 0.6);
        assert_eq!(trunk, 1.0);
        assert!(dev_leaf < prod_leaf && prod_leaf < direct_leaf && direct_leaf < trunk);
    }

    #[test]
    fn blast_radius_is_fair_to_size() {
        // A direct leaf weighs the same in a small and a large tree; a package with a fixed
        // number of dependents weighs less as unrelated packages are added, never more.
        assert_eq!(
            blast_radius(&leaf(1, true, false), 51, 1),
            blast_radius(&leaf(1, true, false), 5_001, 1)
        );
        let mut previous = f64::INFINITY;
        for packages in [20, 50, 200, 1_000, 10_000] {
            let value = blast_radius(&leaf(6, false, false), packages, 1);
            assert!(value <= previous, "{packages}: {value}");
            previous = value;
        }
        // Above 200 packages only the number of dependents counts: a hundred make it central.
        assert_eq!(
            blast_radius(&leaf(6, false, false), 1_000, 1),
            blast_radius(&leaf(6, false, false), 100_000, 1)
        );
        assert_eq!(blast_radius(&leaf(101, false, false), 100_000, 1), 1.0);
    }

    #[test]
    fn blast_radius_of_a_package_no_root_reaches_is_that_of_a_direct_dependency() {
        let mut orphan = leaf(0, false, false);
        orphan.depth = None;
        orphan.reached_by.clear();
        assert_eq!(blast_radius(&orphan, 105, 1), 0.6);
        orphan.dev = true;
        assert_eq!(blast_radius(&orphan, 105, 1), 0.3);
    }

    /// A chain and a cycle of 20,000 packages built on a thread with a 256 KiB stack: nothing
    /// recurses once per package (a recursive SCC overflowed the 8 MiB main stack at 87,000).
    #[test]
    fn long_chains_and_cycles_do_not_overflow_the_stack() {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let count = 20_000;
                let names: Vec<String> = (0..count).map(|i| format!("p{i}")).collect();
                let mut edges: Vec<(&str, &str, DepKind)> = names
                    .windows(2)
                    .map(|pair| (pair[0].as_str(), pair[1].as_str(), DepKind::Normal))
                    .collect();
                let graph = build(lockfile(&["p0"], &edges));
                let last = node(&graph, &names[count - 1]);
                assert_eq!(last.dependents as usize, count - 1);
                assert_eq!(last.depth, Some(count as u32 - 1));
                edges.push((
                    names[count - 1].as_str(),
                    names[0].as_str(),
                    DepKind::Normal,
                ));
                let graph = build(lockfile(&["p0"], &edges));
                assert_eq!(node(&graph, &names[1]).dependents as usize, count - 1);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    /// Packages that reach nothing get no bit, and only what some package reaches gets a row:
    /// isolated packages, a star, and a cycle that is a sink keep their exact counts (members
    /// of a sink cycle reach each other), in one chunk and in many.
    #[test]
    fn sparse_graphs_match_a_naive_search() {
        use DepKind::Normal;
        let names: Vec<String> = (0..200).map(|i| format!("p{i}")).collect();
        let mut edges = Vec::new();
        // A star: p0 → p1..p49.
        for name in &names[1..50] {
            edges.push((names[0].as_str(), name.as_str(), Normal));
        }
        // A chain into a sink cycle: p50 → p51 → p52 → p53 → p51.
        for (from, to) in [(50, 51), (51, 52), (52, 53), (53, 51)] {
            edges.push((names[from].as_str(), names[to].as_str(), Normal));
        }
        // p54..p199 are isolated: the root depends on none of them.
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        builder.root(builder.id("p0", "1.0.0"));
        for name in &names {
            builder.package(builder.id(name.as_str(), "1.0.0"), Source::Registry(None));
        }
        for (from, to, kind) in &edges {
            let (from, to) = (builder.id(*from, "1.0.0"), builder.id(*to, "1.0.0"));
            builder.edge(&from, &to, *kind);
        }
        let graph = build(builder.finish("npm/package-lock", "3"));
        let all: Vec<usize> = (0..graph.nodes.len()).collect();
        for chunk_bytes in [8 * graph.nodes.len(), CHUNK_BYTES] {
            let counts = count_ancestors(&graph.graph, &all, chunk_bytes);
            for (i, node) in graph.nodes.iter().enumerate() {
                let naive = (0..graph.nodes.len())
                    .filter(|&j| i != j && reachable(&graph.graph, &[j], |_| true)[i])
                    .count();
                assert_eq!(counts[i] as usize, naive, "{}", node.package.id);
                assert_eq!(node.dependents as usize, naive, "{}", node.package.id);
            }
        }
        assert_eq!(node(&graph, "p51").dependents, 3);
        assert_eq!(node(&graph, "p1").reached_by, vec![0]);
        assert!(node(&graph, "p60").reached_by.is_empty());
        assert_eq!(node(&graph, "p60").dependents, 0);
    }

    /// Chunked propagation gives the same counts as a plain search from every node.
    #[test]
    fn chunked_counts_match_a_naive_search() {
        let names: Vec<String> = (0..300).map(|i| format!("p{i}")).collect();
        let mut edges = Vec::new();
        let mut state: u64 = 12345;
        for i in 0..300usize {
            for _ in 0..3 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let j = (state >> 33) as usize % 300;
                edges.push((names[i].as_str(), names[j].as_str(), DepKind::Normal));
            }
        }
        let graph = build(lockfile(&["p0", "p1"], &edges));
        let all: Vec<usize> = (0..graph.nodes.len()).collect();
        // 8 bytes a component forces one 64-bit word a chunk: five chunks for 300 packages.
        let chunked = count_ancestors(&graph.graph, &all, 8 * graph.nodes.len());
        for (i, node) in graph.nodes.iter().enumerate() {
            assert_eq!(chunked[i], node.dependents);
            let mut count = 0;
            for j in 0..graph.nodes.len() {
                if i != j && reachable(&graph.graph, &[j], |_| true)[i] {
                    count += 1;
                }
            }
            assert_eq!(node.dependents, count, "{}", node.package.id);
        }
    }
}
