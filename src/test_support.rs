//! Helpers for unit tests only.

/// A fixed xorshift generator from `seed`: each call gives a number below `n`, the same
/// sequence on every run, so randomised tests are repeatable.
pub(crate) fn xorshift(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
