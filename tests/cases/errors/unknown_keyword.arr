# An unknown keyword argument names the parameter and shows the signature.
# error: `ones` has no parameter `chunk`
# at: 5:15
# golden
print(ones(3, chunk=2))
