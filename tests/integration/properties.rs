//! Property tests: for random shapes, chunkings and op chains, the chunked result equals the
//! single-chunk result; random arrays are identical for different chunkings with one seed.
