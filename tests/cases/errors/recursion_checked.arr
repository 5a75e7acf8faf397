# `arr check` reports what a run reports: unbounded recursion is an error before anything
# runs (check used to say ok, and only the run failed).
# error: recursion deeper than 400 calls in `f`
# at: 6:11
print("not printed: the check fails first")
fn f(x) { f(x) }
f(1)
