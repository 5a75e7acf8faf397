# `return` leaves a function early.
# out: neg
# out: pos
# out: zero
fn classify(x) {
    if x < 0 { return "neg" }
    if x > 0 { return "pos" }
    "zero"
}
print(classify(-3))
print(classify(2))
print(classify(0))
