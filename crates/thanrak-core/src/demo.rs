//! Deterministic synthetic survey rounds for demonstrations, tests and benchmarks.
