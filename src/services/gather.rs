//! Gathering a target's website into a snapshot.
