//! Small-number suppression. (Being written.)
