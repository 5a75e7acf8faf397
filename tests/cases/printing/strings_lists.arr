# Strings print bare at top level and quoted inside lists and tuples; none prints as none.
# out: hello
# out: ["a", "b"] ("x", 1)
# out: none [none]
# out: [1, [2.5, true], "s"]
print("hello")
print(["a", "b"], ("x", 1))
print(none, [none])
print([1, [2.5, true], "s"])
