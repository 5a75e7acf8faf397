# Helper module for ../import_once.arr; run on its own it prints one line.
# out: once
print("once")
import "uses_helpers.arr"
