//! Website snapshots of targets.
