//! Measurement: deprivations, the Alkire–Foster MPI, the five capitals and the four groups.
