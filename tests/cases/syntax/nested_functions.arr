# A function defined inside another function is local to it.
# out: 7
fn outer(x) {
    fn inner(y) { y * 2 }
    inner(x) + 1
}
print(outer(3))
