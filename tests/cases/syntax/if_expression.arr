# if/else is also an expression.
# out: 1 -1 0
# out: big
fn sgn(x) { if x > 0 { 1 } else if x < 0 { -1 } else { 0 } }
print(sgn(5), sgn(-2), sgn(0))
label = if 1000 > 10 { "big" } else { "small" }
print(label)
