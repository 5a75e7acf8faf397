# A newline inside (), [] or {} does not end a statement; trailing commas are allowed.
# out: 6
# out: [1, 2, 3]
# out: 10
# out: (1, 2)
x = (1 +
     2 +
     3)
print(x)
l = [
  1,
  2,
  3,
]
print(l)
fn add(
    a,
    b,
) {
    a + b
}
print(add(
  4,
  6,
))
t = (1, 2,)
print(t)
