# A function reads the names around it as they are when it runs, even names bound after
# its definition.
# out: 7
# out: 12
fn f(x) { x + offset }
offset = 5
print(f(2))
offset = 10
print(f(2))
