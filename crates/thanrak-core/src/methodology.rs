//! The methodology file: indicators, dimensions, weights, capitals and group rules as data.
