# Helper for ../import_cycle.arr: imports cycle_b.arr, which imports this file back.
import "cycle_b.arr"
fn from_a() { 1 }
