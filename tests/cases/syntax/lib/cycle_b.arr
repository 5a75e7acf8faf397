# Helper for ../import_cycle.arr: imports cycle_a.arr, which imports this file back.
import "cycle_a.arr"
fn from_b() { 2 }
