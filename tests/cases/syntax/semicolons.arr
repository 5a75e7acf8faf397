# `;` ends a statement, like a newline.
# out: 1 2
# out: 3
a = 1; b = 2; print(a, b)
print(a + b);
