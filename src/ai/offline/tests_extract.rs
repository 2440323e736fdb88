//! Unit tests of the offline extraction rules.

use super::*;
