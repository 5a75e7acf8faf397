# Helper module: imports its sibling by a path relative to itself. Prints nothing.
import "helpers.arr"
fn nine() { triple(3) }
