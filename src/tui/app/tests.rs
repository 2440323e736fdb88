//! Transition tests of `App::handle`: events in, state and effects out. No terminal, no IO.
