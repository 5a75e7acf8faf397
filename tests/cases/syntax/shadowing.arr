# A later binding of the same name shadows it, also with a different type.
# out: 1
# out: [1.0, 1.0]
# out: hello
x = 1
print(x)
x = ones(2)
print(x)
x = "hello"
print(x)
