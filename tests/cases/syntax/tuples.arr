# Tuples: literals, the one-element form, indexing, len.
# out: (1, 2.5, "s")
# out: (7,)
# out: 3 2.5
# out: ()
t = (1, 2.5, "s")
print(t)
print((7,))
print(len(t), t[1])
print(())
