# A lazy 0-d bool condition is computed before the branch is chosen.
# out: positive sum
# out: not all
x = array([1.0, -2.0, 5.0])
if sum(x) > 0 { print("positive sum") } else { print("negative sum") }
if all(x > 0) { print("all") } else { print("not all") }
