//! Small hand-made graphs for unit tests in other modules.

use super::{GraphBuilder, KnowledgeGraph, Schema};

/// Builds a Hetionet-schema graph of `size` compounds (`DB0`, `DB1`, …) and `size` diseases
/// (`DOID:0`, `DOID:1`, …) with the given (compound, relation, disease) edges.
pub(crate) fn indication_graph(size: usize, edges: &[(usize, &str, usize)]) -> KnowledgeGraph {
    let mut builder = GraphBuilder::new(Schema::hetionet());
    for i in 0..size {
        builder
            .add_node(&format!("DB{i}"), "Compound", "c", None)
            .unwrap();
        builder
            .add_node(&format!("DOID:{i}"), "Disease", "d", None)
            .unwrap();
    }
    for &(compound, relation, disease) in edges {
        builder.add_edge(
            &format!("Compound::DB{compound}"),
            relation,
            &format!("Disease::DOID:{disease}"),
            None,
        );
    }
    builder.build().unwrap()
}
