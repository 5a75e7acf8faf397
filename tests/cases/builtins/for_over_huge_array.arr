# A `for` over an array takes its rows one at a time: the first step of a loop over 10^10
# elements comes at once (the rows are not all built first).
# out: 3.0
# out: 4.0
fn first(x) {
  for v in x {
    return v
  }
  0.0
}
print(first(zeros(10**10) + 3))
print(first(arange(10**12, dtype=f64)[::-1][10**12 - 5:] ))
