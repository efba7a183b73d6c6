pub mod scorer;
pub use scorer::LinkScorer;
