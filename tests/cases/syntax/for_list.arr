# for over a list, of any values.
# out: a 1
# out: b 2.5
# out: c true
for p in [("a", 1), ("b", 2.5), ("c", true)] {
    name, v = p
    print(name, v)
}
