//! Unit tests of the offline signals and responder rules.

use super::*;
